import type { ProgrammeCoverage } from '../../shared/schemas/programme-coverage.ts';
import { readCoverage, type CountyRows } from '../coverage/read.ts';
import type { Db } from '../db/client.ts';
import { currentPlan } from '../plan/current.ts';
import { progressOf } from '../plan/milestones.ts';
import { readPlatformCoverage } from './platforms.ts';
import { teacherSpacesOf } from './teacher-spaces.ts';

/*
 * The programme figures are assembled here once, for the API, the dashboard's overview and the public
 * disclosure alike: the measured coverage, and beside it the declared parts (teacher spaces with progress
 * against the plan, the two platforms declared built vs probed reachable).
 */

/** The programme figures for a scope (null: the prefecture) as of `now`, with the given page of county rows. */
export function readProgrammeFigures(
  db: Db,
  countyScope: string | null,
  now: number,
  rows: CountyRows = 'all',
): ProgrammeCoverage {
  const coverage = readCoverage(db, countyScope, now, rows);
  // The same county rows as the coverage beside them; the totals cover the whole scope.
  const teacherSpaces = teacherSpacesOf(db, countyScope, coverage.counties);
  const indicator = currentPlan(db).indicators.teacherSpaces;
  // The prefecture is held to the plan's target even when not every school has declared its teachers yet.
  const teachers =
    countyScope === null ? Math.max(teacherSpaces.teachers, indicator.target ?? 0) : teacherSpaces.teachers;
  return {
    ...coverage,
    teacherSpaces: {
      ...teacherSpaces,
      progress: progressOf(indicator, teacherSpaces.opened, teachers, now),
    },
    platforms: readPlatformCoverage(db, countyScope, now),
  };
}
