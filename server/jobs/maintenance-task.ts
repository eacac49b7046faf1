import { parentPort, workerData } from 'node:worker_threads';
import { openDatabaseFile } from '../db/client.ts';
import { foldOldReports } from '../ingest/retention.ts';
import { takeDailySnapshots } from '../programme/history.ts';

/*
 * Runs long maintenance (daily snapshots, retention folding) on its own thread and its own SQLite
 * connection: better-sqlite3 is synchronous, and on the main thread a recomputation over months of
 * reports would stall every request. WAL lets this thread read while the server writes; its writes are
 * small transactions that wait their turn (busy_timeout).
 */
export interface MaintenanceTask {
  file: string;
  task: 'snapshots' | 'retention';
  now: number;
  retentionDays: number;
}

const { file, task, now, retentionDays } = workerData as MaintenanceTask;
const db = openDatabaseFile(file);
try {
  const result =
    task === 'snapshots' ? { days: takeDailySnapshots(db, now) } : { folded: foldOldReports(db, now, retentionDays) };
  parentPort!.postMessage(result);
} finally {
  db.$client.close();
}
