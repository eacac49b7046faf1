import { inTransaction, type Db } from '../db/client.ts';
import { loadCalendars } from '../coverage/closures.ts';
import { evidenceWindowStart, laterPresentation, type PresentationEvidence } from '../coverage/rules.ts';
import type { PresentationKind } from '../../shared/schemas/report.ts';
import { currentPlan } from '../plan/current.ts';
import { DAY_MS, localDay, startOfLocalDay } from '../time/china-time.ts';

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

interface Folded {
  reports: number;
  lastCollectedAt: number;
  lastReachableAt: number | null;
  lastPresentation: PresentationEvidence | null;
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
  const rules = currentPlan(db).coverage;
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
  // A day folded before (late arrivals) is merged: counts add, latest instants win, samples append.
  const upsert = db.$client.prepare(
    `insert into device_days (device_id, day, reports, last_collected_at, last_reachable_at, last_presentation_at, last_presentation_kind, down_samples)
     values (@deviceId, @day, @reports, @lastCollectedAt, @lastReachableAt, @lastPresentationAt, @lastPresentationKind, @downSamples)
     on conflict (device_id, day) do update set
       reports = reports + excluded.reports,
       last_collected_at = max(last_collected_at, excluded.last_collected_at),
       last_reachable_at = nullif(max(coalesce(last_reachable_at, 0), coalesce(excluded.last_reachable_at, 0)), 0),
       last_presentation_at = nullif(max(coalesce(last_presentation_at, 0), coalesce(excluded.last_presentation_at, 0)), 0),
       last_presentation_kind = case
         when excluded.last_presentation_at is null then last_presentation_kind
         when last_presentation_at is null or excluded.last_presentation_at > last_presentation_at then excluded.last_presentation_kind
         when excluded.last_presentation_at < last_presentation_at then last_presentation_kind
         -- the same instant: the kind rules.ts laterPresentation prefers (projector, interactive-panel, large-display)
         when (case excluded.last_presentation_kind when 'projector' then 0 when 'interactive-panel' then 1 else 2 end)
            < (case last_presentation_kind when 'projector' then 0 when 'interactive-panel' then 1 else 2 end) then excluded.last_presentation_kind
         else last_presentation_kind end,
       down_samples = (select json_group_array(value) from (
         select value from json_each(device_days.down_samples) union all select value from json_each(excluded.down_samples)))`,
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
      const days = new Map<string, Folded & { deviceId: string; day: string }>();
      for (const r of rows) {
        const day = localDay(r.at);
        const key = `${r.deviceId}|${day}`;
        const f = days.get(key) ?? {
          deviceId: r.deviceId,
          day,
          reports: 0,
          lastCollectedAt: r.at,
          lastReachableAt: null,
          lastPresentation: null,
          downSamples: [],
        };
        f.reports++;
        f.lastCollectedAt = Math.max(f.lastCollectedAt, r.at);
        if (r.online) f.lastReachableAt = Math.max(f.lastReachableAt ?? 0, r.at);
        if (r.online && r.presenting)
          f.lastPresentation = laterPresentation(f.lastPresentation, { at: r.at, kind: r.presenting });
        if (r.down !== null) f.downSamples.push(r.down);
        days.set(key, f);
        remove.run(r.deviceId, r.id);
      }
      for (const { lastPresentation, ...f } of days.values()) {
        upsert.run({
          ...f,
          lastPresentationAt: lastPresentation?.at ?? null,
          lastPresentationKind: lastPresentation?.kind ?? null,
          downSamples: JSON.stringify(f.downSamples),
        });
      }
    });
    total += rows.length;
  }
}
