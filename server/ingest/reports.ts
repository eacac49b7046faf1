import type { Report, ReportBatchResult } from '../../shared/schemas/report.ts';
import { statement, type Param, type Store } from '../db/store.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { presentationKindOf } from '../coverage/rules.ts';
import {
  fromStored,
  mergeEvidence,
  noEvidence,
  toStored,
  withReport,
  type DeviceEvidence,
  type StoredEvidence,
} from '../coverage/school-figures.ts';
import { claimFlag } from '../coverage/plausibility.ts';
import { encodeReportBody } from '../db/report-body.ts';
import { encodeReportId } from '../db/report-id.ts';
import { multiRowChunks, multiRowStatements } from '../db/multi-row.ts';
import { DEFAULT_RETENTION_DAYS, retentionHorizon } from './retention.ts';

export interface ReportingDevice {
  id: string;
  schoolCode: string;
  /** Reporting under the new key of a re-enrolled PC: this batch retires the previous key (decision 065). */
  confirmsNewKey?: boolean;
}

interface StoredStatus extends StoredEvidence {
  agentVersion: string | null;
}

// The hot path's statements (ingest runs them for every report), prepared once per connection (decision 186).
type Flag = 0 | 1;
type Measure = number | null;
/** A report's row, in the order of REPORT_COLUMNS. */
type ReportRow = [
  Buffer | string,
  string,
  number,
  number,
  Flag,
  number,
  string,
  Flag,
  Measure,
  Measure,
  Measure,
  Flag,
  string | null,
  Buffer,
  string | null,
];
const REPORT_COLUMNS = `id, device_id, collected_at, received_at, collected_at_clamped, schema_version, agent_version,
  internet_reachable, latency_ms, down_mbps, up_mbps, presentation_display, presentation_kind, body, down_flag`;
/** A batch's reports, a few rows a statement (server/db/multi-row.ts), each answering the ids it stored. */
const insertReports = multiRowStatements<{ id: Buffer | string }>(
  15,
  (values) => `insert into reports (${REPORT_COLUMNS}) values ${values} on conflict do nothing returning id`,
);

/** The bytes of a report id as stored, whichever form a driver hands back (a string id is its UTF-8 bytes). */
const idKey = (id: Buffer | Uint8Array | string): string =>
  (typeof id === 'string' ? Buffer.from(id, 'utf8') : Buffer.from(id.buffer, id.byteOffset, id.byteLength)).toString(
    'hex',
  );

/** Inserts `rows`, a duplicate (device, id) skipped; answers the keys (idKey) of the ids stored. */
async function insertReportRows(tx: Store, rows: ReportRow[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const chunk of multiRowChunks(rows))
    for (const { id } of await tx.rows(insertReports(chunk.length), ...chunk.flat())) stored.add(idKey(id));
  return stored;
}

const readStatus = statement<StoredStatus, [string]>(
  `select last_collected_at as "lastCollectedAt", last_reachable_at as "lastReachableAt",
    last_presentation_at as "lastPresentationAt", last_presentation_kind as "lastPresentationKind",
    agent_version as "agentVersion"
    from device_status where device_id = ?`,
);
const writeStatus = statement<
  never,
  [number | null, number, number | null, number | null, string | null, string | null, string]
>(
  `update device_status set last_collected_at = ?, last_received_at = ?, last_reachable_at = ?,
    last_presentation_at = ?, last_presentation_kind = ?, agent_version = ? where device_id = ?`,
);
const retirePreviousKey = statement<never, [number, string]>(
  `update device_reenrollments set confirmed_at = ?, previous_key_hash = null
    where device_id = ? and confirmed_at is null`,
);

/**
 * Stores one device's batch exactly once and records its newest evidence on the device; the caller
 * owns the transaction and re-evaluates the school. A report id this device sent before is a duplicate
 * and changes nothing; ids are unique per device, so another device's id can never shadow this one's.
 * `collectedAt` later than the receive time is clamped to it and flagged (a PC clock running ahead must not
 * make evidence look newer than it is). A download claim its own report makes implausible (faster than the
 * PC's link, or than any school PC) is stored with its flag and never counts.
 */
export async function storeBatch(
  tx: Store,
  device: ReportingDevice,
  batch: Report[],
  receivedAt: number,
  retentionDays = DEFAULT_RETENTION_DAYS,
): Promise<ReportBatchResult> {
  // The new key delivered: from now on only it works. Even an all-duplicate batch proves the new agent runs.
  if (device.confirmsNewKey) await tx.execute(retirePreviousKey, receivedAt, device.id);
  const horizon = retentionHorizon(receivedAt, retentionDays);
  let accepted = 0;
  let clamped = 0;
  let expired = 0;
  let evidence: DeviceEvidence = noEvidence;
  let newest: { at: number; agentVersion: string } | null = null;
  const kept: {
    report: Report;
    collectedAt: number;
    future: boolean;
    online: boolean;
    presenting: ReturnType<typeof presentationKindOf>;
  }[] = [];
  for (const report of batch) {
    const reported = Date.parse(report.collectedAt);
    const future = reported > receivedAt;
    const collectedAt = future ? receivedAt : reported;
    // Older than retention: its day may already be folded, where a replay could not be told apart.
    if (collectedAt < horizon) {
      expired++;
      continue;
    }
    kept.push({
      report,
      collectedAt,
      future,
      online: report.network.internet.reachable,
      presenting: presentationKindOf(report.displays),
    });
  }
  const rows = kept.map(({ report, collectedAt, future, online, presenting }): ReportRow => {
    const throughput = report.network.throughput;
    return [
      encodeReportId(report.id),
      device.id,
      collectedAt,
      receivedAt,
      future ? 1 : 0,
      report.schemaVersion,
      report.agentVersion,
      online ? 1 : 0,
      report.network.internet.latencyMs,
      throughput?.downMbps ?? null,
      throughput?.upMbps ?? null,
      presenting ? 1 : 0,
      presenting,
      encodeReportBody(JSON.stringify(report)),
      claimFlag(report),
    ];
  });
  const stored = await insertReportRows(tx, rows);
  for (const [i, { report, collectedAt, future, online, presenting }] of kept.entries()) {
    // The first of the batch's reports with a stored id is the one stored; a repeat within the batch is a duplicate.
    if (!stored.delete(idKey(rows[i]![0]))) continue;
    accepted++;
    if (future) clamped++;
    evidence = withReport(evidence, { collectedAt, online, presenting });
    if (!newest || collectedAt >= newest.at) newest = { at: collectedAt, agentVersion: report.agentVersion };
  }
  if (accepted > 0) {
    const status = await tx.row(readStatus, device.id);
    const merged = toStored(mergeEvidence(status ? fromStored(status) : noEvidence, evidence));
    const newestIsLatest = newest !== null && newest.at >= (status?.lastCollectedAt ?? 0);
    await tx.execute(
      writeStatus,
      merged.lastCollectedAt,
      receivedAt,
      merged.lastReachableAt,
      merged.lastPresentationAt,
      merged.lastPresentationKind,
      newestIsLatest ? newest!.agentVersion : (status?.agentVersion ?? null),
      device.id,
    );
  }
  return { accepted, duplicates: batch.length - accepted - expired, clamped, ...(expired > 0 ? { expired } : {}) };
}

/**
 * Stores a batch and moves its school's figures on in one transaction: when this returns, the batch
 * and the figures it changed are on disk together.
 */
export async function ingestReports(
  store: Store,
  device: ReportingDevice,
  batch: Report[],
  receivedAt: number,
  retentionDays = DEFAULT_RETENTION_DAYS,
): Promise<ReportBatchResult> {
  return store.transaction(async (tx) => {
    const result = await storeBatch(tx, device, batch, receivedAt, retentionDays);
    if (result.accepted > 0) await evaluateSchools(tx, [device.schoolCode], receivedAt, new Set([device.id]));
    return result;
  });
}
