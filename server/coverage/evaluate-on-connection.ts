import { inTransaction, type Db } from '../db/client.ts';
import { onConnection } from '../db/per-connection.ts';
import { runStepsNow, type Steps } from '../db/steps.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { currentPlanOnConnection } from '../plan/current-connection.ts';
import { closuresInOrder, calendarsOf } from './county-calendars.ts';
import { displaysOf, latestBody } from './device-displays.ts';
import type { DeviceDisplay } from '../../shared/schemas/coverage.ts';
import { dueSchools } from './evaluate-statements.ts';
import { evaluation, rollups } from './evaluate.ts';
import { recomputation, type RecomputedSchool } from './recompute.ts';

/*
 * The coverage evaluation for callers still inside synchronous transactions on the SQLite connection (issue 14:
 * the programme, the bench generator and history's recomputation until they move): the same steps evaluate.ts and
 * recompute.ts run on the store, each statement run synchronously. Goes when its last caller is on the store (`grep -rn OnConnection server`).
 */

const runOnConnection = <T>(db: Db, steps: Steps<T>): T => runStepsNow(onConnection(db), steps);

const calendarsOnConnection = (db: Db) => calendarsOf(onConnection(db).rows(closuresInOrder));

/** evaluateSchools (evaluate.ts) on the connection, inside the caller's synchronous transaction. */
export function evaluateSchoolsOnConnection(
  db: Db,
  schoolCodes: Iterable<string>,
  now: number,
  reported?: ReadonlySet<string>,
): void {
  const inputs = {
    rules: currentPlanOnConnection(db).coverage,
    calendarOf: calendarsOnConnection(db),
    tree: deploymentTreeOnConnection(db),
  };
  runOnConnection(db, evaluation(inputs, schoolCodes, now, reported));
}

/** refreshRollups (evaluate.ts) on the connection. */
export function refreshRollupsOnConnection(db: Db, countyCodes: Iterable<string>, now: number): void {
  runOnConnection(db, rollups(deploymentTreeOnConnection(db), countyCodes, now));
}

/** sweepExpired (evaluate.ts) on the connection. */
export function sweepExpiredOnConnection(db: Db, now: number, chunkSize = 200, maxChunks = Infinity): number {
  let count = 0;
  for (let chunk = 0; chunk < maxChunks; chunk++) {
    const due = onConnection(db)
      .rows(dueSchools, now, chunkSize)
      .map((d) => d.schoolCode);
    if (due.length === 0) return count;
    inTransaction(db, () => evaluateSchoolsOnConnection(db, due, now));
    count += due.length;
  }
  return count;
}

/** sweepBeforeRead (evaluate.ts) on the connection. */
export function sweepBeforeReadOnConnection(db: Db, now: number): void {
  sweepExpiredOnConnection(db, now, 50, 1);
}

/** recomputeCoverage (recompute.ts) on the connection. */
export function recomputeCoverageOnConnection(db: Db, at: number): Map<string, RecomputedSchool> {
  return runOnConnection(db, recomputation(currentPlanOnConnection(db).coverage, calendarsOnConnection(db), at));
}

/** latestDisplays (device-displays.ts) on the connection, for the coverage reads still on it. */
export function latestDisplaysOnConnection(db: Db, deviceId: string, lastCollectedAt: number | null): DeviceDisplay[] {
  return lastCollectedAt === null ? [] : displaysOf(onConnection(db).row(latestBody, deviceId, lastCollectedAt));
}
