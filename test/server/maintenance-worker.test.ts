import { DAY_MS, localDay } from '../../shared/time/china-time.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { dailySnapshots } from '../../server/db/schema.ts';
import { openStore } from '../../server/db/store.ts';
import { establishRoot } from '../../server/divisions/deployment.ts';
import { runMaintenance } from '../../server/jobs/maintenance.ts';
import { parsePlanFile } from '../../server/plan/plan.ts';
import { usePostgres } from '../helpers/postgres.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

const postgres = usePostgres();

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe('maintenance on a worker thread', () => {
  it('takes the daily snapshots on its own connection while the main thread stays free', async () => {
    const start = Date.parse('2027-03-01T09:00:00+08:00');
    ctx = await createTestContext({ clock: testClock(start) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const { days } = await runMaintenance<{ days: string[] }>({
      database: { dataDir: ctx.dataDir },
      task: 'snapshots',
      now: start + 3 * 86_400_000,
      retentionDays: 0,
    });
    clearInterval(timer);
    expect(days).toEqual(['2027-03-01', '2027-03-02', '2027-03-03']);
    expect(ctx.db.select().from(dailySnapshots).all()).toHaveLength(27);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('maintenance on a worker thread, on PostgreSQL', () => {
  it('opens a pool of its own from the database URL: folds there and takes the daily snapshots there', async () => {
    const { host, port, user, database } = await postgres().createDatabase();
    const databaseUrl = `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`;
    const now = Date.now();
    const store = await openStore({ databaseUrl });
    try {
      const { plan } = parsePlanFile(new URL('../../server/plan/linxia-2015-2020.json', import.meta.url));
      await store.q.insert(store.t.plans).values({ document: plan!, importedAt: 1, source: 'test' });
      await establishRoot(store, undefined, 1);
      const registered = now - 3 * 86_400_000;
      await store.q.insert(store.t.schools).values({
        code: '6229210001',
        name: '测试第一小学',
        countyCode: '622921',
        typeCode: '211',
        urbanRuralCode: '121',
        createdAt: registered,
        updatedAt: registered,
      });
    } finally {
      await store.close();
    }
    const task = { database: { databaseUrl }, now, retentionDays: 180 };
    expect(await runMaintenance({ ...task, task: 'retention' })).toEqual({ folded: 0 });
    // Every day since the school was registered, up to yesterday (China Standard Time), recomputed there.
    const { days } = (await runMaintenance({ ...task, task: 'snapshots' })) as { days: string[] };
    expect(days.length).toBeGreaterThan(0);
    expect(days.at(-1)).toBe(localDay(now - DAY_MS));
  });
});
