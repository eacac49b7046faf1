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
import { listChunks, listStatements, multiRowChunks, multiRowStatements } from '../db/multi-row.ts';
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
/** Reports, a few rows a statement (server/db/multi-row.ts), each answering the (device, id) it stored. */
const insertReports = multiRowStatements<{ id: Buffer | string; deviceId: string }>(
  15,
  (values) =>
    `insert into reports (${REPORT_COLUMNS}) values ${values} on conflict do nothing returning id, device_id as "deviceId"`,
);

/** A report as the device and the bytes of its id (a string id, as a driver may hand it back, is its UTF-8 bytes). */
const reportKey = (deviceId: string, id: Buffer | Uint8Array | string): string =>
  `${deviceId}:${(typeof id === 'string' ? Buffer.from(id, 'utf8') : Buffer.from(id.buffer, id.byteOffset, id.byteLength)).toString('hex')}`;

/** Inserts `rows`, a duplicate (device, id) skipped; answers the reportKeys of those stored. */
async function insertReportRows(tx: Store, rows: ReportRow[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const chunk of multiRowChunks(rows))
    for (const { id, deviceId } of await tx.rows(insertReports(chunk.length), ...chunk.flat()))
      stored.add(reportKey(deviceId, id));
  return stored;
}

const readStatuses = listStatements<StoredStatus & { deviceId: string }>(
  (list) => `select device_id as "deviceId", last_collected_at as "lastCollectedAt",
    last_reachable_at as "lastReachableAt", last_presentation_at as "lastPresentationAt",
    last_presentation_kind as "lastPresentationKind", agent_version as "agentVersion"
    from device_status where device_id in (${list})`,
);
/**
 * The devices' newest evidence, a few devices a statement. Every enrolled device has its status row from its
 * enrolment on (the evaluation writes it), so the insert half stands only for a row that went missing, as
 * `never` until the evaluation in the same transaction judges it.
 */
const writeStatuses = multiRowStatements(
  9,
  (values) => `insert into device_status (device_id, school_code, state, last_collected_at, last_received_at,
      last_reachable_at, last_presentation_at, last_presentation_kind, agent_version)
    values ${values}
    on conflict (device_id) do update set last_collected_at = excluded.last_collected_at,
      last_received_at = excluded.last_received_at, last_reachable_at = excluded.last_reachable_at,
      last_presentation_at = excluded.last_presentation_at, last_presentation_kind = excluded.last_presentation_kind,
      agent_version = excluded.agent_version`,
);
const retirePreviousKey = statement<never, [number, string]>(
  `update device_reenrollments set confirmed_at = ?, previous_key_hash = null
    where device_id = ? and confirmed_at is null`,
);

/** A device's report batch as the server received it. */
export interface ReceivedBatch {
  device: ReportingDevice;
  batch: Report[];
  receivedAt: number;
}

/** What a batch's accepted reports tell of its device, gathered over every batch of the device in a group. */
interface NewEvidence {
  device: ReportingDevice;
  evidence: DeviceEvidence;
  newest: { at: number; agentVersion: string } | null;
  receivedAt: number;
}

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
  return (await storeBatches(tx, [{ device, batch, receivedAt }], retentionDays))[0]!;
}

/**
 * storeBatch for many batches at once (a group commit's), each answered as if stored alone in turn: their reports
 * go in a few statements for all, and their devices' evidence is read and written a statement for all, where a
 * few statements per batch were most of a PostgreSQL group's round trips (issue 14).
 */
export async function storeBatches(
  tx: Store,
  received: ReceivedBatch[],
  retentionDays = DEFAULT_RETENTION_DAYS,
): Promise<ReportBatchResult[]> {
  // The new key delivered: from now on only it works. Even an all-duplicate batch proves the new agent runs.
  for (const { device, receivedAt } of received)
    if (device.confirmsNewKey) await tx.execute(retirePreviousKey, receivedAt, device.id);
  const prepared = received.map((r) => reportRows(r, retentionHorizon(r.receivedAt, retentionDays)));
  const stored = await insertReportRows(
    tx,
    prepared.flatMap((p) => p.rows),
  );
  const gathered = new Map<string, NewEvidence>();
  const results = received.map(({ device, batch, receivedAt }, b): ReportBatchResult => {
    const { kept, rows, expired } = prepared[b]!;
    let accepted = 0;
    let clamped = 0;
    for (const [i, { report, collectedAt, future, online, presenting }] of kept.entries()) {
      // The first of the reports with a stored id is the one stored; a repeat (in its batch or a later one) is a duplicate.
      if (!stored.delete(reportKey(device.id, rows[i]![0]))) continue;
      accepted++;
      if (future) clamped++;
      const seen = gathered.get(device.id) ?? { device, evidence: noEvidence, newest: null, receivedAt };
      seen.evidence = withReport(seen.evidence, { collectedAt, online, presenting });
      if (!seen.newest || collectedAt >= seen.newest.at)
        seen.newest = { at: collectedAt, agentVersion: report.agentVersion };
      seen.receivedAt = receivedAt;
      gathered.set(device.id, seen);
    }
    return { accepted, duplicates: batch.length - accepted - expired, clamped, ...(expired > 0 ? { expired } : {}) };
  });
  await recordEvidence(tx, [...gathered.values()]);
  return results;
}

/** A batch's reports as rows, those older than retention left out (`horizon`, counted as expired). */
function reportRows({ device, batch, receivedAt }: ReceivedBatch, horizon: number) {
  let expired = 0;
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
  return { kept, rows, expired };
}

/** Merges each device's new evidence into what its status row holds: read for all devices, written a few a statement. */
async function recordEvidence(tx: Store, gathered: NewEvidence[]): Promise<void> {
  const statuses = new Map<string, StoredStatus>();
  for (const ids of listChunks(gathered.map((g) => g.device.id)))
    for (const status of await tx.rows(readStatuses(ids.length), ...ids)) statuses.set(status.deviceId, status);
  const rows = gathered.map(({ device, evidence, newest, receivedAt }): Param[] => {
    const status = statuses.get(device.id);
    const merged = toStored(mergeEvidence(status ? fromStored(status) : noEvidence, evidence));
    const newestIsLatest = newest !== null && newest.at >= (status?.lastCollectedAt ?? 0);
    return [
      device.id,
      device.schoolCode,
      'never',
      merged.lastCollectedAt,
      receivedAt,
      merged.lastReachableAt,
      merged.lastPresentationAt,
      merged.lastPresentationKind,
      newestIsLatest ? newest!.agentVersion : (status?.agentVersion ?? null),
    ];
  });
  for (const chunk of multiRowChunks(rows)) await tx.execute(writeStatuses(chunk.length), ...chunk.flat());
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
