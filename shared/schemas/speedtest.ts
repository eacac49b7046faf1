import { z } from 'zod';

/** The server's answer to a request for a speed-test slot. */
export const speedtestSlotSchema = z.object({
  granted: z.boolean(),
  bytes: z.number().int().describe('how many bytes to download and upload in this test'),
  expiresAt: z.string().nullable().describe('the slot is released at this instant, or when the upload ends'),
  retryAfterSeconds: z.number().int().nullable().describe('when not granted: try again after this long'),
  reason: z.string().nullable(),
});
export type SpeedtestSlot = z.infer<typeof speedtestSlotSchema>;

export const MAX_SPEEDTEST_BYTES = 64 * 1024 * 1024;

export const speedtestDownloadQuerySchema = z.object({
  bytes: z.coerce
    .number()
    .int('bytes must be a whole number')
    .min(1, 'bytes must be at least 1')
    .max(MAX_SPEEDTEST_BYTES, `bytes must be at most ${MAX_SPEEDTEST_BYTES}`),
});

export const speedtestUploadResultSchema = z.object({
  bytes: z.number().int().describe('bytes the server received'),
  ms: z.number().describe('server-side time from first to last byte'),
});

/** Megabits per second from bytes moved in a time span; null when nothing measurable happened. */
export function mbps(bytes: number, ms: number): number | null {
  if (bytes <= 0 || ms <= 0) return null;
  return Math.round(((bytes * 8) / (ms / 1000) / 1e6) * 100) / 100;
}
