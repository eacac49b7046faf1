import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../shared/schemas/report.ts';
import type { Store } from '../../server/db/store.ts';
import { readBandwidthHistory } from '../../server/coverage/bandwidth-history.ts';
import { storeBatch } from '../../server/ingest/reports.ts';
import { foldOldReports } from '../../server/ingest/retention.ts';
import { parsePlanFile } from '../../server/plan/plan.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { makeReport } from '../helpers/reports.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { enrolledDevice } from '../helpers/stores.ts';

/*
 * Report ingest on the store (issue 14) holds to one contract on SQLite and on PostgreSQL: a batch is stored
 * exactly once however often it arrives, and through however many servers sharing the database; the device's
 * newest evidence is recorded with it.
 */
const open = useEachDialect();

// PostgreSQL first: pool.end() resolves before its sockets have closed, and the server stopping right after the
// last test would end them mid-close (an unhandled 57P01); the SQLite run gives them that time.
describe.each(['postgres', 'sqlite'] as const)('report ingest on %s', (dialect) => {
  it('stores a batch sent to two servers once, records the newest evidence on the device, charts its downloads', async () => {
    const [server1, server2] = await open.twoServers(dialect);
    const device = await enrolledDevice(server1);
    const now = Date.parse('2026-03-02T08:00:00Z');
    const batch = [80, 100].map((downMbps, i) =>
      reportSchema.parse(makeReport({ at: now - 120_000 + i * 60_000, downMbps })),
    );
    const ingest = (store: Store) => store.transaction((tx) => storeBatch(tx, device, batch, now));
    // Two processes send at once on PostgreSQL; on SQLite one writer takes them in turn.
    const results =
      dialect === 'postgres'
        ? await Promise.all([ingest(server1), ingest(server2)])
        : [await ingest(server1), await ingest(server2)];
    expect(results.map((r) => r.accepted).sort()).toEqual([0, 2]);
    expect(results.map((r) => r.duplicates).sort()).toEqual([0, 2]);
    const { reports, deviceStatus } = server2.t;
    const [stored] = await server2.q.select({ n: count() }).from(reports);
    expect(Number(stored!.n)).toBe(2);
    const [status] = await server2.q.select().from(deviceStatus).where(eq(deviceStatus.deviceId, 'pc-1'));
    expect(status).toMatchObject({ lastCollectedAt: now - 60_000, lastReceivedAt: now });
    expect(status!.agentVersion).toBe(batch[1]!.agentVersion);
    // The school page's bandwidth chart reads the stored reports: one day, the median of both downloads.
    expect(await readBandwidthHistory(server1, device.schoolCode, now)).toEqual([
      { day: '2026-03-02', medianDownMbps: 90, samples: 2 },
    ]);
  });

  it('folds reports past retention into one row per device and day, once, on two servers', async () => {
    const [server1, server2] = await open.twoServers(dialect);
    const device = await enrolledDevice(server1);
    const { plan } = parsePlanFile(new URL('../../server/plan/linxia-2015-2020.json', import.meta.url));
    await server1.q.insert(server1.t.plans).values({ document: plan!, importedAt: 1, source: 'test' });
    const then = Date.parse('2025-06-02T08:00:00Z');
    const batch = [80, 100].map((downMbps, i) => reportSchema.parse(makeReport({ at: then + i * 60_000, downMbps })));
    await server1.transaction((tx) => storeBatch(tx, device, batch, then + 120_000));
    const now = then + 200 * DAY_MS;
    const folded =
      dialect === 'postgres'
        ? await Promise.all([foldOldReports(server1, now), foldOldReports(server2, now)])
        : [await foldOldReports(server1, now), await foldOldReports(server2, now)];
    expect(folded.sort()).toEqual([0, 2]);
    const { reports, deviceDays } = server2.t;
    expect(await server2.q.select().from(reports)).toEqual([]);
    expect(await server2.q.select().from(deviceDays)).toEqual([
      expect.objectContaining({ deviceId: 'pc-1', day: '2025-06-02', reports: 2, downSamples: [80, 100] }),
    ]);
  });
});
