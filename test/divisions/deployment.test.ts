import { afterEach, describe, expect, it } from 'vitest';
import { readCoverage } from '../../server/coverage/read.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { openDatabase } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { establishRoot, RootError } from '../../server/divisions/deployment.ts';
import { currentPlan } from '../../server/plan/current.ts';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Issue 13: a deployment's root (decision 141) and rollups at every level of its tree (decision 140), on the
 * shipped national reference. Gansu (620000) as a province deployment with schools in two prefectures.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** Two schools in Linxia county (622921, prefecture 622900) and one in Lanzhou's Chengguan district (620102). */
const gansuRoster = [
  {
    code: '6229210001',
    name: '临夏县测试小学',
    county_code: '622921',
    type_code: '211',
    urban_rural_code: '220',
    classroom_count: 2,
  },
  {
    code: '6229210002',
    name: '临夏县测试中学',
    county_code: '622921',
    type_code: '311',
    urban_rural_code: '121',
    classroom_count: 1,
  },
  {
    code: '6201020001',
    name: '城关区测试小学',
    county_code: '620102',
    type_code: '211',
    urban_rural_code: '111',
    classroom_count: 1,
  },
];

async function report(school: string, classroom: string, reachable: boolean) {
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(school),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
      classroom,
    },
  });
  expect(enrolled.status).toBe(201);
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    body: { reports: [makeReport({ at: ctx.clock(), downMbps: 150, displays: [projector], reachable })] },
    bearer: enrolled.body.deviceKey,
  });
  expect(sent.status).toBe(200);
}

describe('a province deployment', () => {
  it('loads the province’s subtree and the Ministry’s share targets, and rolls schools up every level', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '620000', roster: gansuRoster });
    const plan = await currentPlan(ctx.store);
    expect(plan.root).toMatchObject({ code: '620000', name: '甘肃省' });
    expect(plan.indicators.schoolsConnected.share).toBe(1);

    await report('6229210001', '1', true);
    await report('6229210002', '1', false);
    await report('6201020001', '1', true);

    const province = await readCoverage(ctx.store, null, ctx.clock());
    expect(province.division).toMatchObject({ code: '620000', level: 'province' });
    expect(province.schools).toMatchObject({ registered: 3, connected: 2, target: 3, targetShare: 1 });
    expect(province.children.map((c) => c.code)).toContain('622900');
    expect(province.children.find((c) => c.code === '622900')!.schools).toMatchObject({ registered: 2, connected: 1 });
    expect(province.children.find((c) => c.code === '620100')!.schools).toMatchObject({ registered: 1, connected: 1 });
    expect(province.children.find((c) => c.code === '620500')!.schools.registered).toBe(0);
    expect(province.countyPage.total).toBeGreaterThan(80);

    const linxia = await readCoverage(ctx.store, '622900', ctx.clock());
    expect(linxia.division.level).toBe('prefecture');
    expect(linxia.children).toHaveLength(8);
    expect(linxia.schools).toMatchObject({ registered: 2, connected: 1, target: 2 });
    expect(linxia.counties.find((c) => c.code === '622921')!.classrooms.registered).toBe(3);

    const county = await readCoverage(ctx.store, '622921', ctx.clock());
    expect(county.children).toEqual([]);
    expect(county.counties.map((c) => c.code)).toEqual(['622921']);

    // Every level equals a recomputation from raw evidence, now and after the evidence ages out.
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
    ctx.clock.advance(40 * 86_400_000);
    expect((await readCoverage(ctx.store, null, ctx.clock())).schools.connected).toBe(0);
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
  });

  it('names a corrupted row at any level', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '620000', roster: gansuRoster });
    await report('6201020001', '1', true);
    ctx.db.$client.prepare(`update division_rollups set schools_connected = 5 where division_code = '620100'`).run();
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toContain(
      'prefecture 620100 schoolsConnected: stored 5, recomputed 1',
    );
    ctx.db.$client.prepare(`update division_rollups set schools_connected = 1 where division_code = '620100'`).run();
  });

  it('refuses a school outside the root, saying where it belongs', async () => {
    ctx = await createTestContext({ root: '620000', roster: gansuRoster });
    const file = `${ctx.dataDir}/outside.csv`;
    (await import('node:fs')).writeFileSync(
      file,
      'code,name,county_code,type_code,urban_rural_code,classroom_count\n1,西宁某校,630102,211,111,1\n2,临夏州,622900,211,111,1\n',
    );
    const run = await santong(['import-schools', file, '--data-dir', ctx.dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "line 2: county_code: 630102 (城东区) is outside this deployment's root 620000 (甘肃省)",
    );
    expect(run.stderr).toContain('line 3: county_code: 622900 (临夏回族自治州) is a prefecture');
  });
});

describe('the deployment root', () => {
  it('is Linxia by default, stored at first use, and a different root later is refused', async () => {
    ctx = await createTestContext();
    expect((await readCoverage(ctx.store, null, ctx.clock())).division).toMatchObject({
      code: '622900',
      level: 'prefecture',
    });
    await expect(establishRoot(ctx.store, '620000', ctx.clock())).rejects.toThrow(RootError);
    await expect(establishRoot(ctx.store, '620000', ctx.clock())).rejects.toThrow(
      /tracks 622900 \(临夏回族自治州\), not 620000/,
    );
    const cli = await santong(['verify', '--data-dir', ctx.dataDir, '--root', '620000']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('this data directory tracks 622900');
    const env = await santong(['verify', '--data-dir', ctx.dataDir], { env: { SANTONG_ROOT_DIVISION: '622900' } });
    expect(env.code).toBe(0);
  });

  it('refuses a county, an unknown code and a non-code as a root, naming what is accepted', async () => {
    for (const [code, said] of [
      ['622921', 'is a county'],
      ['629900', 'no prefecture of that code'],
    ] as const) {
      const dir = (ctx = await createTestContext()).dataDir;
      await ctx.cleanup();
      const store = sqliteStore(openDatabase(`${dir}-${code}`));
      await expect(establishRoot(store, code, Date.now())).rejects.toThrow(said);
      await store.close();
    }
  });

  it('serves the whole country from 000000: provinces under the country, every county-level division', async () => {
    ctx = await createTestContext({ root: '000000', roster: gansuRoster });
    // Unasked, the country's answer is its 31 provinces; its counties come a page at a time on request (decision 162).
    const country = await readCoverage(ctx.store, null, ctx.clock(), { page: 1, pageSize: 100 });
    expect(country.division).toMatchObject({ code: '000000', level: 'country' });
    expect(country.children).toHaveLength(31);
    expect(country.countyPage).toEqual({ page: 1, pageSize: 0, total: expect.any(Number) });
    expect(country.countyPage.total).toBeGreaterThan(2800);
    expect(country.counties).toEqual([]);
    expect(
      (await readCoverage(ctx.store, null, ctx.clock(), { page: 1, pageSize: 100, counties: true })).counties,
    ).toHaveLength(100);
    expect(country.children.find((p) => p.code === '620000')!.schools.registered).toBe(3);
  });
});
