import type { PublicCoverage } from '../../shared/schemas/public.ts';
import type { Store } from '../db/store.ts';
import { readPlatformCoverage } from './platforms.ts';
import { readProgrammeFigures } from './programme-figures.ts';

/*
 * Every figure is copied field by field rather than spread from the internal reads, so a field added to
 * those later (a school list, a device count) never reaches the public answer by accident.
 */

/** The public aggregates (信息公开): prefecture and county figures, no school, device or person, as of `now`. */
export async function readPublicCoverage(store: Store, now: number): Promise<PublicCoverage> {
  const { teacherSpaces: spaces, platforms, ...coverage } = await readProgrammeFigures(store, null, now);
  const spacesByCounty = new Map(spaces.counties.map((c) => [c.code, c]));
  const kinds = (level: PublicCoverage['prefecture']['platforms'][number]) => ({
    resource: { declaredBuilt: level.resource.declaredBuilt, reachable: level.resource.reachable },
    management: { declaredBuilt: level.management.declaredBuilt, reachable: level.management.reachable },
  });
  const countyLevels = new Map<string, Awaited<ReturnType<typeof readPlatformCoverage>>['levels']>();
  for (const county of coverage.counties)
    countyLevels.set(county.code, (await readPlatformCoverage(store, county.code, now)).levels);
  return {
    asOf: coverage.asOf,
    prefecture: {
      code: coverage.prefecture.code,
      name: coverage.prefecture.name,
      schools: {
        target: coverage.schools.target!,
        registered: coverage.schools.registered,
        connected: coverage.schools.connected,
        meetingStandard: coverage.schools.meetingStandard,
      },
      classrooms: {
        target: coverage.classrooms.target!,
        registered: coverage.classrooms.registered,
        equipped: coverage.classrooms.equipped,
      },
      teacherSpaces: {
        target: spaces.target!,
        teachers: spaces.teachers,
        opened: spaces.opened,
        verified: spaces.verified,
        declared: true,
      },
      platforms: platforms.levels.map((l) => ({
        level: l.level,
        dueBy: l.dueBy,
        due: l.due,
        units: l.units,
        expected: l.expected,
        ...kinds(l),
      })),
    },
    counties: coverage.counties.map((county) => {
      const s = spacesByCounty.get(county.code);
      const levels = countyLevels.get(county.code)!;
      const centre = levels.find((l) => l.level === 'centre-school')!;
      return {
        code: county.code,
        name: county.name,
        schools: {
          registered: county.schools.registered,
          connected: county.schools.connected,
          meetingStandard: county.schools.meetingStandard,
        },
        classrooms: { registered: county.classrooms.registered, equipped: county.classrooms.equipped },
        teacherSpaces: {
          teachers: s?.teachers ?? 0,
          opened: s?.opened ?? 0,
          verified: s?.verified ?? 0,
          declared: true as const,
        },
        platforms: {
          county: kinds(levels.find((l) => l.level === 'county')!),
          centreSchools: { units: centre.units, ...kinds(centre) },
        },
      };
    }),
  };
}
