import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { Agent, request } from 'undici';
import type { Store } from '../db/store.ts';
import { SERVER_VERSION } from '../version.ts';
import { DAY_MS as DAY } from '../../shared/time/china-time.ts';

/*
 * The server measures what it can of the two platforms: whether each URL answers. Redirects are followed
 * only on the same host name, so a platform whose address now bounces to a parking page or a login on
 * someone else's domain does not count as reachable.
 */

/** 30-day uptime needs 30 days of probes; a few more let an operator look back past a month boundary. */
export const PROBE_RETENTION_DAYS = 35;
const MAX_REDIRECTS = 5;

export interface ProbeResult {
  up: boolean;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
}

/*
 * Up: an answer a working platform gives. 2xx and 3xx, and 401/403 too, because management platforms
 * answer strangers with a login wall; 404 (wrong URL) and 5xx (broken) are down.
 */
const answersUp = (status: number) => (status >= 200 && status < 400) || status === 401 || status === 403;

function describeError(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  return code ? `${code}: ${message}` : message;
}

/** Probes one URL: GET, same-host redirects followed, the whole exchange within timeoutMs. */
export async function probeUrl(url: string, options: { timeoutMs: number; dispatcher?: Agent }): Promise<ProbeResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const started = performance.now();
  let target = new URL(url);
  const host = target.hostname;
  try {
    for (let hop = 0; ; hop++) {
      const response = await request(target, {
        method: 'GET',
        signal,
        dispatcher: options.dispatcher,
        headers: { 'user-agent': `santong-probe/${SERVER_VERSION}`, accept: 'text/html,*/*' },
      });
      // Read (and drop) a little of the body so the connection is released; a platform page is not evidence.
      await response.body.dump({ limit: 64 * 1024 });
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
        const next = new URL(location, target);
        if (next.hostname !== host) {
          return {
            up: false,
            statusCode: response.statusCode,
            latencyMs,
            error: `redirected off-host to ${next.origin}; not followed`,
          };
        }
        if (hop >= MAX_REDIRECTS)
          return {
            up: false,
            statusCode: response.statusCode,
            latencyMs,
            error: `more than ${MAX_REDIRECTS} redirects`,
          };
        target = next;
        continue;
      }
      return {
        up: answersUp(response.statusCode),
        statusCode: response.statusCode,
        latencyMs,
        error: answersUp(response.statusCode) ? null : `HTTP ${response.statusCode}`,
      };
    }
  } catch (error) {
    return {
      up: false,
      statusCode: null,
      latencyMs: null,
      error: describeError(error, signal.aborted, options.timeoutMs),
    };
  }
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Whether the platform has a probe recorded at or after `since` (by this server or another). */
async function probedSince(store: Store, platformId: number, since: number): Promise<boolean> {
  const { platformProbes } = store.t;
  const [probe] = await store.q
    .select({ id: platformProbes.id })
    .from(platformProbes)
    .where(and(eq(platformProbes.platformId, platformId), gte(platformProbes.at, since)))
    .limit(1);
  return probe !== undefined;
}

/**
 * Stores one probe and recomputes the platform's status (last probe, uptime 7/30 days, median latency) from the
 * probes kept. The probe (the network) is taken before, outside the transaction. Nothing is recorded (false) for
 * a platform removed meanwhile, nor, given `round` (a schedule's instant), for one another server already
 * recorded a probe of since that instant: the transaction checks and writes as if alone (SERIALIZABLE on
 * PostgreSQL, decision 186), so a schedule's probe of a platform is stored once however many servers run it.
 */
export async function recordProbe(
  store: Store,
  platformId: number,
  result: ProbeResult,
  at: number,
  round?: number,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const { platforms, platformProbes, platformStatus } = tx.t;
    const registered = await tx.q.select({ id: platforms.id }).from(platforms).where(eq(platforms.id, platformId));
    if (registered.length === 0) return false;
    if (round !== undefined && (await probedSince(tx, platformId, round))) return false;
    await tx.q.insert(platformProbes).values({ platformId, at, ...result });
    const recent = await tx.q
      .select()
      .from(platformProbes)
      .where(and(eq(platformProbes.platformId, platformId), gte(platformProbes.at, at - 30 * DAY)))
      .orderBy(asc(platformProbes.at), asc(platformProbes.id));
    const last = recent.at(-1)!;
    const week = recent.filter((p) => p.at >= last.at - 7 * DAY);
    const uptime = (probes: typeof recent) =>
      probes.length === 0 ? null : probes.filter((p) => p.up).length / probes.length;
    const status = {
      lastProbeAt: last.at,
      up: last.up,
      statusCode: last.statusCode,
      error: last.error,
      uptime7d: uptime(week),
      uptime30d: uptime(recent),
      medianLatencyMs: median(week.filter((p) => p.up && p.latencyMs !== null).map((p) => p.latencyMs!)),
      probes30d: recent.length,
    };
    await tx.q
      .insert(platformStatus)
      .values({ platformId, ...status })
      .onConflictDoUpdate({ target: platformStatus.platformId, set: status });
    return true;
  });
}

/**
 * Probes every registered platform (a few at a time), records the results and prunes probes past retention;
 * results in id order. A scheduled run gives its schedule's instant (`round`): a platform another server already
 * probed since then is left out (when it recorded first, this server's probe is dropped: see recordProbe).
 */
export async function runPlatformProbes(
  store: Store,
  options: { clock: () => number; timeoutMs: number; concurrency?: number; round?: number },
) {
  const { platforms, platformProbes } = store.t;
  const list = await store.q
    .select({ id: platforms.id, url: platforms.url })
    .from(platforms)
    .orderBy(asc(platforms.id));
  // One short-lived agent per run: every probe opens its own connection, so latency includes the connect.
  const dispatcher = new Agent({
    keepAliveTimeout: 1,
    keepAliveMaxTimeout: 1,
    connect: { timeout: options.timeoutMs },
  });
  const results: ({ platformId: number; result: ProbeResult } | undefined)[] = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const index = next++;
      const platform = list[index]!;
      if (options.round !== undefined && (await probedSince(store, platform.id, options.round))) continue;
      const at = options.clock();
      // The network first, then the record: no transaction is open while a platform is slow to answer.
      const result = await probeUrl(platform.url, { timeoutMs: options.timeoutMs, dispatcher });
      if (await recordProbe(store, platform.id, result, at, options.round))
        results[index] = { platformId: platform.id, result };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, list.length) }, worker));
  } finally {
    await dispatcher.destroy();
  }
  await store.q.delete(platformProbes).where(lt(platformProbes.at, options.clock() - PROBE_RETENTION_DAYS * DAY));
  return results.filter((r) => r !== undefined);
}
