import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { reachabilitySchema } from '../../shared/schemas/report.ts';
import { describeError, type Dispatcher } from '../http.ts';

export type Reachability = z.input<typeof reachabilitySchema>;

/**
 * Probes a target without a `ping` binary (ICMP needs privileges and school firewalls drop it):
 * a URL is fetched through the agent's dispatcher, so a school behind a proxy is measured through
 * its proxy, and latency is the time to the response headers (connect + TLS + first byte);
 * a `host:port` target is a plain TCP connect, timed to the handshake.
 */
export async function probe(target: string, dispatcher: Dispatcher, timeoutMs = 10_000): Promise<Reachability> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    if (/^https?:\/\//i.test(target)) {
      const res = await dispatcher.request(target, { signal: AbortSignal.timeout(timeoutMs), timeoutMs });
      const latencyMs = elapsed();
      // The head is the measurement; the connection closes (every probe times a fresh connect).
      res.body.destroy();
      // A 4xx/5xx is most often the school proxy's block page, not the site: not evidence of reach.
      if (res.statusCode >= 400) return { target, reachable: false, latencyMs, error: `HTTP ${res.statusCode}` };
      return { target, reachable: true, latencyMs };
    }
    await tcpConnect(target, timeoutMs);
    return { target, reachable: true, latencyMs: elapsed() };
  } catch (error) {
    return { target, reachable: false, latencyMs: null, error: describeError(error).slice(0, 256) };
  }
}

function tcpConnect(target: string, timeoutMs: number): Promise<void> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  if (!m) return Promise.reject(new Error(`"${target}" is neither a URL nor host:port`));
  return new Promise((resolve, reject) => {
    const socket = connect({ host: m[1], port: Number(m[2]), timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no TCP answer within ${timeoutMs} ms`));
    });
    socket.once('error', reject);
  });
}

/** The internet is reachable when any internet target is; its latency is the best of them. */
export function summariseInternet(results: readonly Reachability[]): { reachable: boolean; latencyMs: number | null } {
  const reached = results.filter((r) => r.reachable && r.latencyMs !== null).map((r) => r.latencyMs as number);
  return { reachable: reached.length > 0, latencyMs: reached.length ? Math.min(...reached) : null };
}
