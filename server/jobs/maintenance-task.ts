import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../db/store.ts';
import { foldOldReports } from '../ingest/retention.ts';
import { takeDailySnapshots } from '../programme/history.ts';
import type { MaintenanceTask } from './maintenance.ts';

/*
 * Runs long maintenance (daily snapshots, retention folding) on its own thread and its own connection:
 * better-sqlite3 is synchronous, and on the main thread a recomputation over months of reports would stall
 * every request. WAL lets this thread read while the server writes; its writes are small transactions that
 * wait their turn (busy_timeout). On PostgreSQL the thread opens a pool of its own from the database URL.
 */
const { database, task, now, retentionDays } = workerData as MaintenanceTask;
const store = await openStore(database);
try {
  const result =
    task === 'snapshots'
      ? { days: await takeDailySnapshots(store, now) }
      : { folded: await foldOldReports(store, now, retentionDays) };
  parentPort!.postMessage(result);
} finally {
  await store.close();
}
