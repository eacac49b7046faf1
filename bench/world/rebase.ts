import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../server/db/client.ts';
import { localDay } from '../../shared/time/china-time.ts';

/*
 * A cached database was generated as of some past instant. Run against it hours or days later, every
 * PC would have gone quiet and the first read would re-evaluate the whole country. So a run shifts
 * every timestamp by the cache's age first: ages relative to "now" are then what the generator made,
 * and the derived status rows stay exact (every rule depends on ages only; there are no closures).
 */
const timeColumns: Record<string, string[]> = {
  reports: ['collected_at', 'received_at'],
  devices: ['enrolled_at'],
  device_status: ['last_collected_at', 'last_received_at', 'last_reachable_at', 'last_presentation_at'],
  classroom_status: ['last_evidence_at'],
  school_status: ['last_reachable_at', 'evaluated_at', 'next_change_at'],
  division_rollups: ['updated_at'],
  deployment: ['chosen_at'],
  schools: ['created_at', 'updated_at'],
  api_tokens: ['created_at'],
};

/**
 * Whether a cache generated at `generatedAt` must be shifted to be run at `now`: older than an hour, or
 * from another China-time day (the server would backfill a daily snapshot from every raw report at start).
 */
export function needsRebase(generatedAt: number, now: number): boolean {
  return now - generatedAt > 3_600_000 || localDay(generatedAt) !== localDay(now);
}

/** Shifts every timestamp of a (throwaway working copy of a) generated database by deltaMs. */
export function rebaseDatabase(file: string, deltaMs: number): void {
  const sqlite = new Database(file);
  try {
    // The working copy is discarded if this fails half-way, so nothing needs to reach the disk in order.
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -1000000');
    sqlite.transaction(() => {
      for (const [table, columns] of Object.entries(timeColumns)) {
        sqlite
          .prepare(`update ${table} set ${columns.map((c) => `${c} = ${c} + ?`).join(', ')}`)
          .run(...columns.map(() => deltaMs));
      }
    })();
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}

/**
 * A fresh working copy of a cached database in `work` (emptied first), shifted to now when it must be: runs write
 * into the copy, never into the cache. Returns the copy's file and how long the shift took (null: none was needed).
 */
export function workingCopy(
  cached: { file: string; generatedAt: number },
  work: string,
  log: (line: string) => void = () => {},
): { workFile: string; rebaseMs: number | null } {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const workFile = path.join(work, DATABASE_FILE);
  log('copying the cached database to a working copy');
  fs.copyFileSync(cached.file, workFile);
  const now = Date.now();
  if (!needsRebase(cached.generatedAt, now)) return { workFile, rebaseMs: null };
  const started = performance.now();
  rebaseDatabase(workFile, now - cached.generatedAt);
  const rebaseMs = performance.now() - started;
  log(
    `timestamps shifted by ${((now - cached.generatedAt) / 3_600_000).toFixed(1)} h in ${(rebaseMs / 1000).toFixed(1)} s`,
  );
  return { workFile, rebaseMs };
}
