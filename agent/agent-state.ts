import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissingFile, writeFileDurable } from './durable-file.ts';
import type { DeliveryResult } from './send.ts';

/** What `status` shows about delivery: kept in the state dir, written after every attempt. */
export type DeliveryState = {
  lastAttemptAt?: string;
  lastDeliveredAt?: string;
  lastResult?: DeliveryResult['state'];
  lastError?: string;
};

/** Reads the delivery state, empty when there has been no attempt yet. */
export async function readDeliveryState(stateDir: string): Promise<DeliveryState> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'delivery.json'), 'utf8')) as DeliveryState;
  } catch (error) {
    if (isMissingFile(error) || error instanceof SyntaxError) return {};
    throw error;
  }
}

/** Records the outcome of a delivery attempt made at `now`. */
export async function recordDelivery(stateDir: string, result: DeliveryResult, now: number): Promise<void> {
  const previous = await readDeliveryState(stateDir);
  const at = new Date(now).toISOString();
  const next: DeliveryState = {
    lastAttemptAt: at,
    lastResult: result.state,
    ...(result.state === 'done'
      ? { lastDeliveredAt: at }
      : previous.lastDeliveredAt
        ? { lastDeliveredAt: previous.lastDeliveredAt }
        : {}),
    ...(result.error ? { lastError: result.error } : {}),
  };
  await writeFileDurable(join(stateDir, 'delivery.json'), JSON.stringify(next));
}
