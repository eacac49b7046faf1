import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Report, ReportBatchResult } from '../../shared/schemas/report.ts';
import type { ReportCommitter } from './group-commit.ts';
import type { ReportingDevice } from './reports.ts';

/*
 * On SQLite, report batches commit on a thread of their own (issue 15 item 2, decision 200). better-sqlite3 is
 * synchronous: on the server's thread, each group commit's evaluation and fsync stopped every other request for
 * their duration, so coverage reads beside full ingest waited behind writes. Here the server's thread only
 * authenticates, parses and validates a batch, then hands it over; the writer thread stores it with the same
 * GroupCommitter on its own connection, and WAL lets the server's thread read beside it. A batch is still answered
 * only after its group has committed.
 */

// The task module runs on its own thread, through the server's one worker entry (it loads TypeScript there).
const workerFile = new URL('../typescript-worker.mjs', import.meta.url);
const taskModule = new URL('./writer-task.ts', import.meta.url).href;

/** What the writer thread opens. */
export interface WriterData {
  dataDir: string;
  retentionDays: number | undefined;
}

/** A batch handed to the writer thread. */
export interface WriterRequest {
  id: number;
  device: ReportingDevice;
  batch: Report[];
  receivedAt: number;
}

/** The writer thread's answer to one batch: its result once committed, or why it was not stored. */
export type WriterAnswer = { id: number; result: ReportBatchResult } | { id: number; error: string };

/** A batch the writer thread could not answer: it stopped (and is started again) or the server is closing. */
export class IngestWriterStoppedError extends Error {}

interface Waiting {
  resolve: (result: ReportBatchResult) => void;
  reject: (error: unknown) => void;
}

export class WriterThread implements ReportCommitter {
  #worker: Worker | undefined;
  #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #closed = false;

  /**
   * The thread starts with the first batch, not with the server: loading the server's code a second time costs
   * ~1.5 s of CPU, which a server that takes no reports (a dashboard-only process, most tests) need not pay; the
   * first batch waits for it instead.
   */
  constructor(
    private readonly data: WriterData,
    /** Told when the thread stopped unasked, with why. */
    private readonly stopped: (error: Error) => void = () => undefined,
  ) {}

  submit(device: ReportingDevice, batch: Report[], receivedAt: number): Promise<ReportBatchResult> {
    if (this.#closed)
      return Promise.reject(new IngestWriterStoppedError('the server is shutting down; send the batch again later'));
    const worker = this.#worker ?? this.#start();
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, device, batch, receivedAt } satisfies WriterRequest);
    });
  }

  /** Lets the thread answer what it holds, then ends it. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage('close');
    await exited;
  }

  #start(): Worker {
    const worker = new Worker(workerFile, { argv: [taskModule], workerData: this.data satisfies WriterData });
    this.#worker = worker;
    worker.on('message', (answer: WriterAnswer) => {
      const waiting = this.#waiting.get(answer.id);
      if (!waiting) return;
      this.#waiting.delete(answer.id);
      if ('result' in answer) waiting.resolve(answer.result);
      else waiting.reject(new Error(`storing the batch failed: ${answer.error}`));
    });
    worker.on('error', (error) => this.#ended(worker, error));
    worker.on('exit', (code) => this.#ended(worker, new Error(`the writer thread exited with code ${code}`)));
    return worker;
  }

  /**
   * The thread ended: whatever it had not answered is refused as not stored. Some of it may have committed; the
   * agent sends it again and report ids make that count once. The next batch starts a new thread.
   */
  #ended(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting)
      w.reject(new IngestWriterStoppedError(`the report writer stopped (${error.message}); send the batch again`));
    if (!this.#closed) this.stopped(error);
  }
}
