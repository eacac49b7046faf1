import type { CountyRows } from '../coverage/read.ts';
import * as evaluate from '../coverage/evaluate.ts';
import * as read from '../coverage/read.ts';
import * as recompute from '../coverage/recompute.ts';
import * as registry from '../coverage/registry-read.ts';
import { legacyDb, type Store } from '../db/store.ts';

/*
 * The coverage functions the programme calls, as they will be once server/coverage is on the store (issue 14,
 * moved by another change at the same time): the same names, a Store and a promise. Until then each runs on the
 * SQLite connection under the store (inside the caller's transaction on SQLite), and on PostgreSQL refuses with
 * legacyDb's "does not run on PostgreSQL yet". At merge, each import of this file becomes an import of
 * server/coverage and the file is deleted (`grep -rn coverage-on-connection server` lists the callers).
 */

/** coverage/evaluate.ts evaluateSchools: re-derives the schools' status and their counties' rollups. */
export async function evaluateSchools(store: Store, schoolCodes: Iterable<string>, now: number): Promise<void> {
  evaluate.evaluateSchools(legacyDb(store, 'evaluating schools'), schoolCodes, now);
}

/** coverage/evaluate.ts sweepBeforeRead: brings the figures that age by time alone up to `now`. */
export async function sweepBeforeRead(store: Store, now: number): Promise<void> {
  evaluate.sweepBeforeRead(legacyDb(store, 'the sweep before a read'), now);
}

/** coverage/read.ts rollupOf: a division's rollup row. */
export async function rollupOf(store: Store, code: string): Promise<ReturnType<typeof read.rollupOf>> {
  return read.rollupOf(legacyDb(store, 'reading rollups'), code);
}

/** coverage/read.ts readCoverage: a division's figures against the plan. */
export async function readCoverage(store: Store, divisionCode: string | null, now: number, rows: CountyRows = 'all') {
  return read.readCoverage(legacyDb(store, 'reading coverage'), divisionCode, now, rows);
}

/** coverage/read.ts readSchool: a school with its figures, classrooms and devices. */
export async function readSchool(store: Store, code: string, now: number) {
  return read.readSchool(legacyDb(store, 'reading a school'), code, now);
}

/** coverage/recompute.ts recomputeCoverage: every school's figures at `at`, from raw evidence. */
export async function recomputeCoverage(store: Store, at: number) {
  return recompute.recomputeCoverage(legacyDb(store, 'recomputing coverage'), at);
}

/** coverage/registry-read.ts readSchoolChoices: code and name of every school in scope. */
export async function readSchoolChoices(store: Store, scope: Parameters<typeof registry.readSchoolChoices>[1]) {
  return registry.readSchoolChoices(legacyDb(store, 'reading the school list'), scope);
}

/** coverage/evaluate.ts sweepExpired: brings every school whose figures aged by time alone up to `now`. */
export async function sweepExpired(store: Store, now: number): Promise<number> {
  return evaluate.sweepExpired(legacyDb(store, 'the sweep'), now);
}
