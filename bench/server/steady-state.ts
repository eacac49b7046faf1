import Database from 'better-sqlite3';
import { openDatabaseFile } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { DEFAULT_RETENTION_DAYS, foldOldReports } from '../../server/ingest/retention.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';

/*
 * Issue 6 asks for the national database's steady-state size under the retention rule: raw reports for
 * 180 days, older ones folded into one row per device and day (server/ingest/retention.ts). Nobody can
 * generate 180 days of a whole country here (decision 040), so the size is worked out from figures this
 * run measures: bytes per stored report and bytes of the registry and derived tables (the national
 * database), and bytes per folded device-day (the prefecture's 30 days of history, folded for real by
 * the server's own retention code on the run's working copy). The assumptions are printed beside it.
 */
export interface FoldingFigures {
  reportsFolded: number;
  deviceDays: number;
  /** Pages of device_days and its primary-key index, per row. */
  bytesPerDeviceDay: number;
  foldMs: number;
}

/**
 * Folds the oldest `share` of a working copy's reports (whole local days, as retention does) the way
 * retention would once they are old, and measures the rows that leaves. A share sizes a device-day as
 * well as the whole and takes a fraction of the time.
 */
export async function measureFolding(file: string, share = 1): Promise<FoldingFigures> {
  const db = openDatabaseFile(file);
  try {
    const count = db.$client.prepare('select count(*) from reports').pluck().get() as number;
    const last = db.$client.prepare('select max(collected_at) from reports').pluck().get() as number | null;
    const nth = db.$client.prepare('select collected_at from reports order by collected_at limit 1 offset ?').pluck();
    // Retention's horizon at that report (past the last one for the whole), every evidence window beyond it.
    const horizon = share >= 1 ? (last ?? 0) + DAY_MS : (nth.get(Math.floor(count * share)) as number);
    const later = horizon + DEFAULT_RETENTION_DAYS * DAY_MS;
    const started = performance.now();
    const reportsFolded = await foldOldReports(sqliteStore(db), later);
    const foldMs = performance.now() - started;
    const deviceDays = db.$client.prepare('select count(*) from device_days').pluck().get() as number;
    return {
      reportsFolded,
      deviceDays,
      bytesPerDeviceDay: tableBytes(db.$client, 'device_days') / Math.max(1, deviceDays),
      foldMs,
    };
  } finally {
    db.$client.close();
  }
}

/** Bytes of a table's pages and its indexes' (SQLite's dbstat). */
function tableBytes(sqlite: Database.Database, table: string): number {
  const names = sqlite
    .prepare("select name from sqlite_master where tbl_name = ? and type in ('table', 'index')")
    .pluck()
    .all(table) as string[];
  return sqlite
    .prepare(`select coalesce(sum(pgsize), 0) from dbstat where name in (${names.map(() => '?').join(',')})`)
    .pluck()
    .get(...names) as number;
}

/** What a country's PCs store: the assumptions, stated where the estimate is printed. */
export const steadyStateAssumptions = {
  /** Hourly during school hours 08:00–17:00 (DOMAIN.md: PCs are off at night), as the generator plays them. */
  reportsPerSchoolDay: 10,
  /** China's school year: about 38 teaching weeks of 5 days. */
  schoolDaysPerYear: 190,
  retentionDays: DEFAULT_RETENTION_DAYS,
};

export interface SteadyState {
  rawReports: number;
  rawBytes: number;
  registryBytes: number;
  deviceDaysPerYear: number;
  foldedBytesPerYear: number;
}

/** The national database after the retention period has filled: raw reports kept, folded rows added per year. */
export function nationalSteadyState(
  devices: number,
  bytesPerReport: number,
  registryBytes: number,
  bytesPerDeviceDay: number,
): SteadyState {
  const { reportsPerSchoolDay, schoolDaysPerYear, retentionDays } = steadyStateAssumptions;
  const schoolDaysRetained = (schoolDaysPerYear * retentionDays) / 365;
  const rawReports = devices * reportsPerSchoolDay * schoolDaysRetained;
  const deviceDaysPerYear = devices * schoolDaysPerYear;
  return {
    rawReports,
    rawBytes: rawReports * bytesPerReport,
    registryBytes,
    deviceDaysPerYear,
    foldedBytesPerYear: deviceDaysPerYear * bytesPerDeviceDay,
  };
}
