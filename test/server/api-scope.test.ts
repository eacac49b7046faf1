import { afterEach, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { openApiPath } from '../../server/http/openapi.ts';
import { requestJson } from '../helpers/http.ts';
import { createTestContext, useDialectContexts, type TestContext } from '../helpers/server.ts';

/*
 * What a bureau token or a county's sees, on SQLite and on PostgreSQL alike (issue 14, decision 198): scope is
 * applied by the reads' queries, which differ by dialect. The OpenAPI document does not touch the database.
 */
const createOn = useDialectContexts();
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

// PostgreSQL first: the SQLite run gives the pool's sockets time to close before the file's server stops.
describe.each(['postgres', 'sqlite'] as const)('on %s', (dialect) => {
  describe('bureau API scope', () => {
    it('refuses every API read without a valid token', async () => {
      ctx = await createOn(dialect);
      for (const path of [
        '/api/v1/coverage',
        '/api/v1/coverage/counties/622921',
        '/api/v1/schools/6229210001',
        '/api/v1/plan',
      ]) {
        expect((await requestJson(ctx.app, 'GET', path)).status, path).toBe(401);
        expect((await requestJson(ctx.app, 'GET', path, { bearer: 'sta_wrong' })).status, path).toBe(401);
      }
    });

    it('confines a county-scoped token to its county in every read', async () => {
      ctx = await createOn(dialect);
      const token = await ctx.apiToken('622921');
      const coverage = await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: token });
      expect(coverage.body.scope).toEqual({ level: 'county', code: '622921' });
      expect(coverage.body.counties.map((c: { code: string }) => c.code)).toEqual(['622921']);
      expect(coverage.body.schools).toMatchObject({ target: null, registered: 2 });

      expect((await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622921', { bearer: token })).status).toBe(
        200,
      );
      const otherCounty = await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622922', { bearer: token });
      expect(otherCounty.status).toBe(403);
      expect(otherCounty.body.code).toBe('out_of_scope');
      expect(
        (await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622922?format=csv', { bearer: token })).status,
      ).toBe(403);
      for (const path of [
        '/api/v1/schools/6229220001',
        '/api/v1/schools/6229220001/devices?format=csv',
        '/api/v1/schools/6229220001/classrooms',
      ]) {
        expect((await requestJson(ctx.app, 'GET', path, { bearer: token })).status, path).toBe(403);
      }
      expect((await requestJson(ctx.app, 'GET', '/api/v1/schools/6229210001', { bearer: token })).status).toBe(200);
    });

    it('filters and paginates a county’s schools', async () => {
      ctx = await createOn(dialect);
      const token = await ctx.apiToken();
      const page = await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622921?pageSize=1&page=2', {
        bearer: token,
      });
      expect(page.body.schools).toMatchObject({ total: 2, page: 2, pageSize: 1 });
      expect(page.body.schools.rows.map((r: { code: string }) => r.code)).toEqual(['6229210002']);
      const search = await requestJson(
        ctx.app,
        'GET',
        `/api/v1/coverage/counties/622921?q=${encodeURIComponent('教学点')}&connected=false&noAgent=true`,
        { bearer: token },
      );
      expect(search.body.schools.rows.map((r: { name: string }) => r.name)).toEqual(['测试教学点']);
      const bad = await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622921?connected=maybe&pageSize=5000', {
        bearer: token,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['connected', 'pageSize']);
      expect((await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/629999', { bearer: token })).status).toBe(
        404,
      );
    });

    it('returns the plan with its targets and milestones', async () => {
      ctx = await createOn(dialect);
      const plan = await requestJson(ctx.app, 'GET', '/api/v1/plan', { bearer: await ctx.apiToken() });
      expect(plan.body.root.code).toBe('622900');
      expect(plan.body.divisions).toHaveLength(8);
      expect(plan.body.indicators.schoolsConnected).toMatchObject({
        target: 1492,
        milestones: [
          { year: 2015, cumulative: 1050 },
          { year: 2016, cumulative: 1492 },
        ],
      });
      expect(plan.body.indicators.classroomsEquipped.target).toBe(8926);
      expect(plan.body.indicators.teacherSpaces.target).toBe(17859);
    });
  });

  describe('coverage and divisions at every level (issue 13)', () => {
    const gansu = [
      ['6229210001', '622921'],
      ['6201020001', '620102'],
    ].map(([code, county]) => ({
      code: code!,
      name: `测试学校 ${code}`,
      county_code: county!,
      type_code: '211',
      urban_rural_code: '220',
      classroom_count: 1,
    }));

    it('answers ?division for any division in scope with its children, and 400, 403, 404 naming the fix', async () => {
      ctx = await createOn(dialect, { root: '620000', roster: gansu });
      const root = await ctx.apiToken();
      const top = await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: root });
      expect(top.body.division).toMatchObject({ code: '620000', level: 'province' });
      expect(top.body.children.find((c: { code: string }) => c.code === '622900')).toMatchObject({
        level: 'prefecture',
        schools: { registered: 1 },
      });
      const linxia = await requestJson(ctx.app, 'GET', '/api/v1/coverage?division=622900', { bearer: root });
      expect(linxia.body.division).toMatchObject({ code: '622900', name: '临夏回族自治州', level: 'prefecture' });
      expect(linxia.body.children).toHaveLength(8);
      expect(linxia.body.schools.registered).toBe(1);
      expect(linxia.body.teacherSpaces).toBeDefined();

      const bad = await requestJson(ctx.app, 'GET', '/api/v1/coverage?division=6229', { bearer: root });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('6-digit administrative division code');
      const unknown = await requestJson(ctx.app, 'GET', '/api/v1/coverage?division=629900', { bearer: root });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toContain('no division 629900 under 620000');
      const prefecture = await ctx.apiToken('622900');
      const own = await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: prefecture });
      expect(own.body.division.code).toBe('622900');
      const outside = await requestJson(ctx.app, 'GET', '/api/v1/coverage?division=620100', { bearer: prefecture });
      expect(outside.status).toBe(403);
      expect(outside.body.error).toBe(
        'this token is scoped to division 622900; it cannot read division 620100; read /api/v1/divisions/622900 for what it can',
      );
      const up = await requestJson(ctx.app, 'GET', '/api/v1/coverage?division=620000', { bearer: prefecture });
      expect(up.status).toBe(403);
    });

    it('exports the children of the division read as CSV and XLSX', async () => {
      ctx = await createOn(dialect, { root: '620000', roster: gansu });
      const csv = await ctx.app.request('/api/v1/coverage?format=csv', {
        headers: { authorization: `Bearer ${await ctx.apiToken()}` },
      });
      expect(csv.headers.get('content-disposition')).toContain('coverage-counties.csv');
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toMatch(/^code,name,schools_registered,.*,level$/);
      expect(lines.find((l) => l.startsWith('622900,'))).toMatch(/^622900,临夏回族自治州,1,.*,prefecture$/);
      const xlsx = await ctx.app.request('/api/v1/coverage?division=622900&format=xlsx', {
        headers: { authorization: `Bearer ${await ctx.apiToken()}` },
      });
      expect(xlsx.status).toBe(200);
      expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
      expect(xlsx.headers.get('content-disposition')).toContain('coverage-counties.xlsx');
    });

    it('returns a division with its children and its breadcrumb, the principal’s own at /divisions', async () => {
      ctx = await createOn(dialect, { root: '620000', roster: gansu });
      const root = await ctx.apiToken();
      const top = await requestJson(ctx.app, 'GET', '/api/v1/divisions', { bearer: root });
      expect(top.body).toMatchObject({
        code: '620000',
        name: '甘肃省',
        level: 'province',
        parent: null,
        ancestors: [],
      });
      expect(top.body.children.map((c: { code: string }) => c.code)).toContain('622900');
      const county = await requestJson(ctx.app, 'GET', '/api/v1/divisions/622921', { bearer: root });
      expect(county.body).toMatchObject({
        code: '622921',
        name: '临夏县',
        level: 'county',
        parent: '622900',
        children: [],
      });
      expect(county.body.ancestors.map((a: { code: string }) => a.code)).toEqual(['620000', '622900']);
      const county2 = await ctx.apiToken('622921');
      expect((await requestJson(ctx.app, 'GET', '/api/v1/divisions', { bearer: county2 })).body.code).toBe('622921');
      expect((await requestJson(ctx.app, 'GET', '/api/v1/divisions/622900', { bearer: county2 })).status).toBe(403);
      expect((await requestJson(ctx.app, 'GET', '/api/v1/divisions/62290', { bearer: root })).status).toBe(400);
      const unknown = await requestJson(ctx.app, 'GET', '/api/v1/divisions/629900', { bearer: root });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toContain('GET /api/v1/divisions lists the root');
    });
  });
});

describe('OpenAPI document', () => {
  it('documents every API route the app serves (pages are HTML, not API), generated from the routes’ own schemas', async () => {
    ctx = await createTestContext();
    const { body: document } = await requestJson(ctx.app, 'GET', '/api/v1/openapi.json');
    expect(document.openapi).toBe('3.1.0');
    const served = ctx.app.routes
      .filter(
        (r) =>
          r.method !== 'ALL' &&
          (r.path.startsWith('/api/') || r.path === '/healthz') &&
          r.path !== '/api/v1/openapi.json',
      )
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    const documented = Object.entries(document.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(new Set(documented)).toEqual(new Set(served));
    expect(routeDocs.length).toBe(documented.length);
    const reportBody = document.paths['/api/v1/reports'].post.requestBody.content['application/json'].schema;
    expect(reportBody.properties.reports.maxItems).toBe(500);
    expect(reportBody.properties.reports.items.required).toEqual(
      expect.arrayContaining(['id', 'collectedAt', 'network']),
    );
    const countyParams = document.paths['/api/v1/coverage/counties/{code}'].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(countyParams).toEqual(
      expect.arrayContaining(['code', 'connected', 'meetsStandard', 'page', 'pageSize', 'format']),
    );
  });
});
