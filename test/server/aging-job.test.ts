import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { divisionRollups } from '../../server/db/schema.ts';
import { startAgingJob } from '../../server/jobs/aging.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';
import { waitFor } from '../helpers/wait-for.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe('aging job', () => {
  it('moves county figures on by itself when evidence leaves the window', async () => {
    const T0 = Date.parse('2026-03-02T08:00:00Z');
    ctx = await createTestContext({ clock: testClock(T0) });
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
    });
    await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [makeReport({ at: T0 })] },
      bearer: enrolled.body.deviceKey,
    });
    const connected = () =>
      ctx.db
        .select()
        .from(divisionRollups)
        .all()
        .find((r) => r.divisionCode === '622921')!.schoolsConnected;
    expect(connected()).toBe(1);

    ctx.clock.set(T0 + 31 * 86_400_000);
    const job = startAgingJob(ctx.store, '* * * * * *', ctx.clock, pino({ level: 'silent' }));
    try {
      await waitFor(() => connected() === 0, 'every connection to close', 5_000);
    } finally {
      await job.stop();
    }
  });
});
