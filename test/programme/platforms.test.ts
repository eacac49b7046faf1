import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runPlatformProbes } from '../../server/programme/platform-probe.ts';
import { readPlatformCoverage } from '../../server/programme/platforms.ts';
import { requestJson } from '../helpers/http.ts';
import { createTestContext, testClock, type TestContext, testRoster } from '../helpers/server.ts';

let ctx: TestContext;
const servers: http.Server[] = [];
afterEach(async () => {
  await ctx?.cleanup();
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))),
  );
});

async function platformServer(): Promise<string> {
  const server = http.createServer((_req, res) => res.end('ok'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

// 6229210001 is the centre school (中心校) of 6229210002; 康乐 has no centre school in the roster.
const roster = testRoster.map((s) => (s.code === '6229210002' ? { ...s, centre_school_code: '6229210001' } : s));
const level = (coverage: { levels: { level: string }[] }, name: string) =>
  coverage.levels.find((l) => l.level === name);

describe('platform registry and coverage (两平台)', () => {
  it('registers platforms over the API, bureau tokens only, and validates owner, URL and date', async () => {
    ctx = await createTestContext({ clock: testClock('2019-03-01T08:00:00Z'), roster });
    const bureau = await ctx.apiToken();
    const post = (body: unknown, bearer = bureau) =>
      requestJson(ctx.app, 'POST', '/api/v1/platforms', { body, bearer });
    const base = {
      kind: 'resource',
      level: 'county',
      ownerCode: '622921',
      name: '临夏县教育资源平台',
      url: 'https://zy.lxx.example.cn/',
      builtOn: '2018-09-01',
      reason: 'county letter 2018-09',
    };

    const created = await post(base);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 1,
      kind: 'resource',
      level: 'county',
      ownerCode: '622921',
      countyCode: '622921',
      name: base.name,
      url: base.url,
      builtOn: '2018-09-01',
      status: null,
    });

    expect((await post(base, await ctx.apiToken('622921'))).body.code).toBe('bureau_only');
    expect((await requestJson(ctx.app, 'POST', '/api/v1/platforms', { body: base })).status).toBe(401);
    const badOwner = await post({ ...base, ownerCode: '622900' });
    expect(badOwner.status).toBe(400);
    expect(badOwner.body.error).toMatch(/a county platform belongs to a county of the plan \(622901 临夏市/);
    expect((await post({ ...base, level: 'centre-school', ownerCode: '9999999999' })).body.code).toBe('owner_unknown');
    expect((await post({ ...base, builtOn: '2019-03-02' })).body.code).toBe('built_in_future');
    const bad = await post({ ...base, url: 'file:///etc/passwd', kind: 'library', reason: '' });
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['kind', 'reason', 'url']);

    const patched = await requestJson(ctx.app, 'PATCH', '/api/v1/platforms/1', {
      body: { builtOn: null, reason: 'not yet accepted after all' },
      bearer: bureau,
    });
    expect(patched.body).toMatchObject({ id: 1, builtOn: null });
    expect(
      (await requestJson(ctx.app, 'PATCH', '/api/v1/platforms/1', { body: { reason: 'nothing' }, bearer: bureau }))
        .status,
    ).toBe(400);
    expect(
      (await requestJson(ctx.app, 'PATCH', '/api/v1/platforms/9', { body: { name: 'x', reason: 'r' }, bearer: bureau }))
        .status,
    ).toBe(404);

    await post({ ...base, level: 'prefecture', ownerCode: '622900', kind: 'management', name: '州教育管理平台' });
    await post({ ...base, ownerCode: '622922', name: '康乐县资源平台' });
    const countyView = await requestJson(ctx.app, 'GET', '/api/v1/platforms', { bearer: await ctx.apiToken('622921') });
    expect(countyView.body.platforms.map((p: { id: number }) => p.id)).toEqual([1, 2]);
    const csv = await requestJson(ctx.app, 'GET', '/api/v1/platforms?format=csv', { bearer: bureau });
    expect(csv.body.split('\r\n')[0]).toBe(
      'id,kind,level,owner_code,county_code,name,url,built_on,last_probe_at,reachable,status_code,error,uptime_7d,uptime_30d,median_latency_ms',
    );

    expect((await requestJson(ctx.app, 'DELETE', '/api/v1/platforms/3', { bearer: bureau })).status).toBe(400);
    expect(
      (await requestJson(ctx.app, 'DELETE', '/api/v1/platforms/3?reason=duplicate', { bearer: bureau })).body,
    ).toEqual({ removed: 3 });
    expect((await requestJson(ctx.app, 'GET', '/api/v1/platforms', { bearer: bureau })).body.platforms).toHaveLength(2);
  });

  it('counts units per level against the plan, declared built and reachable apart, once per unit and kind', async () => {
    const clock = testClock('2019-03-01T08:00:00Z');
    ctx = await createTestContext({ clock, roster });
    const bureau = await ctx.apiToken();
    const up = await platformServer();
    const add = (body: Record<string, unknown>) =>
      requestJson(ctx.app, 'POST', '/api/v1/platforms', {
        body: { kind: 'resource', name: 'p', url: up, builtOn: null, reason: 'register', ...body },
        bearer: bureau,
      });
    await add({ level: 'prefecture', ownerCode: '622900', builtOn: '2017-06-01' });
    await add({ level: 'prefecture', ownerCode: '622900', kind: 'management', url: 'http://127.0.0.1:1/' }); // neither built nor reachable
    await add({ level: 'county', ownerCode: '622921', builtOn: '2018-05-01' });
    await add({ level: 'county', ownerCode: '622921', builtOn: '2018-06-01' }); // a second resource platform: the county still counts once
    await add({ level: 'county', ownerCode: '622922' }); // reachable, never declared built
    await add({ level: 'centre-school', ownerCode: '6229210001', kind: 'management', builtOn: '2019-01-15' });

    const beforeProbes = await requestJson(ctx.app, 'GET', '/api/v1/platforms/coverage', { bearer: bureau });
    expect(level(beforeProbes.body, 'county')).toEqual({
      level: 'county',
      dueBy: 2018,
      due: true,
      units: 8,
      expected: 8,
      resource: { declaredBuilt: 1, reachable: 0 },
      management: { declaredBuilt: 0, reachable: 0 },
    });

    await runPlatformProbes(ctx.store, { clock, timeoutMs: 2000 });
    const coverage = await requestJson(ctx.app, 'GET', '/api/v1/platforms/coverage', { bearer: bureau });
    expect(coverage.body.scope).toEqual({ level: 'prefecture', code: '622900' });
    expect(coverage.body.levels).toEqual([
      {
        level: 'prefecture',
        dueBy: 2017,
        due: true,
        units: 1,
        expected: 1,
        resource: { declaredBuilt: 1, reachable: 1 },
        management: { declaredBuilt: 0, reachable: 0 },
      },
      {
        level: 'county',
        dueBy: 2018,
        due: true,
        units: 8,
        expected: 8,
        resource: { declaredBuilt: 1, reachable: 2 },
        management: { declaredBuilt: 0, reachable: 0 },
      },
      // Due by the end of 2019: on 2019-03-01 not yet expected.
      {
        level: 'centre-school',
        dueBy: 2019,
        due: false,
        units: 1,
        expected: 0,
        resource: { declaredBuilt: 0, reachable: 0 },
        management: { declaredBuilt: 1, reachable: 1 },
      },
    ]);

    const kangle = await readPlatformCoverage(ctx.store, '622922', clock());
    expect(kangle.scope).toEqual({ level: 'county', code: '622922' });
    expect(level(kangle, 'county')).toMatchObject({ units: 1, resource: { declaredBuilt: 0, reachable: 1 } });
    expect(level(kangle, 'centre-school')).toMatchObject({ units: 0, management: { declaredBuilt: 0, reachable: 0 } });
    const countyToken = await requestJson(ctx.app, 'GET', '/api/v1/platforms/coverage', {
      bearer: await ctx.apiToken('622922'),
    });
    expect(countyToken.body.levels).toEqual(kangle.levels);

    clock.set('2020-01-01T00:00:00+08:00');
    expect(level(await readPlatformCoverage(ctx.store, null, clock()), 'centre-school')).toMatchObject({
      due: true,
      expected: 1,
    });
  });
});
