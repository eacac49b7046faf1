import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { DAY_MS, endOfLocalDay, localDay, startOfLocalDay } from '../../shared/time/china-time.ts';
import { tryJobLock } from './dialect.ts';
import type { Store } from './store.ts';

/*
 * PostgreSQL only: raw reports live in one partition per local day of collected_at (decision 192, migration
 * pg/0009), so retention folds a past day and drops its partition instead of deleting its rows one by one. A row
 * whose day has no partition yet waits in reports_default; making the day's partition moves it there. SQLite keeps
 * one table.
 */

/** Days ahead of today that have their partition before a report arrives for them. */
export const PARTITION_DAYS_AHEAD = 7;

/** A day's partition: its table and the instants it holds, from inclusive, to exclusive. */
export interface DayPartition {
  name: string;
  day: string;
  from: number;
  to: number;
}

const partitionName = (day: string) => `reports_${day.replaceAll('-', '')}`;
const dayOf = (name: string) => `${name.slice(8, 12)}-${name.slice(12, 14)}-${name.slice(14, 16)}`;
const dayPartition = (day: string): DayPartition => ({
  name: partitionName(day),
  day,
  from: startOfLocalDay(day),
  to: endOfLocalDay(day),
});

const pgOf = (store: Store) => store.q as unknown as NodePgDatabase;

/**
 * Makes the partitions of the next days and of every day whose reports (collected at or after `from`) wait in
 * reports_default, moving those rows in. Idempotent; runs under the retention job's lock (decision 188), so two
 * servers never make the same partition: when another holds it, this returns 0 and leaves it to that one.
 * Returns the number of partitions made.
 */
export async function ensureReportPartitions(
  store: Store,
  now: number,
  from = 0,
  /** More days to make ahead of their rows (a copy about to write them, decision 193), as YYYY-MM-DD. */
  alsoDays: Iterable<string> = [],
): Promise<number> {
  if (store.dialect !== 'postgres') return 0;
  return store.transaction(async (tx) => {
    const db = pgOf(tx);
    // Before anything reads (the SERIALIZABLE snapshot starts at the first query): no report may enter
    // reports_default between its rows being moved out and the new partition's bounds being checked against it.
    await db.execute(sql`lock table reports_default in exclusive mode`);
    if (!(await tryJobLock(tx, 'retention'))) return 0;
    const days = new Set<string>(alsoDays);
    for (let ahead = 0; ahead <= PARTITION_DAYS_AHEAD; ahead++) days.add(localDay(now + ahead * DAY_MS));
    for (let next = from; ;) {
      const { rows } = await db.execute<{ at: string | null }>(
        sql`select min(collected_at) as "at" from reports_default where collected_at >= ${next}`,
      );
      if (rows[0]?.at == null) break;
      const day = localDay(Number(rows[0].at));
      days.add(day);
      next = endOfLocalDay(day);
    }
    const existing = new Set((await reportDayPartitions(tx)).map((p) => p.day));
    let made = 0;
    for (const day of [...days].sort()) {
      if (existing.has(day)) continue;
      const { name, from: start, to: end } = dayPartition(day);
      // Made apart and attached, so its rows can move in first and the parent is never locked against ingest.
      await db.execute(sql`create table ${sql.identifier(name)} (like reports including defaults)`);
      await db.execute(
        sql`with moved as (delete from reports_default where collected_at >= ${start} and collected_at < ${end}
          returning *) insert into ${sql.identifier(name)} select * from moved`,
      );
      await db.execute(
        sql`alter table reports attach partition ${sql.identifier(name)} for values from (${sql.raw(String(start))}) to (${sql.raw(String(end))})`,
      );
      made++;
    }
    return made;
  });
}

/** The daily partitions of reports, oldest first. */
export async function reportDayPartitions(store: Store): Promise<DayPartition[]> {
  if (store.dialect !== 'postgres') return [];
  const { rows } = await pgOf(store).execute<{ name: string }>(
    sql`select c.relname as "name" from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'reports'::regclass and c.relname ~ '^reports_[0-9]{8}$' order by c.relname`,
  );
  return rows.map((r) => dayPartition(dayOf(r.name)));
}

/** Whether a day's partition is still there (another server may have folded and dropped it meanwhile). */
export async function hasReportPartition(tx: Store, partition: DayPartition): Promise<boolean> {
  const { rows } = await pgOf(tx).execute<{ present: boolean }>(
    sql`select to_regclass(${partition.name}) is not null as "present"`,
  );
  return rows[0]!.present;
}

/** Drops a folded day's partition with every report in it: the whole day goes at once, no row is deleted. */
export async function dropReportPartition(tx: Store, partition: DayPartition): Promise<void> {
  await pgOf(tx).execute(sql`drop table ${sql.identifier(partition.name)}`);
}

/**
 * Forgets the clamped reports collected before an instant: retention has folded them, and a later send of one is
 * then refused as past retention or counted as new, as on SQLite.
 */
export async function forgetClampedReports(tx: Store, before: number): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  await pgOf(tx).execute(sql`delete from clamped_reports where collected_at < ${before}`);
}
