import { Worker } from 'node:worker_threads';
import type { StoreLocation } from '../db/store.ts';

// The task module runs on its own thread, through the server's one worker entry (it loads TypeScript there).
const workerFile = new URL('../typescript-worker.mjs', import.meta.url);
const taskModule = new URL('./maintenance-task.ts', import.meta.url).href;

/** A maintenance task for the worker thread, which opens its own connection to `database`. */
export interface MaintenanceTask {
  /** The SQLite data directory, or the PostgreSQL URL the servers share. */
  database: StoreLocation;
  task: 'snapshots' | 'retention';
  now: number;
  retentionDays: number;
}

/** Runs a maintenance task on a worker thread (which inherits the tsx loader) and resolves with its result. */
export function runMaintenance<T>(task: MaintenanceTask): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, { argv: [taskModule], workerData: task });
    let result: T | undefined;
    worker.once('message', (message: T) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 && result !== undefined
        ? resolve(result)
        : reject(new Error(`maintenance ${task.task} exited with ${code}`)),
    );
  });
}
