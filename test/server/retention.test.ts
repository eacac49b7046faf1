import { afterEach, describe, expect, it } from 'vitest';
import { deviceDays, reports } from '../../server/db/schema.ts';
import { foldOldReports } from '../../server/ingest/retention.ts';
import { figuresAt } from '../../server/programme/history.ts';
import { endOfLocalDay, localDay } from '../../shared/time/china-time.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

const DAY = 86_400_000;
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe('retention', () => {
  it('folds old reports into daily rows without changing any figure the API or history gives', async () => {
    const start = Date.parse('2026-01-05T09:00:00+08:00');
    ctx = await createTestContext({ clock: testClock(start) });
    const enroll = async (school: string, classroom?: string) =>
      (
        await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
          body: {
            token: await ctx.enrollmentToken(school),
            hostname: 'pc',
            hardware: { uuid: crypto.randomUUID() },
            ...(classroom ? { classroom } : {}),
          },
        })
      ).body.deviceKey as string;
    const keys = [await enroll('6229210001', '1'), await enroll('6229210002'), await enroll('6229220001', '1')];
    // 240 days of reports every third day; school 2 goes quiet after day 100, school 3 loses its projector on day 150.
    for (let day = 0; day < 240; day += 3) {
      ctx.clock.set(start + day * DAY);
      for (const [i, key] of keys.entries()) {
        if (i === 1 && day > 100) continue;
        const displays = i === 2 && day >= 150 ? [] : [projector];
        await requestJson(ctx.app, 'POST', '/api/v1/reports', {
          bearer: key,
          body: { reports: [makeReport({ at: ctx.clock(), downMbps: 40 + ((day * (i + 1)) % 70), displays })] },
        });
      }
    }
    ctx.clock.set(start + 240 * DAY);
    const bureau = await ctx.apiToken();
    const read = async () => ({
      coverage: (await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: bureau })).body,
      schools: await Promise.all(
        ['6229210001', '6229210002', '6229220001'].map(
          async (c) => (await requestJson(ctx.app, 'GET', `/api/v1/schools/${c}`, { bearer: bureau })).body,
        ),
      ),
    });
    const pastDays = [10, 60, 101, 120, 150, 200, 235].map((d) => localDay(start + d * DAY));
    const history = () =>
      Promise.all(pastDays.map(async (day) => Object.fromEntries(await figuresAt(ctx.store, endOfLocalDay(day)))));

    const before = { api: await read(), history: await history(), reports: ctx.db.select().from(reports).all().length };
    const folded = await foldOldReports(ctx.store, ctx.clock(), 180);
    expect(folded).toBeGreaterThan(0);
    expect(ctx.db.select().from(reports).all().length).toBe(before.reports - folded);
    expect(ctx.db.select().from(deviceDays).all().length).toBeGreaterThan(0);
    // Nothing inside any evidence window was folded.
    expect(
      Math.min(
        ...ctx.db
          .select()
          .from(reports)
          .all()
          .map((r) => r.collectedAt),
      ),
    ).toBeGreaterThan(ctx.clock() - 180 * DAY - DAY);

    expect(await read()).toEqual(before.api);
    expect(await history()).toEqual(before.history);
    expect(await foldOldReports(ctx.store, ctx.clock(), 180)).toBe(0);
  });

  it('acknowledges a replayed report older than retention without storing it, so folded days are never counted twice', async () => {
    const now = Date.parse('2026-09-01T09:00:00+08:00');
    ctx = await createTestContext({ clock: testClock(now) });
    const key = (
      await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
        body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
      })
    ).body.deviceKey;
    const old = makeReport({ at: now - 181 * DAY });
    const fresh = makeReport({ at: now - DAY });
    const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      bearer: key,
      body: { reports: [old, fresh] },
    });
    expect(sent.body).toEqual({ accepted: 1, duplicates: 0, clamped: 0, expired: 1 });
    expect(
      ctx.db
        .select()
        .from(reports)
        .all()
        .map((r) => r.id),
    ).toEqual([fresh.id]);
  });
});

describe('folding a day in several chunks', () => {
  it('merges a day folded before by the same rule as ingest, so chunk size never changes a folded day', async () => {
    const day0 = Date.parse('2026-01-05T08:00:00+08:00');
    ctx = await createTestContext({ clock: testClock(day0) });
    const key = (
      await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
        body: {
          token: await ctx.enrollmentToken('6229210001'),
          hostname: 'pc',
          hardware: { uuid: crypto.randomUUID() },
          classroom: '1',
        },
      })
    ).body.deviceKey as string;
    const panel = { kind: 'interactive-panel', vendor: 'SEW', model: 'SE-86', connection: 'HDMI' } as const;
    // One school day: online with a projector, offline with a panel (no evidence), online with a panel later.
    const day = [
      makeReport({ at: day0, displays: [projector], downMbps: 80 }),
      makeReport({ at: day0 + 3_600_000, displays: [panel], reachable: false }),
      makeReport({ at: day0 + 7_200_000, displays: [panel], downMbps: 90 }),
      makeReport({ at: day0 + 9_000_000, displays: [], downMbps: 70 }),
    ];
    ctx.clock.set(day0 + 10 * 3_600_000);
    await requestJson(ctx.app, 'POST', '/api/v1/reports', { bearer: key, body: { reports: day } });
    ctx.clock.set(day0 + 240 * DAY);
    expect(await foldOldReports(ctx.store, ctx.clock(), 180, 1)).toBe(4);
    const [row] = ctx.db.select().from(deviceDays).all();
    expect(row).toMatchObject({
      reports: 4,
      lastCollectedAt: day0 + 9_000_000,
      lastReachableAt: day0 + 9_000_000,
      lastPresentationAt: day0 + 7_200_000,
      lastPresentationKind: 'interactive-panel',
    });
    expect([...row!.downSamples].sort()).toEqual([70, 80, 90]);
  });
});
