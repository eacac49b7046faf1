import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureThroughput, type Throughput } from './collect/throughput.ts';
import type { AgentContext } from './context.ts';
import { isMissingFile, writeFileDurable } from './durable-file.ts';
import { describeError } from './http.ts';
import { log } from './log.ts';

/** True when a speed test is due: enabled, in local school hours, and long enough since the last one. */
export function throughputDue(
  settings: { enabled: boolean; minIntervalHours: number; fromHour: number; toHour: number },
  now: number,
  lastAt: number | undefined,
): boolean {
  const hour = new Date(now).getHours();
  if (!settings.enabled || hour < settings.fromHour || hour >= settings.toHour) return false;
  return lastAt === undefined || now - lastAt >= settings.minIntervalHours * 3_600_000 || now < lastAt;
}

/** Runs a speed test when one is due and the server grants a slot; records when it last succeeded. */
export async function maybeMeasureThroughput(ctx: AgentContext, now: () => number): Promise<Throughput | undefined> {
  const file = join(ctx.stateDir, 'throughput.json');
  let lastAt: number | undefined;
  try {
    lastAt = (JSON.parse(await readFile(file, 'utf8')) as { lastAt?: number }).lastAt;
  } catch (error) {
    if (!isMissingFile(error) && !(error instanceof SyntaxError)) throw error;
  }
  if (!throughputDue(ctx.config.throughput, now(), lastAt)) return undefined;
  try {
    const measured = await measureThroughput(ctx.target, ctx.config.throughput.maxBytes, now);
    if (!measured) return undefined; // no slot now (another PC of the school is testing): next report tries again
    await writeFileDurable(file, JSON.stringify({ lastAt: now() }));
    return measured;
  } catch (error) {
    log('warn', 'speed test failed', { error: describeError(error) });
    return undefined;
  }
}
