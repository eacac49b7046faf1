import type { CountyRows } from '../coverage/read.ts';
import * as read from '../coverage/read.ts';
import { legacyDb, type Store } from '../db/store.ts';

/*
 * The coverage reads the programme calls, as they will be once coverage/read.ts is on the store (issue 14): the
 * same names, a Store and a promise. Until then each runs on the
 * SQLite connection under the store (inside the caller's transaction on SQLite), and on PostgreSQL refuses with
 * legacyDb's "does not run on PostgreSQL yet". At merge, each import of this file becomes an import of
 * server/coverage and the file is deleted (`grep -rn coverage-on-connection server` lists the callers).
 */

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
