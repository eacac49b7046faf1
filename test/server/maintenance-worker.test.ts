import { afterEach, describe, expect, it } from 'vitest';
import { dailySnapshots } from '../../server/db/schema.ts';
import { runMaintenance } from '../../server/jobs/maintenance.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe('maintenance on a worker thread', () => {
  it('takes the daily snapshots on its own connection while the main thread stays free', async () => {
    const start = Date.parse('2027-03-01T09:00:00+08:00');
    ctx = await createTestContext({ clock: testClock(start) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const { days } = await runMaintenance<{ days: string[] }>({
      database: { file: ctx.db.$client.name },
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
