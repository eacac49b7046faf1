import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../db/store.ts';
import { GroupCommitter } from './group-commit.ts';
import type { WriterAnswer, WriterData, WriterRequest } from './writer-thread.ts';

/*
 * The writer thread's side (decision 200): its own SQLite connection and a GroupCommitter over it. Batches come
 * from the server's thread already authenticated and validated; each is answered once the group holding it has
 * committed, exactly as on the server's thread. Asked to close, it answers what it holds, then closes.
 */
const { dataDir, retentionDays } = workerData as WriterData;
const port = parentPort!;
const store = await openStore({ dataDir });
const committer = new GroupCommitter(store, retentionDays);
let inFlight = 0;
let closing = false;

async function closeWhenIdle(): Promise<void> {
  if (!closing || inFlight > 0) return;
  await store.close();
  port.close();
}

/** Stores one batch and answers it, whatever happens: the server's thread waits for every answer. */
async function answer(message: WriterRequest): Promise<void> {
  inFlight++;
  let answered: WriterAnswer;
  try {
    answered = { id: message.id, result: await committer.submit(message.device, message.batch, message.receivedAt) };
  } catch (error) {
    answered = { id: message.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answered);
  inFlight--;
  await closeWhenIdle();
}

port.on('message', (message: WriterRequest | 'close') => {
  if (message !== 'close') return void answer(message);
  closing = true;
  void closeWhenIdle();
});
