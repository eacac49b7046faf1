import { eq } from 'drizzle-orm';
import { readCalendars } from '../coverage/county-calendars.ts';
import { tryJobLock } from '../db/dialect.ts';
import {
  dropReportPartition,
  ensureReportPartitions,
  forgetClampedReports,
  hasReportPartition,
  reportDayPartitions,
  type DayPartition,
} from '../db/report-partitions.ts';
import { statement, type Store } from '../db/store.ts';
import { evidenceWindowStart } from '../coverage/rules.ts';
import {
  fromStored,
  mergeEvidence,
  noEvidence,
  toStored,
  withReport,
  type DeviceEvidence,
  type StoredEvidence,
} from '../coverage/school-figures.ts';
import type { PresentationKind } from '../../shared/schemas/report.ts';
import { currentPlan } from '../plan/current.ts';
import { DAY_MS, localDay, startOfLocalDay } from '../../shared/time/china-time.ts';

/*
 * Bounded storage. Raw reports are kept for the retention period (default 180 days); older ones are
 * folded into one row per device and local day (device_days) and deleted. Current figures never need
 * them: folding never reaches into any county's evidence window. A download claim flagged implausible is
 * not folded: it never counted, and past retention nobody needs to be shown it. History and verify read the folded
 * rows where raw reports are gone; both ask at day boundaries, where the folding loses nothing.
 */
export const DEFAULT_RETENTION_DAYS = 180;

/** Reports collected before this instant are past retention. */
export function retentionHorizon(now: number, retentionDays: number): number {
  return now - retentionDays * DAY_MS;
}

/** One device's reports of one local day, folded. */
interface Folded {
  deviceId: string;
  day: string;
  reports: number;
  evidence: DeviceEvidence;
  downSamples: number[];
}

// Portable SQL (decision 186): the same text folds on SQLite and PostgreSQL. down_samples is JSON text on SQLite
// and jsonb on PostgreSQL: read back as text on both.
interface OldReport {
  id: Buffer | string;
  deviceId: string;
  at: number;
  online: number;
  presenting: PresentationKind | null;
  down: number | null;
}
const oldReports = statement<OldReport, [number, number]>(
  `select id, device_id as "deviceId", collected_at as "at", internet_reachable as "online",
     presentation_kind as "presenting", case when down_flag is null then down_mbps end as "down"
   from reports where collected_at < ? order by collected_at limit ?`,
);
// One day's partition on PostgreSQL (decision 192), read in primary-key order a chunk at a time.
const dayReports = statement<OldReport, [number, number, string, string, Buffer | string, number]>(
  `select id, device_id as "deviceId", collected_at as "at", internet_reachable as "online",
     presentation_kind as "presenting", case when down_flag is null then down_mbps end as "down"
   from reports where collected_at >= ? and collected_at < ? and (device_id > ? or (device_id = ? and id > ?))
   order by device_id, id limit ?`,
);
// A day folded before (late arrivals) is merged by the same rule as a new batch (school-figures.ts).
const readDay = statement<StoredEvidence & { reports: number; downSamples: string }, [string, string]>(
  `select reports, last_collected_at as "lastCollectedAt", last_reachable_at as "lastReachableAt",
     last_presentation_at as "lastPresentationAt", last_presentation_kind as "lastPresentationKind",
     cast(down_samples as text) as "downSamples"
   from device_days where device_id = ? and day = ?`,
);
const writeDay = statement<
  never,
  [string, string, number, number | null, number | null, number | null, PresentationKind | null, string]
>(
  `insert into device_days (device_id, day, reports, last_collected_at, last_reachable_at, last_presentation_at,
     last_presentation_kind, down_samples)
   values (?, ?, ?, ?, ?, ?, ?, ?)
   on conflict (device_id, day) do update set reports = excluded.reports,
     last_collected_at = excluded.last_collected_at, last_reachable_at = excluded.last_reachable_at,
     last_presentation_at = excluded.last_presentation_at, last_presentation_kind = excluded.last_presentation_kind,
     down_samples = excluded.down_samples`,
);
const removeReport = statement<never, [string, Buffer | string]>('delete from reports where device_id = ? and id = ?');
// The server's own speed-test measurements (a few per device a day) go at the same horizon, unfolded:
// they only ever count inside an evidence window, which folding never reaches.
const dropOldServerMeasurements = statement<never, [number]>('delete from speedtests where finished_at < ?');

/**
 * Folds reports past retention (and outside every evidence window) into device_days, a chunk per
 * transaction so ingest is never blocked for long. Returns the number of reports folded. Each chunk holds the
 * retention job's lock (decision 188): when another server is folding, this one stops and leaves it the work.
 * On PostgreSQL whole days go first, partition by partition (decision 192); what is left (reports that waited in
 * the default partition) goes row by row, as on SQLite.
 */
export async function foldOldReports(
  store: Store,
  now: number,
  retentionDays = DEFAULT_RETENTION_DAYS,
  chunkSize = 10_000,
): Promise<number> {
  const rules = (await currentPlan(store)).coverage;
  const calendarOf = await readCalendars(store);
  const { divisions } = store.t;
  const counties = await store.q.select({ code: divisions.code }).from(divisions).where(eq(divisions.level, 'county'));
  const earliestWindow = Math.min(now, ...counties.map((c) => evidenceWindowStart(rules, now, calendarOf(c.code))));
  // Whole local days only, so every folded day is complete and exact at its boundaries.
  const cutoff = startOfLocalDay(localDay(Math.min(retentionHorizon(now, retentionDays), earliestWindow)));
  let total = 0;
  if (store.dialect === 'postgres') {
    const days = await foldDayPartitions(store, now, cutoff, chunkSize);
    if (days === null) return 0;
    total += days;
  }
  for (;;) {
    const folded = await store.transaction(async (tx) => {
      if (!(await tryJobLock(tx, 'retention'))) return 0;
      const rows = await tx.rows(oldReports, cutoff, chunkSize);
      for (const r of rows) await tx.execute(removeReport, r.deviceId, r.id);
      await foldIntoDays(tx, rows);
      if (rows.length === 0) {
        await tx.execute(dropOldServerMeasurements, cutoff);
        await forgetClampedReports(tx, cutoff);
      }
      return rows.length;
    });
    if (folded === 0) return total;
    total += folded;
  }
}

/**
 * PostgreSQL: makes the coming days' partitions, then folds each day before the cutoff whole and drops its
 * partition, a day per transaction under the retention lock. null when another server holds the lock.
 */
async function foldDayPartitions(store: Store, now: number, cutoff: number, chunkSize: number) {
  await ensureReportPartitions(store, now, cutoff);
  let total = 0;
  for (const partition of await reportDayPartitions(store)) {
    if (partition.to > cutoff) break;
    const folded = await store.transaction(async (tx) => {
      if (!(await tryJobLock(tx, 'retention'))) return null;
      if (!(await hasReportPartition(tx, partition))) return 0;
      const reports = await foldDay(tx, partition, chunkSize);
      await dropReportPartition(tx, partition);
      return reports;
    });
    if (folded === null) return total > 0 ? total : null;
    total += folded;
  }
  return total;
}

/** Folds every report of one day's partition into device_days, a chunk at a time in primary-key order. */
async function foldDay(tx: Store, partition: DayPartition, chunkSize: number): Promise<number> {
  let after: { deviceId: string; id: Buffer | string } = { deviceId: '', id: Buffer.alloc(0) };
  let reports = 0;
  for (;;) {
    const rows = await tx.rows(
      dayReports,
      partition.from,
      partition.to,
      after.deviceId,
      after.deviceId,
      after.id,
      chunkSize,
    );
    if (rows.length === 0) return reports;
    await foldIntoDays(tx, rows);
    reports += rows.length;
    after = rows[rows.length - 1]!;
  }
}

/** Adds reports to their devices' days in device_days; a day folded before (late arrivals) is merged. */
async function foldIntoDays(tx: Store, rows: OldReport[]): Promise<void> {
  const days = new Map<string, Folded>();
  for (const r of rows) {
    const day = localDay(r.at);
    const key = `${r.deviceId}|${day}`;
    const f = days.get(key) ?? { deviceId: r.deviceId, day, reports: 0, evidence: noEvidence, downSamples: [] };
    f.reports++;
    f.evidence = withReport(f.evidence, { collectedAt: r.at, online: r.online === 1, presenting: r.presenting });
    if (r.down !== null) f.downSamples.push(r.down);
    days.set(key, f);
  }
  for (const f of days.values()) {
    const before = await tx.row(readDay, f.deviceId, f.day);
    const evidence = toStored(before ? mergeEvidence(fromStored(before), f.evidence) : f.evidence);
    const downSamples = [...(before ? (JSON.parse(before.downSamples) as number[]) : []), ...f.downSamples];
    await tx.execute(
      writeDay,
      f.deviceId,
      f.day,
      f.reports + (before?.reports ?? 0),
      evidence.lastCollectedAt,
      evidence.lastReachableAt,
      evidence.lastPresentationAt,
      evidence.lastPresentationKind,
      JSON.stringify(downSamples),
    );
  }
}
