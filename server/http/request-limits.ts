import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './app-env.ts';
import { defaultRequestLimits, type RequestLimits } from '../config.ts';
import { clientAddress } from './proxy.ts';
import { TokenBuckets, tooManyRequests } from './rate-limit.ts';

/** Routes that check their own, larger body limit: the global default must not reject them first. */
const ownBodyLimit = new Set(['/api/v1/reports', '/api/v1/speedtest/upload']);
const writes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Paths whose writes are rate limited per address (and, for reports, per device key); the OpenAPI document lists 429 for them. */
export const rateLimitedPaths: readonly string[] = ['/api/v1/enroll', '/login', '/api/v1/reports'];
const MINUTE = 60_000;

/**
 * A refusal (4xx, 5xx) of a write whose body was never read closes the connection. Kept open,
 * @hono/node-server would read and discard the body (up to 64 MiB) for the next request's sake: a flood's
 * refused bodies would cost their every byte (bench/flood/flood.ts, BENCHMARKS.md "Flood from one device").
 */
function closeIfUnread(c: Context<AppEnv>, response: Response): void {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (response.status >= 400 && incoming && !incoming.readableEnded) response.headers.set('connection', 'close');
}

/** Batches a device key may send back to back; the rest of its hourly budget comes one per refill. */
export const REPORT_BATCH_BURST = 10;

/**
 * One middleware in front of every route: rate limits on enroll, login and reports (per client address,
 * and per presented device key for report batches), then the default body limit, both before any
 * parsing or database work.
 */
export function requestLimits(limits: RequestLimits = defaultRequestLimits): MiddlewareHandler<AppEnv> {
  const enrollByIp = new TokenBuckets(limits.enrollPerIpPerMinute, MINUTE);
  const loginByIp = new TokenBuckets(limits.loginPerIpPerMinute, MINUTE);
  const reportsByIp = new TokenBuckets(limits.reportsPerIpPerMinute, MINUTE);
  // A key spends its hour's batches at most REPORT_BATCH_BURST at a time: a looping agent's whole hour at
  // once (60 batches of 500) stalled every other school's reports for ~2 s (bench/flood/flood.ts).
  const batchesByKey = new TokenBuckets(limits.reportBatchesPerDevicePerHour, 60 * MINUTE, {
    burst: REPORT_BATCH_BURST,
  });
  const defaultBodyLimit = bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: (c) =>
      c.json({ error: `a request body here is at most ${limits.maxBodyBytes} bytes`, code: 'body_too_large' }, 413),
  });
  return async (c, next) => {
    if (!writes.has(c.req.method)) return next();
    const path = c.req.path;
    const now = c.get('clock')();
    if (path === '/api/v1/enroll') {
      const wait = enrollByIp.take(clientAddress(c), now);
      if (wait) return tooManyRequests(c, wait, 'enrollments from this address');
    } else if (path === '/login') {
      const wait = loginByIp.take(clientAddress(c), now);
      if (wait) return tooManyRequests(c, wait, 'sign-in attempts from this address');
    } else if (path === '/api/v1/reports') {
      // Keyed on the key presented, before authentication, so a flood costs no hashing or lookup. The
      // device's own budget comes first, and a batch it refuses spends none of the address's: one
      // looping PC must not use up the budget of every PC behind its school's NAT (bench/flood/flood.ts).
      const key = /^Bearer\s+(\S+)/i.exec(c.req.header('authorization') ?? '')?.[1];
      const byKey = key ? batchesByKey.wait(key, now) : 0;
      if (byKey)
        return tooManyRequests(
          c,
          byKey,
          `report batches from this device (at most ${limits.reportBatchesPerDevicePerHour} an hour)`,
        );
      const byIp = reportsByIp.take(clientAddress(c), now);
      if (byIp) return tooManyRequests(c, byIp, 'report batches from this address');
      if (key) batchesByKey.take(key, now);
    }
    const response = await (ownBodyLimit.has(path) ? next() : defaultBodyLimit(c, next));
    // The route may have refused it too, before reading the body (a 401 for an unknown key, a 413).
    closeIfUnread(c, response ?? c.res);
    return response;
  };
}
