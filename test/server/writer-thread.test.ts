import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../shared/schemas/report.ts';
import { openStore, type Store } from '../../server/db/store.ts';
import { IngestWriterStoppedError, WriterThread } from '../../server/ingest/writer-thread.ts';
import { makeReport } from '../helpers/reports.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { enrollDevice } from '../../server/enrollment/enroll.ts';
import { rosterRow } from '../helpers/roster.ts';
import { byTest } from '../helpers/server.ts';
import type { Closers } from '../helpers/stores.ts';

/*
 * On SQLite, report batches commit on the writer thread, with its own connection to the server's file (decision
 * 200): what it acknowledges is in the file, the server's own connection reads it at once, a batch sent twice at
 * once is stored once, and a thread that cannot run refuses its batches as not stored, never leaves them waiting.
 */

const closers: Closers = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-writer-'));
  closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Linxia's reference data, one school and one PC enrolled at it, on the server's own connection. */
async function enrolledDevice(store: Store) {
  const now = Date.now();
  await ensureReferenceData(store, now);
  expect((await importSchools(store, [rosterRow(2, '6229210001', '622921')], now, byTest)).errors).toEqual([]);
  const schoolCode = '6229210001';
  const { token } = await createEnrollmentToken(store, { schoolCode, expiresAt: null, maxUses: null }, now, byTest);
  const { deviceId } = await enrollDevice(
    store,
    { token, hostname: 'pc', hardware: { uuid: crypto.randomUUID() } },
    now,
  );
  return { id: deviceId, schoolCode };
}

const batchOf = (count: number, at: number) =>
  Array.from({ length: count }, () => reportSchema.parse(makeReport({ at, downMbps: 120, upMbps: 40 })));

describe('the writer thread', () => {
  it('stores what it acknowledges once, where the server’s own connection reads it at once', async () => {
    const dir = dataDir();
    const store = await openStore({ dataDir: dir });
    closers.push(() => store.close());
    const device = await enrolledDevice(store);
    const writer = new WriterThread({ dataDir: dir, retentionDays: undefined });
    closers.push(() => writer.close());

    const now = Date.now();
    const batch = batchOf(5, now - 60_000);
    // The same batch twice at once, and another beside it: one group or several, each report is stored once.
    const [first, again, other] = await Promise.all([
      writer.submit(device, batch, now),
      writer.submit(device, batch, now),
      writer.submit(device, batchOf(3, now - 30_000), now),
    ]);
    expect(first.accepted + again.accepted).toBe(5);
    expect(first.duplicates + again.duplicates).toBe(5);
    expect(other.accepted).toBe(3);

    const { reports, deviceStatus } = store.t;
    expect(await store.q.$count(reports)).toBe(8);
    // The evaluation ran in the same commit: the PC is live as of its latest report.
    const [status] = await store.q.select().from(deviceStatus);
    expect(status!.state).toBe('live');
  });

  it('refuses, as not stored, the batches of a thread that cannot open its database, and of one that closed', async () => {
    const dir = dataDir();
    const store = await openStore({ dataDir: dir });
    closers.push(() => store.close());
    const device = await enrolledDevice(store);

    // A data dir that is a file: the thread fails as it opens its connection.
    const notADir = path.join(dir, 'not-a-directory');
    fs.writeFileSync(notADir, '');
    const stops: Error[] = [];
    const broken = new WriterThread({ dataDir: notADir, retentionDays: undefined }, (error) => stops.push(error));
    closers.push(() => broken.close());
    await expect(broken.submit(device, batchOf(1, Date.now()), Date.now())).rejects.toBeInstanceOf(
      IngestWriterStoppedError,
    );
    expect(stops.length).toBeGreaterThanOrEqual(1);
    // The next batch starts a thread again, and is refused the same way rather than left waiting.
    await expect(broken.submit(device, batchOf(1, Date.now()), Date.now())).rejects.toThrow(/send the batch again/);

    const writer = new WriterThread({ dataDir: dir, retentionDays: undefined });
    expect((await writer.submit(device, batchOf(2, Date.now()), Date.now())).accepted).toBe(2);
    await writer.close();
    await expect(writer.submit(device, batchOf(1, Date.now()), Date.now())).rejects.toThrow(/shutting down/);
    expect(await store.q.$count(store.t.reports)).toBe(2);
  });
});
