import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { readAttentionDevices } from '../../server/coverage/devices-read.ts';
import { readCountySchools, readCoverage, readSchool } from '../../server/coverage/read.ts';
import { divisionRollups, deviceStatus, schoolStatus } from '../../server/db/schema.ts';
import { declareStatus, listDeclarations } from '../../server/programme/declarations.ts';
import { drawInspection } from '../../server/programme/inspections.ts';
import { readPublicCoverage } from '../../server/programme/public-coverage.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport } from '../helpers/reports.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Freshness is the read path's job (issue 12): every reader that returns figures brings them up to `now`
 * itself. No aging job runs here and nothing else sweeps, so each reader is called alone, on a database
 * whose stored status still says what it said at T0, and must answer as of the later `now`.
 */
const T0 = Date.parse('2026-03-02T08:00:00Z');
const SCHOOL = '6229210001';
const COUNTY = '622921';
const AT_RISK = T0 + 4 * DAY_MS; // past liveDays (3): the device is at risk
const EXPIRED = T0 + 31 * DAY_MS; // past the evidence window (30 days): the school is no longer connected

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** A school with one device that reported once at T0, reachable: connected and live as of T0. */
async function connectedAtT0(): Promise<TestContext> {
  ctx = await createTestContext({ clock: testClock(T0) });
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: { token: await ctx.enrollmentToken(SCHOOL), hostname: 'pc-1', hardware: {} },
  });
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    body: { reports: [makeReport({ at: T0 })] },
    bearer: enrolled.body.deviceKey,
  });
  expect(sent.status).toBe(200);
  return ctx;
}

/** The stored figures, read straight from the derived tables: what a reader that skipped the sweep would show. */
function stored(c: TestContext) {
  return {
    connected: c.db.select().from(schoolStatus).where(eq(schoolStatus.schoolCode, SCHOOL)).get()!.connected,
    countyConnected: c.db.select().from(divisionRollups).where(eq(divisionRollups.divisionCode, COUNTY)).get()!
      .schoolsConnected,
    deviceState: c.db.select().from(deviceStatus).get()!.state,
  };
}

/** Moves the clock with no job running and checks the stored figures are still those of T0. */
function moveClockTo(c: TestContext, at: number) {
  c.clock.set(at);
  expect(stored(c)).toEqual({ connected: true, countyConnected: 1, deviceState: 'live' });
}

describe('reads bring figures up to now themselves', () => {
  it('readCoverage: the county loses the school once its evidence leaves the window', async () => {
    const c = await connectedAtT0();
    moveClockTo(c, EXPIRED);
    const coverage = await readCoverage(c.store, null, EXPIRED);
    expect(coverage.schools.connected).toBe(0);
    expect(coverage.counties.find((county) => county.code === COUNTY)!.schools.connected).toBe(0);
    expect(stored(c).countyConnected).toBe(0);
  });

  it('readCountySchools: the school row is no longer connected', async () => {
    const c = await connectedAtT0();
    moveClockTo(c, EXPIRED);
    const { rows } = await readCountySchools(c.store, COUNTY, { format: 'json', page: 1, pageSize: 50 }, EXPIRED, true);
    expect(rows.find((r) => r.code === SCHOOL)!.connected).toBe(false);
  });

  it('readSchool: the device goes at risk past liveDays, and the school is unconnected past the window', async () => {
    const c = await connectedAtT0();
    moveClockTo(c, AT_RISK);
    expect((await readSchool(c.store, SCHOOL, AT_RISK)).devices[0]!.state).toBe('at-risk');
    c.clock.set(EXPIRED);
    const detail = await readSchool(c.store, SCHOOL, EXPIRED);
    expect(detail.devices[0]!.state).toBe('silent');
    expect(detail.school.connected).toBe(false);
  });

  it('readAttentionDevices: a device that stopped reporting is listed as at risk', async () => {
    const c = await connectedAtT0();
    expect(await readAttentionDevices(c.store, { divisionCode: null, schoolCode: null }, T0)).toEqual([]);
    moveClockTo(c, AT_RISK);
    const listed = await readAttentionDevices(c.store, { divisionCode: null, schoolCode: null }, AT_RISK);
    expect(listed.map((d) => d.state)).toEqual(['at-risk']);
  });

  it('readPublicCoverage: the public figures drop the school too', async () => {
    const c = await connectedAtT0();
    moveClockTo(c, EXPIRED);
    const disclosed = await readPublicCoverage(c.store, EXPIRED);
    expect(disclosed.prefecture.schools.connected).toBe(0);
    expect(disclosed.counties.find((county) => county.code === COUNTY)!.schools.connected).toBe(0);
  });

  it('listDeclarations: a declaration is no longer backed by a measurement once the evidence expires', async () => {
    const c = await connectedAtT0();
    await declareStatus(
      c.store,
      { schoolCode: SCHOOL, indicator: 'connected', reason: 'fibre installed' },
      T0,
      byTest,
      null,
    );
    moveClockTo(c, EXPIRED);
    const [declaration] = await listDeclarations(c.store, { countyScope: null, status: 'active' }, EXPIRED);
    expect(declaration!.measured).toBe(false);
  });

  it('drawInspection: the draw weighs the school as it stands at now, not as it stood at T0', async () => {
    const c = await connectedAtT0();
    moveClockTo(c, EXPIRED);
    const inspection = await drawInspection(c.store, { perCounty: 500, seed: 'fresh' }, EXPIRED, byTest);
    expect(inspection.schools.find((s) => s.schoolCode === SCHOOL)!.stratum).toBe('unconnected');
  });
});

describe('routes', () => {
  it('leave freshness to the read path: none of them sweeps', () => {
    const dir = path.join(import.meta.dirname, '../../server/routes');
    const sweeping = fs.readdirSync(dir).filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes('sweep'));
    expect(sweeping).toEqual([]);
  });
});
