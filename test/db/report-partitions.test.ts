import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ensureReportPartitions, reportDayPartitions } from '../../server/db/report-partitions.ts';
import * as pgSchema from '../../server/db/schema-pg.ts';
import { openStore, type Store } from '../../server/db/store.ts';
import { storeBatch } from '../../server/ingest/reports.ts';
import { foldOldReports } from '../../server/ingest/retention.ts';
import { parsePlanFile } from '../../server/plan/plan.ts';
import { reportSchema, type Report } from '../../shared/schemas/report.ts';
import { DAY_MS, HOUR_MS, startOfLocalDay } from '../../shared/time/china-time.ts';
import { makeReport } from '../helpers/reports.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { enrolledDevice } from '../helpers/stores.ts';

/*
 * Raw reports on PostgreSQL, partitioned by local day (decision 192): exactly once holds across partitions, also
 * for reports whose collected_at was clamped to the receive time (which differs on every send); retention folds a
 * past day and drops its partition; the migration moves the rows of an existing table in.
 */
const open = useEachDialect();
const newPostgresUrl = async () => ((await open.location('postgres')) as { databaseUrl: string }).databaseUrl;

const pgOf = (store: Store) => store.q as unknown as NodePgDatabase;

/** Where each stored report of the store is, by id: the partition holding it and its collected_at. */
async function placed(store: Store): Promise<Record<string, { partition: string; collectedAt: number }>> {
  const { rows } = await pgOf(store).execute<{ id: Buffer; partition: string; collectedAt: string }>(
    sql`select id, tableoid::regclass::text as "partition", collected_at as "collectedAt" from reports`,
  );
  const hex = (id: Buffer) => id.toString('hex');
  return Object.fromEntries(
    rows.map((r) => [hex(r.id), { partition: r.partition, collectedAt: Number(r.collectedAt) }]),
  );
}
const hexOf = (report: Report) => report.id.replaceAll('-', '');

const midnight = startOfLocalDay('2026-03-02');
const at = (offset: number, id?: string) => reportSchema.parse(makeReport({ at: midnight + offset, id }));

describe('raw reports partitioned by day on PostgreSQL', () => {
  it('are stored once whether sent again, by two servers at once, or on both sides of midnight, clamped or not', async () => {
    const [server1, server2] = await open.twoServers('postgres');
    const device = await enrolledDevice(server1);
    // The two days either side of the boundary, and the days after, have their partitions.
    await ensureReportPartitions(server1, midnight - HOUR_MS);
    const days = (await reportDayPartitions(server1)).map((p) => p.name);
    expect(days).toEqual(expect.arrayContaining(['reports_20260301', 'reports_20260302']));
    const send = (store: Store, batch: Report[], receivedAt: number) =>
      store.transaction((tx) => storeBatch(tx, device, batch, receivedAt));

    // One batch straddling midnight, sent to both servers at once and then again.
    const straddling = [at(-60_000), at(60_000)];
    const atOnce = await Promise.all([
      send(server1, straddling, midnight + 120_000),
      send(server2, straddling, midnight + 120_000),
    ]);
    expect(atOnce.map((r) => r.accepted).sort()).toEqual([0, 2]);
    expect((await send(server2, straddling, midnight + 180_000)).duplicates).toBe(2);

    // A PC clock an hour ahead: first received before midnight, its collected_at clamped to that receive time
    // (yesterday's partition); sent again after midnight unclamped (today's) and, still early, clamped to another time.
    const ahead = [at(HOUR_MS)];
    const clampedAtOnce = await Promise.all([
      send(server1, ahead, midnight - 30_000),
      send(server2, ahead, midnight - 30_000),
    ]);
    expect(clampedAtOnce.map((r) => r.accepted).sort()).toEqual([0, 1]);
    expect(await send(server2, ahead, midnight + 2 * HOUR_MS)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await send(server1, ahead, midnight + 600_000)).toMatchObject({ accepted: 0, duplicates: 1 });

    // The other way round: stored unclamped just after midnight, then sent to a server whose clock is behind, which
    // clamps it into yesterday's partition.
    const justAfter = [at(5_000)];
    expect((await send(server1, justAfter, midnight + 10_000)).accepted).toBe(1);
    expect(await send(server2, justAfter, midnight - 10_000)).toMatchObject({ accepted: 0, duplicates: 1 });

    expect(await placed(server1)).toEqual({
      [hexOf(straddling[0]!)]: { partition: 'reports_20260301', collectedAt: midnight - 60_000 },
      [hexOf(straddling[1]!)]: { partition: 'reports_20260302', collectedAt: midnight + 60_000 },
      [hexOf(ahead[0]!)]: { partition: 'reports_20260301', collectedAt: midnight - 30_000 },
      [hexOf(justAfter[0]!)]: { partition: 'reports_20260302', collectedAt: midnight + 5_000 },
    });
  });

  it('fold a past day into device_days and drop its partition; a recent day keeps its reports', async () => {
    const store = await open('postgres');
    const device = await enrolledDevice(store);
    const { plan } = parsePlanFile(new URL('../../server/plan/linxia-2015-2020.json', import.meta.url));
    await store.q.insert(store.t.plans).values({ document: plan!, importedAt: 1, source: 'test' });
    const then = startOfLocalDay('2025-06-02');
    await ensureReportPartitions(store, then);
    const send = (batch: Report[], receivedAt: number) =>
      store.transaction((tx) => storeBatch(tx, device, batch, receivedAt));
    const old = [at(then - midnight + 8 * HOUR_MS), at(then - midnight + 9 * HOUR_MS)];
    await send(old, then + 10 * HOUR_MS);
    await send([at(then - midnight + 11 * HOUR_MS)], then + 10 * HOUR_MS); // clamped: a receipt is kept
    const now = then + 200 * DAY_MS;
    const recent = [at(now - DAY_MS - midnight)];
    await send(recent, now - DAY_MS + 60_000); // no partition for its day yet: it waits in reports_default
    expect(
      Object.values(await placed(store))
        .map((p) => p.partition)
        .sort(),
    ).toEqual(['reports_20250602', 'reports_20250602', 'reports_20250602', 'reports_default']);

    expect(await foldOldReports(store, now)).toBe(3);

    const partitions = (await reportDayPartitions(store)).map((p) => p.day);
    expect(partitions.some((day) => day < '2025-12-01')).toBe(false);
    // The recent report moved into its day's new partition; the default partition is empty again.
    expect(Object.values(await placed(store))).toEqual([{ partition: 'reports_20251218', collectedAt: now - DAY_MS }]);
    expect(await store.q.select().from(store.t.deviceDays)).toEqual([
      expect.objectContaining({ deviceId: 'pc-1', day: '2025-06-02', reports: 3 }),
    ]);
    const receipts = await pgOf(store).execute(sql`select * from clamped_reports`);
    expect(receipts.rows).toEqual([]);
    // Folding again finds nothing: the day went with its partition.
    expect(await foldOldReports(store, now)).toBe(0);
  });

  it('keep the rows of a table partitioned by the migration, into day partitions when the store opens', async () => {
    const databaseUrl = await newPostgresUrl();
    const pool = new pg.Pool({ connectionString: databaseUrl });
    try {
      // The migrations before partitioning, from a copy of the folder whose journal ends there.
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-pg-migrations-'));
      const source = fileURLToPath(new URL('../../migrations/pg', import.meta.url));
      fs.cpSync(source, folder, { recursive: true });
      const journalFile = path.join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
      const before = journal.entries.findIndex((e) => e.tag === '0009_reports_partitioned');
      fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, before) }));
      const db = drizzle({ client: pool, schema: pgSchema });
      await migrate(db, { migrationsFolder: folder });
      fs.rmSync(folder, { recursive: true, force: true });

      await db.insert(pgSchema.divisions).values({ code: '622921', name: '临夏县', level: 'county' });
      await db.insert(pgSchema.schools).values({
        code: '6229210001',
        name: '学校',
        countyCode: '622921',
        typeCode: '211',
        urbanRuralCode: '220',
        createdAt: 1,
        updatedAt: 1,
      });
      await db
        .insert(pgSchema.devices)
        .values({ id: 'pc-1', schoolCode: '6229210001', hostname: 'pc', keyHash: 'h', enrolledAt: 1 });
      const stored = [at(0), at(DAY_MS)];
      // The second was received an hour before its PC's clock said: stored clamped to that receive time.
      const row = (report: Report, clampedBy: number) => ({
        id: report.id,
        deviceId: 'pc-1',
        collectedAt: Date.parse(report.collectedAt) - clampedBy,
        receivedAt: Date.parse(report.collectedAt) - clampedBy,
        collectedAtClamped: clampedBy > 0,
        schemaVersion: report.schemaVersion,
        agentVersion: report.agentVersion,
        internetReachable: true,
        presentationDisplay: false,
        body: report,
      });
      await db.insert(pgSchema.reports).values([row(stored[0]!, 0), row(stored[1]!, HOUR_MS)]);

      const store = await openStore({ databaseUrl });
      try {
        expect(await placed(store)).toEqual({
          [hexOf(stored[0]!)]: { partition: 'reports_20260302', collectedAt: midnight },
          [hexOf(stored[1]!)]: { partition: 'reports_20260302', collectedAt: midnight + DAY_MS - HOUR_MS },
        });
        const receipts = await pgOf(store).execute<{ device_id: string }>(sql`select device_id from clamped_reports`);
        expect(receipts.rows).toEqual([{ device_id: 'pc-1' }]);
        // The clamped one, sent again unclamped (its collected_at now its own): a duplicate.
        const resent = await store.transaction((tx) =>
          storeBatch(tx, { id: 'pc-1', schoolCode: '6229210001' }, [stored[1]!], midnight + 2 * DAY_MS),
        );
        expect(resent).toMatchObject({ accepted: 0, duplicates: 1 });
      } finally {
        await store.close();
      }
    } finally {
      await pool.end();
    }
  });
});
