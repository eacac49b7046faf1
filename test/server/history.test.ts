import { afterEach, describe, expect, it } from 'vitest';
import { dailySnapshots } from '../../server/db/schema.ts';
import { takeDailySnapshots } from '../../server/programme/history.ts';
import { endOfLocalDay } from '../../shared/time/china-time.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

const DAY = 86_400_000;
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const at = (local: string) => Date.parse(`${local}+08:00`);

describe('daily snapshots and history', () => {
  it('backfills every missed day with the figures of that day, and taking them again changes nothing', async () => {
    ctx = await createTestContext({ clock: testClock(at('2027-03-01T09:00:00')) });
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
    });
    // Connected on 3 March only; the server then "was down" until the 6th.
    ctx.clock.set(at('2027-03-03T10:00:00'));
    await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [makeReport({ at: ctx.clock(), downMbps: 85 })] },
      bearer: enrolled.body.deviceKey,
    });
    ctx.clock.set(at('2027-03-06T00:10:00'));
    expect(await takeDailySnapshots(ctx.store, ctx.clock())).toEqual([
      '2027-03-01',
      '2027-03-02',
      '2027-03-03',
      '2027-03-04',
      '2027-03-05',
    ]);
    expect(await takeDailySnapshots(ctx.store, ctx.clock())).toEqual([]);
    expect(ctx.db.select().from(dailySnapshots).all()).toHaveLength(5 * 9); // 8 counties + the prefecture

    const county = await requestJson(ctx.app, 'GET', '/api/v1/history?division=622921', {
      bearer: await ctx.apiToken(),
    });
    const connected = county.body.series.map((p: { day: string; figures: { schools: { connected: number } } }) => [
      p.day,
      p.figures.schools.connected,
    ]);
    expect(connected).toEqual([
      ['2027-03-01', 0],
      ['2027-03-02', 0],
      ['2027-03-03', 1],
      ['2027-03-04', 1],
      ['2027-03-05', 1],
    ]);
    expect(county.body.series.map((p: { source: string }) => p.source)).toEqual([
      'backfill',
      'backfill',
      'backfill',
      'backfill',
      'live',
    ]);
    const prefecture = await requestJson(ctx.app, 'GET', '/api/v1/history?division=622900&from=2027-03-05', {
      bearer: await ctx.apiToken(),
    });
    expect(prefecture.body.series).toMatchObject([
      {
        day: '2027-03-05',
        divisionCode: '622900',
        figures: { schools: { registered: 3, connected: 1, meetingStandard: 1 } },
      },
    ]);
  });

  it('records a day as it stood at its end, not as it stands when the snapshot is taken', async () => {
    ctx = await createTestContext({ clock: testClock(at('2027-03-01T09:00:00')) });
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
    });
    ctx.clock.set(endOfLocalDay('2027-03-01') + 60_000); // a report one minute into 2 March …
    await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [makeReport({ at: ctx.clock() })] },
      bearer: enrolled.body.deviceKey,
    });
    ctx.clock.advance(5 * 60_000); // … and the 00:05 job runs after it
    await takeDailySnapshots(ctx.store, ctx.clock());
    const series = (
      await requestJson(ctx.app, 'GET', '/api/v1/history?division=622921', { bearer: await ctx.apiToken() })
    ).body.series;
    expect(series).toMatchObject([
      { day: '2027-03-01', figures: { schools: { connected: 0 }, devices: { never: 1 } } },
    ]);
  });

  it('confines a county token to its county and exports CSV', async () => {
    ctx = await createTestContext({ clock: testClock(at('2027-03-01T09:00:00')) });
    ctx.clock.advance(2 * DAY);
    await takeDailySnapshots(ctx.store, ctx.clock());
    const token = await ctx.apiToken('622922');
    const own = await requestJson(ctx.app, 'GET', '/api/v1/history', { bearer: token });
    expect(new Set(own.body.series.map((p: { divisionCode: string }) => p.divisionCode))).toEqual(new Set(['622922']));
    expect((await requestJson(ctx.app, 'GET', '/api/v1/history?division=622921', { bearer: token })).status).toBe(403);
    const csv = await requestJson(ctx.app, 'GET', '/api/v1/history?format=csv&division=622922', {
      bearer: await ctx.apiToken(),
    });
    expect(csv.body.split('\r\n')[1]).toMatch(/^2027-03-01,622922,康乐县,backfill,1,0,/);
  });
});

describe('progress against the plan', () => {
  it('gives each county an on-track or behind status from measured figures only', async () => {
    ctx = await createTestContext({ clock: testClock(at('2027-03-01T09:00:00')) });
    const bureau = await ctx.apiToken();
    await requestJson(ctx.app, 'POST', '/api/v1/declarations', {
      bearer: bureau,
      body: { schoolCode: '6229220001', indicator: 'connected', reason: 'declared only' },
    });
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
    });
    const enrolled2 = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: await ctx.enrollmentToken('6229210002'), hostname: 'pc', hardware: {} },
    });
    for (const key of [enrolled.body.deviceKey, enrolled2.body.deviceKey]) {
      await requestJson(ctx.app, 'POST', '/api/v1/reports', {
        body: { reports: [makeReport({ at: ctx.clock() })] },
        bearer: key,
      });
    }
    const coverage = (await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: bureau })).body;
    // The 2015–2020 plan is over: every school is expected connected.
    const byCounty = Object.fromEntries(
      coverage.counties.map((c: { code: string; progress: { schoolsConnected: { status: string } } }) => [
        c.code,
        c.progress.schoolsConnected.status,
      ]),
    );
    expect(byCounty).toMatchObject({ '622921': 'on-track', '622922': 'behind', '622923': 'no-data' });
    expect(coverage.progress.schoolsConnected).toEqual({ expectedShare: 1, measuredShare: 2 / 3, status: 'behind' });
  });
});
