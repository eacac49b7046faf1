import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import {
  MAX_SPEEDTEST_BYTES,
  speedtestDownloadQuerySchema,
  speedtestSlotSchema,
  speedtestUploadResultSchema,
} from '../../shared/schemas/speedtest.ts';
import type { AppEnv } from '../http/app-env.ts';
import { deviceAuth } from '../auth/middleware.ts';
import { DomainError } from '../errors.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { recordSpeedtest, serverMeasurement } from '../speedtest/record.ts';
import { preciseNow, SpeedtestSlots, type Transfer } from '../speedtest/slots.ts';

// Incompressible payload, made once: a compressing proxy on the way must not flatter the link.
const noise = randomBytes(1024 * 1024);

/** Speed-test endpoints for agents: a per-school slot, then a download and an upload of `bytes`. */
export function speedtestRoutes(slots = new SpeedtestSlots()) {
  const startTransfer = async (c: Context<AppEnv>, transfer: Transfer, bytes: number) => {
    const refusal = await slots.startTransfer(c.get('store'), c.get('device'), transfer, bytes, c.get('clock')());
    if (refusal !== null) throw new DomainError('conflict', refusal.code, refusal.message);
  };
  return new Hono<AppEnv>()
    .use('/api/v1/speedtest/*', deviceAuth)
    .post('/api/v1/speedtest/slot', async (c) =>
      c.json(await slots.request(c.get('store'), c.get('device'), c.get('clock')())),
    )
    .get('/api/v1/speedtest/download', validate('query', speedtestDownloadQuerySchema), async (c) => {
      const { bytes } = c.req.valid('query');
      await startTransfer(c, 'download', bytes);
      const [store, device] = [c.get('store'), c.get('device')];
      let left = bytes;
      // How the download went is written to the slot as soon as it is known (its last byte handed over, or the
      // agent breaking off), before the agent can send its upload, perhaps to another server process.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const chunk = noise.subarray(0, Math.min(left, noise.length));
          left -= chunk.length;
          controller.enqueue(chunk);
          if (left > 0) return;
          await slots.endDownload(store, device, bytes, true);
          controller.close();
        },
        async cancel() {
          await slots.endDownload(store, device, bytes - left, false);
        },
      });
      return new Response(body, {
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(c.req.valid('query').bytes),
          'cache-control': 'no-store',
          'content-encoding': 'identity',
        },
      });
    })
    .post('/api/v1/speedtest/upload', async (c) => {
      const device = c.get('device');
      const arrivedAt = preciseNow();
      await startTransfer(c, 'upload', 0);
      const limit = Math.min(slots.grantedBytes, MAX_SPEEDTEST_BYTES);
      let bytes = 0;
      let first: number | null = null;
      let download;
      try {
        for await (const chunk of c.req.raw.body ?? []) {
          first ??= performance.now();
          bytes += chunk.length;
          if (bytes > limit)
            throw new DomainError(
              'too-large',
              'body_too_large',
              `a speed-test upload is at most ${limit} bytes, what the slot granted`,
            );
        }
      } finally {
        download = await slots.release(c.get('store'), device);
      }
      const upload = { bytes, ms: first === null ? 0 : Math.round((performance.now() - first) * 100) / 100 };
      // The server's own figures, kept beside whatever the agent will claim (decision 085).
      await recordSpeedtest(c.get('store'), device, serverMeasurement(download, arrivedAt, upload), c.get('clock')());
      return c.json(upload);
    });
}

const errors = { 401: { description: 'device key missing, unknown or revoked', schema: apiErrorSchema } };
export const speedtestDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/speedtest/slot',
    summary:
      "Ask for the school's speed-test slot (one device of a school tests at a time; a few tests per device a day)",
    tag: 'agent',
    auth: 'device-key',
    responses: {
      200: { description: 'granted, or refused with retryAfterSeconds', schema: speedtestSlotSchema },
      ...errors,
    },
  },
  {
    method: 'get',
    path: '/api/v1/speedtest/download',
    summary: 'Download `bytes` (at most what the slot granted) of incompressible data; once per slot',
    tag: 'agent',
    auth: 'device-key',
    query: speedtestDownloadQuerySchema,
    responses: {
      200: { description: 'the bytes', binary: true },
      400: { description: 'bad bytes', schema: apiErrorSchema },
      ...errors,
      409: {
        description: 'no slot held, its download already taken, or more bytes than granted',
        schema: apiErrorSchema,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/speedtest/upload',
    summary:
      'Upload bytes to be counted and discarded; ends the slot, and the server records its own measurement of the test',
    tag: 'agent',
    auth: 'device-key',
    responses: {
      200: { description: 'what the server received', schema: speedtestUploadResultSchema },
      ...errors,
      409: { description: 'no slot held', schema: apiErrorSchema },
      413: { description: 'too large', schema: apiErrorSchema },
    },
  },
];
