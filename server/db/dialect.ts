import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Store } from './store.ts';

/*
 * What the two dialects do differently, one small named function each (decision 186): domain code calls these
 * and stays the same on SQLite and PostgreSQL.
 */

/** The scheduled jobs that run once per schedule across every server sharing a database, with their lock numbers. */
export const JOB_LOCKS = { aging: 1, retention: 2, snapshots: 3, probes: 4 } as const;
export type ScheduledJob = keyof typeof JOB_LOCKS;

/** The first half of every santong advisory lock key ("ST"), so another application's locks on the database never collide. */
const SANTONG_LOCKS = 0x5354;

/**
 * Whether this run of `job` may go ahead: on PostgreSQL, where several servers run the same schedules, it takes
 * the job's transaction-scoped advisory lock (decision 188) and answers false when another server holds it (the
 * run is then skipped: that server is doing it). Call it inside the job's transaction: the lock lasts until that
 * transaction ends. On SQLite one server owns the database and the answer is always true.
 */
export async function tryJobLock(tx: Store, job: ScheduledJob): Promise<boolean> {
  if (tx.dialect === 'sqlite') return true;
  const pgQueries = tx.q as unknown as NodePgDatabase;
  const { rows } = await pgQueries.execute<{ granted: boolean }>(
    sql`select pg_try_advisory_xact_lock(${SANTONG_LOCKS}::int4, ${JOB_LOCKS[job]}::int4) as "granted"`,
  );
  return rows[0]!.granted;
}

/**
 * What the database's own consistency check finds wrong, for `santong verify`: SQLite's `pragma integrity_check`
 * (its pages, indexes and constraints), nothing when it says ok. PostgreSQL has no such check without an extension
 * (amcheck) an operator may not have installed; its pages carry checksums when the cluster was initialised with
 * them, and `verify`'s comparison of every figure with a recomputation runs on both.
 */
export async function integrityProblems(store: Store): Promise<string[]> {
  if (store.dialect === 'postgres') return [];
  const rows = await store.q.all<{ integrity_check: string }>(sql`pragma integrity_check`);
  return rows.length === 1 && rows[0]!.integrity_check === 'ok' ? [] : rows.map((r) => r.integrity_check);
}
