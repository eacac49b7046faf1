import { mbps } from '../../shared/schemas/speedtest.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import type { Store } from '../db/store.ts';
import type { DownloadTiming } from './slots.ts';

/*
 * The server's own measurement of a speed test it served (decision 085). It needs no word of the agent:
 * the download is timed from its request to the upload's arrival — the agent sends the upload only once
 * it has read the download, so the bytes crossed the link within that span — and the upload from the
 * first to the last byte the server read. The figure is a little low by one round trip, and at most a
 * socket buffer high if an agent begins its upload before it has read the last bytes.
 */

/** Below this the round trip dominates the span and the server's figure would wrong a fast school. */
export const MIN_SERVER_MEASURED_BYTES = 1_000_000;

export interface ServerMeasurement {
  downBytes: number;
  downMbps: number | null;
  upBytes: number;
  upMbps: number | null;
}

/** The server's figures for one test: no download figure unless the download completed and was large enough. */
export function serverMeasurement(
  download: DownloadTiming | undefined,
  uploadArrivedAt: number,
  upload: { bytes: number; ms: number },
): ServerMeasurement {
  const counted = download !== undefined && download.done && download.sent >= MIN_SERVER_MEASURED_BYTES;
  return {
    downBytes: download?.sent ?? 0,
    downMbps: counted ? mbps(download.sent, uploadArrivedAt - download.startedAt) : null,
    upBytes: upload.bytes,
    upMbps: upload.bytes >= MIN_SERVER_MEASURED_BYTES ? mbps(upload.bytes, upload.ms) : null,
  };
}

/** Stores the server's measurement of a device's test and moves its school's figures on, in one transaction. */
export async function recordSpeedtest(
  store: Store,
  device: { id: string; schoolCode: string },
  measured: ServerMeasurement,
  finishedAt: number,
): Promise<void> {
  if (measured.downMbps === null && measured.upMbps === null) return;
  await store.transaction(async (tx) => {
    await tx.q.insert(tx.t.speedtests).values({ deviceId: device.id, finishedAt, ...measured });
    if (measured.downMbps !== null) await evaluateSchools(tx, [device.schoolCode], finishedAt, new Set([device.id]));
  });
}
