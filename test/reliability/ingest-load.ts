import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { encodeReportId } from '../../server/db/report-id.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import type { Random } from './seeded-random.ts';

/*
 * Simulated school PCs delivering report batches the way the agent does: a batch keeps its report ids
 * until a 200 acknowledges it, and is sent again after a failure. The ledger remembers every batch ever
 * sent, so the checks afterwards can ask "acknowledged → stored?" and "stored → whole?".
 */

export interface SimDevice {
  deviceId: string;
  deviceKey: string;
  schoolCode: string;
}

export interface SentBatch {
  deviceId: string;
  reportIds: string[];
  acknowledged: boolean;
}

/**
 * Where the servers are now: the URLs of those listening (one, or several sharing one database behind one
 * address), and an epoch counted on every change, so a device whose server died waits for a change and then
 * sends to a server that is up. Devices take the URLs in turn, as a round-robin proxy would.
 */
export class ServerTarget {
  private epoch = 0;
  private urls: string[] = [];
  private turn = 0;
  private waiters: (() => void)[] = [];
  stopped = false;

  up(url: string) {
    this.urls.push(url);
    this.changed();
  }
  /** One server gone (its URL), or all of them. */
  down(url?: string) {
    this.urls = url === undefined ? [] : this.urls.filter((u) => u !== url);
    this.changed();
  }
  stop() {
    this.stopped = true;
    this.waiters.splice(0).forEach((w) => w());
  }
  private changed() {
    this.epoch++;
    this.waiters.splice(0).forEach((w) => w());
  }
  /** A URL of a server up after `epoch` changed (or now); null once the run is over. */
  async next(afterEpoch = -1): Promise<{ url: string; epoch: number } | null> {
    while (!this.stopped && (this.urls.length === 0 || this.epoch <= afterEpoch))
      await new Promise<void>((r) => this.waiters.push(r));
    return this.stopped ? null : { url: this.urls[this.turn++ % this.urls.length]!, epoch: this.epoch };
  }
}

/** Enrolls `count` simulated PCs, spread over the schools whose tokens are given. */
export async function enrollDevices(url: string, tokens: Map<string, string>, count: number): Promise<SimDevice[]> {
  const schools = [...tokens];
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [schoolCode, token] = schools[i % schools.length]!;
      const response = await fetch(`${url}/api/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          hostname: `sim-pc-${i}`,
          hardware: { uuid: `sim-${randomUUID()}` },
          ...(i % 3 === 0 ? { classroom: '1' } : {}),
        }),
      });
      if (response.status !== 201) throw new Error(`enroll sim-pc-${i}: ${response.status} ${await response.text()}`);
      const body = (await response.json()) as { deviceId: string; deviceKey: string };
      return { deviceId: body.deviceId, deviceKey: body.deviceKey, schoolCode };
    }),
  );
}

function newBatch(device: SimDevice, random: Random) {
  const now = Date.now();
  return Array.from({ length: random.int(1, 25) }, () =>
    makeReport({
      at: now - random.int(-3_600_000, 3 * 86_400_000), // some an hour in the future: the server clamps those
      reachable: random.next() < 0.85,
      downMbps: random.next() < 0.5 ? random.int(1, 300) : undefined,
      displays: random.next() < 0.4 ? [projector] : [],
    }),
  );
}

/**
 * One loop per device until the target stops: send, and on a 200 record the batch as acknowledged; on
 * a transport error wait for the next server and send the same batch again. Now and then a batch
 * already acknowledged is replayed, which must change nothing.
 */
export async function driveDevices(devices: SimDevice[], target: ServerTarget, random: Random) {
  const ledger: SentBatch[] = [];
  const unexpected: string[] = [];
  let requests = 0;
  let acknowledgements = 0;
  const loop = async (device: SimDevice) => {
    let reports = newBatch(device, random);
    let entry: SentBatch = { deviceId: device.deviceId, reportIds: reports.map((r) => r.id!), acknowledged: false };
    ledger.push(entry);
    for (let server = await target.next(); server;) {
      try {
        requests++;
        const response = await fetch(`${server.url}/api/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${device.deviceKey}` },
          body: JSON.stringify({ reports }),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await response.text();
        if (response.status !== 200) {
          unexpected.push(`${response.status} ${text.slice(0, 300)}`);
          return;
        }
        const result = JSON.parse(text) as { accepted: number; duplicates: number };
        if (result.accepted + result.duplicates !== reports.length)
          unexpected.push(`200 counted ${text} for ${reports.length} reports`);
        const replay = entry.acknowledged;
        entry.acknowledged = true;
        acknowledgements++;
        if (replay && result.accepted !== 0) unexpected.push(`a replayed acknowledged batch was stored again: ${text}`);
        if (target.stopped) return;
        const replayNext = random.next() < 0.05;
        const up = await target.next(); // each batch to a server up now, in turn (several share one database)
        if (!up) return;
        server = up;
        if (replayNext) continue; // replay what was just acknowledged, perhaps to another server
        reports = newBatch(device, random);
        entry = { deviceId: device.deviceId, reportIds: reports.map((r) => r.id!), acknowledged: false };
        ledger.push(entry);
      } catch {
        server = await target.next(server.epoch); // the server died under us: same batch, next server
      }
    }
  };
  const running = Promise.all(devices.map(loop));
  return { ledger, unexpected, requests: () => requests, acknowledgements: () => acknowledgements, done: running };
}

/**
 * The ledger held against the database: `rowsOf(id, deviceId)` counts a report's stored rows. Acknowledged
 * reports found, batches stored only in part, the rows the ledger accounts for, and what was lost.
 */
export async function ledgerAgainstDatabase(
  ledger: SentBatch[],
  rowsOf: (id: string, deviceId: string) => number | Promise<number>,
) {
  let acknowledged = 0;
  let found = 0;
  let halfWritten = 0;
  let expectedRows = 0;
  const lost: string[] = [];
  for (const batch of ledger) {
    let present = 0;
    for (const id of batch.reportIds) present += await rowsOf(id, batch.deviceId);
    if (batch.acknowledged) {
      acknowledged += batch.reportIds.length;
      found += present;
      if (present !== batch.reportIds.length)
        lost.push(`${batch.deviceId}: ${batch.reportIds.length - present} of ${batch.reportIds.length} missing`);
    }
    if (present !== 0 && present !== batch.reportIds.length) halfWritten++;
    expectedRows += present;
  }
  return { acknowledged, found, halfWritten, expectedRows, lost };
}

/** Where the crash tests on PostgreSQL count stored reports: one pool on `databaseUrl`, ended when the test ends. */
export function reportsOnPostgres(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  onTestFinished(() => pool.end());
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);
  return {
    /** Rows of one device's report id: 1 when stored once. */
    rowsOf: (id: string, deviceId: string) =>
      count('select count(*) as n from reports where id = $1 and device_id = $2', [encodeReportId(id), deviceId]),
    /** Every stored report. */
    stored: () => count('select count(*) as n from reports'),
  };
}
