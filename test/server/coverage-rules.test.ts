import { afterEach, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../server/coverage/evaluate.ts';
import { revokeDevice } from '../../server/enrollment/enroll.ts';
import { currentPlan } from '../../server/plan/current.ts';
import { importPlan } from '../../server/programme/plan-import.ts';
import { requestJson } from '../helpers/http.ts';
import { deskMonitor, makeReport, projector } from '../helpers/reports.ts';
import { byTest, testClock, useDialectContexts, type TestContext } from '../helpers/server.ts';

/*
 * The coverage rules (connected, bandwidth, equipped classroom, device state) through the API, on SQLite and on
 * PostgreSQL alike (issue 14, decision 198): the figures are kept incrementally by the same code on either.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const createOn = useDialectContexts();
let ctx: TestContext;
let apiToken: string;
afterEach(() => ctx?.cleanup());

async function enrolled(schoolCode: string, classroom?: string) {
  const response = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(schoolCode),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
      ...(classroom ? { classroom } : {}),
    },
  });
  expect(response.status).toBe(201);
  const { deviceKey, deviceId } = response.body as { deviceKey: string; deviceId: string };
  /** Sends a report collected now (the clock is the server's receive time too). */
  const report = async (options: Omit<Parameters<typeof makeReport>[0], 'at'> = {}) => {
    const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [makeReport({ at: ctx.clock(), ...options })] },
      bearer: deviceKey,
    });
    expect(sent.status).toBe(200);
  };
  return { deviceId, report };
}
const school = async (code: string) =>
  (await requestJson(ctx.app, 'GET', `/api/v1/schools/${code}`, { bearer: apiToken })).body;
const coverage = async () => (await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: apiToken })).body;

// PostgreSQL first: the SQLite run gives the pool's sockets time to close before the file's server stops.
describe.each(['postgres', 'sqlite'] as const)('on %s', (dialect) => {
  const setup = async () => {
    ctx = await createOn(dialect, { clock: testClock(T0) });
    apiToken = await ctx.apiToken();
  };

  describe('connected: some device reached the internet within the evidence window (30 days)', () => {
    it('holds through the last millisecond of the window and ends after it', async () => {
      await setup();
      const pc = await enrolled('6229210001');
      await pc.report({ reachable: true });
      ctx.clock.set(T0 + 30 * DAY);
      expect((await coverage()).schools.connected).toBe(1);
      ctx.clock.set(T0 + 30 * DAY + 1);
      expect((await coverage()).schools.connected).toBe(0);
      expect((await school('6229210001')).school.connected).toBe(false);
    });

    it('is not earned by reports that could not reach the internet', async () => {
      await setup();
      const pc = await enrolled('6229210001');
      await pc.report({ reachable: false });
      const figures = await coverage();
      expect(figures.schools.connected).toBe(0);
      expect(figures.devices.live).toBe(1);
    });

    it('moves the stored county rollup by the aging sweep alone, with no read and no report', async () => {
      await setup();
      const pc = await enrolled('6229210001');
      await pc.report({ reachable: true });
      const rollup = async () =>
        (await ctx.store.q.select().from(ctx.store.t.divisionRollups)).find((r) => r.divisionCode === '622921')!;
      expect((await rollup()).schoolsConnected).toBe(1);
      ctx.clock.set(T0 + 30 * DAY);
      expect(await sweepExpired(ctx.store, ctx.clock())).toBe(1); // a device state changed (live → at-risk) earlier: re-evaluated
      expect((await rollup()).schoolsConnected).toBe(1);
      ctx.clock.set(T0 + 30 * DAY + 1);
      await sweepExpired(ctx.store, ctx.clock());
      expect((await rollup()).schoolsConnected).toBe(0);
      expect((await rollup()).devicesSilent).toBe(1);
    });
  });

  describe('bandwidth: highest over devices of the median download within the window', () => {
    it('takes each device median, then the best device, and compares with standard × tolerance', async () => {
      await setup();
      const a = await enrolled('6229210001');
      const b = await enrolled('6229210001');
      for (const down of [50, 200, 80]) await a.report({ downMbps: down });
      for (const down of [90, 95]) await b.report({ downMbps: down });
      expect((await school('6229210001')).school).toMatchObject({
        bandwidthMbps: 92.5,
        standardMbps: 100,
        meetsStandard: true,
      });
    });

    it('meets the standard at exactly 100 × 0.8 and not below', async () => {
      await setup();
      await (await enrolled('6229210001')).report({ downMbps: 80 });
      await (await enrolled('6229210002')).report({ downMbps: 79.99 });
      expect((await school('6229210001')).school.meetsStandard).toBe(true);
      expect((await school('6229210002')).school.meetsStandard).toBe(false);
      expect((await coverage()).schools.meetingStandard).toBe(1);
    });

    it('drops measurements older than the window from the median', async () => {
      await setup();
      const pc = await enrolled('6229210001');
      await pc.report({ downMbps: 20 });
      ctx.clock.set(T0 + 10 * DAY);
      await pc.report({ downMbps: 120 });
      await pc.report({ downMbps: 110 });
      expect((await school('6229210001')).school.bandwidthMbps).toBe(110);
      ctx.clock.set(T0 + 30 * DAY + 1);
      expect((await school('6229210001')).school.bandwidthMbps).toBe(115);
    });

    it("keeps a quiet device's median while others report, and drops its samples when they leave the window", async () => {
      // Ingest re-reads only the reporting device's samples; the others' medians come from their stored status.
      await setup();
      const fast = await enrolled('6229210001');
      const other = await enrolled('6229210001');
      await fast.report({ downMbps: 150 });
      ctx.clock.set(T0 + 5 * DAY);
      await other.report({ downMbps: 60 });
      expect((await school('6229210001')).school.bandwidthMbps).toBe(150);
      ctx.clock.set(T0 + 20 * DAY);
      await other.report({ downMbps: 70 });
      expect((await school('6229210001')).school.bandwidthMbps).toBe(150);
      // The fast PC's only sample leaves the window while the other keeps reporting: the school is due then.
      ctx.clock.set(T0 + 30 * DAY + 1);
      await other.report({ downMbps: 80 });
      expect((await school('6229210001')).school.bandwidthMbps).toBe(70);
      const devices = (await school('6229210001')).devices as { id: string; medianDownMbps: number | null }[];
      expect(devices.find((d) => d.id === fast.deviceId)?.medianDownMbps).toBeNull();
    });

    it('uses the standard for the school type and area from the plan', async () => {
      await setup();
      const plan = await currentPlan(ctx.store);
      const standards = [{ typeCodes: ['218'], area: 'rural' as const, minMbps: 4 }, { minMbps: 100 }];
      await importPlan(
        ctx.store,
        { ...plan, coverage: { ...plan.coverage, bandwidth: { tolerance: 0.8, standards } } },
        'test',
        ctx.clock(),
        byTest,
      );
      await (await enrolled('6229210002')).report({ downMbps: 4 }); // 测试教学点: type 218, village (220)
      await (await enrolled('6229210001')).report({ downMbps: 4 }); // primary school: 100 Mbps
      expect((await school('6229210002')).school).toMatchObject({ standardMbps: 4, meetsStandard: true });
      expect((await school('6229210001')).school).toMatchObject({ standardMbps: 100, meetsStandard: false });
    });
  });

  describe('equipped classroom: its PC saw a projector or interactive panel and the internet within the window', () => {
    it('counts a projector with internet, not a desk monitor, not a projector offline, not an office PC', async () => {
      await setup();
      await (await enrolled('6229210001', '1')).report({ displays: [projector] });
      await (await enrolled('6229210001', '2')).report({ displays: [deskMonitor] });
      await (
        await enrolled('6229210001', '3')
      ).report({ displays: [{ kind: 'interactive-panel', vendor: 'SEW' }], reachable: false });
      await (await enrolled('6229210002')).report({ displays: [projector] });
      const detail = await school('6229210001');
      expect(detail.classrooms.map((c: { equipped: boolean }) => c.equipped)).toEqual([true, false, false]);
      expect((await coverage()).classrooms.equipped).toBe(1);
    });

    it('stays equipped through the window and not a millisecond after', async () => {
      await setup();
      await (await enrolled('6229210001', '1')).report({ displays: [{ kind: 'interactive-panel', vendor: 'SEW' }] });
      ctx.clock.set(T0 + 30 * DAY);
      expect((await coverage()).classrooms.equipped).toBe(1);
      ctx.clock.set(T0 + 30 * DAY + 1);
      expect((await coverage()).classrooms.equipped).toBe(0);
    });
  });

  describe('device state: live ≤ 3 days, at-risk ≤ 14 days, silent after, never before the first report', () => {
    it('changes at each edge', async () => {
      await setup();
      await enrolled('6229210002');
      await (await enrolled('6229210001')).report();
      const states = async () => (await coverage()).devices;
      expect(await states()).toEqual({ enrolled: 2, live: 1, atRisk: 0, silent: 0, never: 1 });
      ctx.clock.set(T0 + 3 * DAY);
      expect((await states()).live).toBe(1);
      ctx.clock.set(T0 + 3 * DAY + 1);
      expect((await states()).atRisk).toBe(1);
      ctx.clock.set(T0 + 14 * DAY);
      expect((await states()).atRisk).toBe(1);
      ctx.clock.set(T0 + 14 * DAY + 1);
      expect(await states()).toEqual({ enrolled: 2, live: 0, atRisk: 0, silent: 1, never: 1 });
    });

    it('stops counting a revoked device and its evidence', async () => {
      await setup();
      const pc = await enrolled('6229210001', '1');
      await pc.report({ displays: [projector], downMbps: 150 });
      await revokeDevice(ctx.store, pc.deviceId, ctx.clock(), byTest);
      const figures = await coverage();
      expect(figures.devices.enrolled).toBe(0);
      expect(figures.schools.connected).toBe(0);
      expect(figures.classrooms.equipped).toBe(0);
      expect((await school('6229210001')).devices[0].state).toBe('revoked');
    });
  });
});
