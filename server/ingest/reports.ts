import { eq } from 'drizzle-orm';
import { presentationDisplayKinds, type Report, type ReportBatchResult } from '../../shared/schemas/report.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { deviceStatus, reports } from '../db/schema.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';

export interface ReportingDevice {
  id: string;
  schoolCode: string;
}

/**
 * Stores a batch of reports from one device exactly once and moves its school's figures on, all in one
 * transaction: when this returns, the batch and the figures it changed are on disk together.
 * A report id seen before is acknowledged as a duplicate and changes nothing. `collectedAt` later than
 * the server's receive time is clamped to it and flagged (a PC clock running ahead must not make
 * evidence look newer than it is).
 */
export function ingestReports(db: Db, device: ReportingDevice, batch: Report[], receivedAt: number): ReportBatchResult {
  return inTransaction(db, () => {
    let accepted = 0;
    let clamped = 0;
    let lastCollectedAt: number | null = null;
    let lastReachableAt: number | null = null;
    let lastPresentationAt: number | null = null;
    let newest: { at: number; agentVersion: string } | null = null;

    for (const report of batch) {
      let collectedAt = Date.parse(report.collectedAt);
      const future = collectedAt > receivedAt;
      if (future) collectedAt = receivedAt;
      const reachable = report.network.internet.reachable;
      const presentation = report.displays.some((d) => presentationDisplayKinds.includes(d.kind));
      const throughput = report.network.throughput;
      const inserted = db
        .insert(reports)
        .values({
          id: report.id,
          deviceId: device.id,
          collectedAt,
          receivedAt,
          collectedAtClamped: future,
          schemaVersion: report.schemaVersion,
          agentVersion: report.agentVersion,
          internetReachable: reachable,
          latencyMs: report.network.internet.latencyMs,
          downMbps: throughput?.downMbps ?? null,
          upMbps: throughput?.upMbps ?? null,
          presentationDisplay: presentation,
          body: report,
        })
        .onConflictDoNothing({ target: reports.id })
        .run();
      if (inserted.changes === 0) continue;
      accepted++;
      if (future) clamped++;
      lastCollectedAt = latest(lastCollectedAt, collectedAt);
      if (reachable) lastReachableAt = latest(lastReachableAt, collectedAt);
      if (reachable && presentation) lastPresentationAt = latest(lastPresentationAt, collectedAt);
      if (!newest || collectedAt >= newest.at) newest = { at: collectedAt, agentVersion: report.agentVersion };
    }

    if (accepted > 0) {
      const status = db.select().from(deviceStatus).where(eq(deviceStatus.deviceId, device.id)).get();
      const newestIsLatest = newest !== null && newest.at >= (status?.lastCollectedAt ?? 0);
      db.update(deviceStatus)
        .set({
          lastCollectedAt: latest(status?.lastCollectedAt, lastCollectedAt),
          lastReceivedAt: receivedAt,
          lastReachableAt: latest(status?.lastReachableAt, lastReachableAt),
          lastPresentationAt: latest(status?.lastPresentationAt, lastPresentationAt),
          agentVersion: newestIsLatest ? newest!.agentVersion : (status?.agentVersion ?? null),
        })
        .where(eq(deviceStatus.deviceId, device.id))
        .run();
      evaluateSchools(db, [device.schoolCode], receivedAt);
    }
    return { accepted, duplicates: batch.length - accepted, clamped };
  });
}

function latest(a: number | null | undefined, b: number | null): number | null {
  if (a === null || a === undefined) return b;
  return b === null || a >= b ? a : b;
}
