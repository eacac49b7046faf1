import { inTransaction, type Db } from '../db/client.ts';
import { loadCalendars } from '../coverage/county-calendars.ts';
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
import { currentPlanOnConnection } from '../plan/current-connection.ts';
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

/**
 * Folds reports past retention (and outside every evidence window) into device_days, a chunk per
 * transaction so ingest is never blocked for long. Returns the number of reports folded.
 */
export function foldOldReports(
  db: Db,
  now: number,
  retentionDays = DEFAULT_RETENTION_DAYS,
  chunkSize = 10_000,
): number {
  const rules = currentPlanOnConnection(db).coverage;
  const calendarOf = loadCalendars(db);
  const counties = db.$client.prepare(`select code from divisions where level = 'county'`).pluck().all() as string[];
  const earliestWindow = Math.min(now, ...counties.map((c) => evidenceWindowStart(rules, now, calendarOf(c))));
  // Whole local days only, so every folded day is complete and exact at its boundaries.
  const cutoff = startOfLocalDay(localDay(Math.min(retentionHorizon(now, retentionDays), earliestWindow)));
  const select = db.$client.prepare(
    `select id, device_id as deviceId, collected_at as at, internet_reachable as online, presentation_kind as presenting,
       case when down_flag is null then down_mbps end as down
     from reports where collected_at < ? order by collected_at limit ?`,
  );
  // A day folded before (late arrivals) is merged by the same rule as a new batch (school-figures.ts).
  const readDay = db.$client.prepare<[string, string], StoredEvidence & { reports: number; downSamples: string }>(
    `select reports, last_collected_at as lastCollectedAt, last_reachable_at as lastReachableAt,
       last_presentation_at as lastPresentationAt, last_presentation_kind as lastPresentationKind, down_samples as downSamples
     from device_days where device_id = ? and day = ?`,
  );
  const writeDay = db.$client.prepare(
    `insert or replace into device_days (device_id, day, reports, last_collected_at, last_reachable_at, last_presentation_at, last_presentation_kind, down_samples)
     values (@deviceId, @day, @reports, @lastCollectedAt, @lastReachableAt, @lastPresentationAt, @lastPresentationKind, @downSamples)`,
  );
  const remove = db.$client.prepare('delete from reports where device_id = ? and id = ?');
  // The server's own speed-test measurements (a few per device a day) go at the same horizon, unfolded:
  // they only ever count inside an evidence window, which folding never reaches.
  const dropOldServerMeasurements = db.$client.prepare('delete from speedtests where finished_at < ?');
  let total = 0;
  for (;;) {
    const rows = select.all(cutoff, chunkSize) as {
      id: string;
      deviceId: string;
      at: number;
      online: number;
      presenting: PresentationKind | null;
      down: number | null;
    }[];
    if (rows.length === 0) {
      dropOldServerMeasurements.run(cutoff);
      return total;
    }
    inTransaction(db, () => {
      const days = new Map<string, Folded>();
      for (const r of rows) {
        const day = localDay(r.at);
        const key = `${r.deviceId}|${day}`;
        const f = days.get(key) ?? { deviceId: r.deviceId, day, reports: 0, evidence: noEvidence, downSamples: [] };
        f.reports++;
        f.evidence = withReport(f.evidence, { collectedAt: r.at, online: r.online === 1, presenting: r.presenting });
        if (r.down !== null) f.downSamples.push(r.down);
        days.set(key, f);
        remove.run(r.deviceId, r.id);
      }
      for (const f of days.values()) {
        const before = readDay.get(f.deviceId, f.day);
        const evidence = before ? mergeEvidence(fromStored(before), f.evidence) : f.evidence;
        writeDay.run({
          deviceId: f.deviceId,
          day: f.day,
          reports: f.reports + (before?.reports ?? 0),
          ...toStored(evidence),
          downSamples: JSON.stringify([
            ...(before ? (JSON.parse(before.downSamples) as number[]) : []),
            ...f.downSamples,
          ]),
        });
      }
    });
    total += rows.length;
  }
}
