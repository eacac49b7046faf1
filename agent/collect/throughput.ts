import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { throughputSchema } from '../../shared/schemas/report.ts';
import type { Dispatcher, HttpResponse } from '../http.ts';
import { mbps, speedtestSlotSchema, speedtestUploadResultSchema } from '../../shared/schemas/speedtest.ts';

export type Throughput = z.input<typeof throughputSchema>;
export type SpeedtestTarget = { serverUrl: string; deviceKey: string; dispatcher: Dispatcher };

/**
 * Measures download and upload against the santong server's speed-test endpoints (see the report for
 * their shapes). The server hands out test slots, so forty PCs of one school never saturate its link
 * together: no slot, no test. Timed from the first byte, so connection set-up does not count as slowness.
 */
export async function measureThroughput(
  t: SpeedtestTarget,
  bytes: number,
  now: () => number = Date.now,
): Promise<Throughput | null> {
  const headers = { authorization: `Bearer ${t.deviceKey}` };
  const slot = await t.dispatcher.request(new URL('/api/v1/speedtest/slot', t.serverUrl), {
    method: 'POST',
    headers,
    signal: AbortSignal.timeout(15_000),
  });
  const grant = speedtestSlotSchema.safeParse(await readJson(slot));
  if (slot.statusCode !== 200 || !grant.success || !grant.data.granted) return null;
  const size = Math.min(bytes, grant.data.bytes);
  // Made before the download: the server times its download from the request to this upload's arrival.
  const payload = randomBytes(size); // random, so a compressing proxy cannot flatter the link

  const down = await t.dispatcher.request(new URL(`/api/v1/speedtest/download?bytes=${size}`, t.serverUrl), {
    headers,
    signal: AbortSignal.timeout(120_000),
  });
  let received = 0;
  let firstByteAt: number | undefined;
  for await (const chunk of down.body) {
    firstByteAt ??= performance.now();
    received += (chunk as Buffer).length;
  }
  const downMs = firstByteAt === undefined ? 0 : performance.now() - firstByteAt;

  const upStart = performance.now();
  const up = await t.dispatcher.request(new URL('/api/v1/speedtest/upload', t.serverUrl), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: payload,
    signal: AbortSignal.timeout(120_000),
  });
  const clientMs = performance.now() - upStart;
  // The server times the upload from its first to last byte received: closer to the link than the
  // client's clock, which also counts buffering before the first byte leaves the PC.
  const counted = speedtestUploadResultSchema.safeParse(await readJson(up));
  const upMs = counted.success && counted.data.ms > 0 && counted.data.bytes === size ? counted.data.ms : clientMs;

  return {
    downMbps: down.statusCode === 200 ? mbps(received, downMs) : null,
    upMbps: up.statusCode >= 200 && up.statusCode < 300 ? mbps(size, upMs) : null,
    measuredAt: new Date(now()).toISOString(),
    bytesDown: received,
    bytesUp: size,
  };
}

/** The body as JSON, or undefined when it is not JSON or the connection broke. */
async function readJson(res: HttpResponse): Promise<unknown> {
  try {
    return JSON.parse(await res.text());
  } catch {
    return undefined;
  }
}
