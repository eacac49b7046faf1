import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measureThroughput, type Throughput } from './collect/throughput.ts';
import type { AgentContext } from './context.ts';
import { isMissingFile, writeFileDurable } from './durable-file.ts';
import { describeError } from './http.ts';
import { log } from './log.ts';
import type { SpeedSkipReason } from './report-summary.ts';

type ThroughputSettings = { enabled: boolean; minIntervalHours: number; fromHour: number; toHour: number };

/** Why no speed test is due now (disabled, outside local school hours, measured too recently), or null when one is. */
export function throughputSkip(s: ThroughputSettings, now: number, lastAt: number | undefined): SpeedSkipReason | null {
  const hour = new Date(now).getHours();
  if (!s.enabled) return 'disabled';
  if (hour < s.fromHour || hour >= s.toHour) return 'outside-hours';
  const due = lastAt === undefined || now - lastAt >= s.minIntervalHours * 3_600_000 || now < lastAt;
  return due ? null : 'not-due';
}

/** True when a speed test is due: enabled, in local school hours, and long enough since the last one. */
export function throughputDue(s: ThroughputSettings, now: number, lastAt: number | undefined): boolean {
  return throughputSkip(s, now, lastAt) === null;
}

/** A speed test's figures, or why there are none. */
export type SpeedOutcome = { measured: Throughput } | { skipped: SpeedSkipReason };

/**
 * Runs a speed test when one is due and the server grants a slot; records when it last succeeded. `now` asked
 * (`once --speed-test`, an IT teacher on site) skips the hours and interval, never a setting that turned tests off.
 */
export async function maybeMeasureThroughput(
  ctx: AgentContext,
  now: () => number,
  asked = false,
): Promise<SpeedOutcome> {
  const file = join(ctx.stateDir, 'throughput.json');
  let lastAt: number | undefined;
  try {
    lastAt = (JSON.parse(await readFile(file, 'utf8')) as { lastAt?: number }).lastAt;
  } catch (error) {
    if (!isMissingFile(error) && !(error instanceof SyntaxError)) throw error;
  }
  const skip = throughputSkip(ctx.config.throughput, now(), lastAt);
  if (skip === 'disabled' || (skip && !asked)) return { skipped: skip };
  try {
    const measured = await measureThroughput(ctx.target, ctx.config.throughput.maxBytes, now);
    // No slot now (another PC of the school is testing): the next report tries again.
    if (!measured) return { skipped: 'no-slot' };
    await writeFileDurable(file, JSON.stringify({ lastAt: now() }));
    return { measured };
  } catch (error) {
    log('warn', 'speed test failed', { error: describeError(error) });
    return { skipped: 'failed' };
  }
}
