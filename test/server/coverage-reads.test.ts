import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, testRoster, type TestContext } from '../helpers/server.ts';

/*
 * Coverage reads keep what they build from the rollups, the plan, teacher spaces and platforms until
 * read_model_version moves (server/db/read-cache.ts). These scenarios read first, so the cache
 * is warm, then change something and read again: a stale answer fails them.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const linxiaCounties = ['622901', '622921', '622922', '622923', '622924', '622925', '622926', '622927'];

async function coverage(query = '', bearer?: string) {
  const token = bearer ?? (await ctx.apiToken());
  const response = await requestJson(ctx.app, 'GET', `/api/v1/coverage${query}`, { bearer: token });
  expect(response.status).toBe(200);
  return response.body;
}

async function enrollAndReport(schoolCode: string, classroom: string) {
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(schoolCode),
      hostname: 'class-pc',
      hardware: { uuid: `8f2d6a52-1f7e-4b7b-9d55-${schoolCode}00` },
      classroom,
    },
  });
  expect(enrolled.status).toBe(201);
  const report = makeReport({ at: ctx.clock() - 60_000, displays: [projector] });
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    bearer: enrolled.body.deviceKey,
    body: { reports: [report] },
  });
  expect(sent.status).toBe(200);
}

describe('coverage reads', () => {
  it('answer a change made on the same connection at the next read: a report that connects a school', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T02:00:00Z') });
    const before = await coverage();
    expect(before.schools.connected).toBe(0);
    expect(before.classrooms.equipped).toBe(0);

    await enrollAndReport('6229210001', '1');
    const after = await coverage();
    expect(after.schools.connected).toBe(1);
    expect(after.classrooms.equipped).toBe(1);
    expect(after.counties.find((c: { code: string }) => c.code === '622921').schools.connected).toBe(1);
    expect((await coverage('', await ctx.apiToken('622921'))).schools.connected).toBe(1);
  });

  it('answer changes another process made (the CLI writes through its own connection)', async () => {
    // The CLI stamps its writes with the wall clock, so the scenario runs on it too.
    ctx = await createTestContext();
    const env = { SANTONG_DATA_DIR: ctx.dataDir };
    const before = await coverage();
    expect(before.teacherSpaces.teachers).toBe(0);
    expect(before.schools.registered).toBe(3);
    expect(
      before.platforms.levels.find((l: { level: string }) => l.level === 'prefecture').resource.declaredBuilt,
    ).toBe(0);

    const spaces = path.join(ctx.dataDir, 'spaces.csv');
    fs.writeFileSync(spaces, 'school_code,teachers,spaces_opened,spaces_verified\n6229210001,40,35,30\n');
    expect((await santong(['import-teacher-spaces', spaces], { env })).code).toBe(0);
    const roster = path.join(ctx.dataDir, 'roster.csv');
    fs.writeFileSync(
      roster,
      'code,name,county_code,type_code,urban_rural_code,classroom_count\n6229230001,积石山测试小学,622923,211,220,4\n',
    );
    expect((await santong(['import-schools', roster], { env })).code).toBe(0);
    const platform = [
      'platform',
      'add',
      '--kind',
      'resource',
      '--level',
      'prefecture',
      '--owner',
      '622900',
      '--name',
      '临夏州教育资源公共服务平台',
      '--url',
      'http://127.0.0.1:9/',
      '--built-on',
      '2017-06-01',
      '--reason',
      'built 2017',
    ];
    const added = await santong(platform, { env });
    expect(added.code, added.stderr).toBe(0);

    const after = await coverage();
    expect(after.teacherSpaces).toMatchObject({ teachers: 40, opened: 35, verified: 30, schoolsDeclared: 1 });
    expect(after.schools.registered).toBe(4);
    expect(after.classrooms.registered).toBe(10);
    expect(after.counties.find((c: { code: string }) => c.code === '622923').schools.registered).toBe(1);
    expect(after.platforms.levels.find((l: { level: string }) => l.level === 'prefecture').resource.declaredBuilt).toBe(
      1,
    );
  });

  it('page the county rows; totals and CSV cover every county', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T02:00:00Z') });
    await enrollAndReport('6229220001', '1');
    const whole = await coverage();
    expect(whole.countyPage).toEqual({ page: 1, pageSize: 100, total: 8 });
    expect(whole.counties.map((c: { code: string }) => c.code)).toEqual(linxiaCounties);

    const page = await coverage('?page=2&pageSize=3');
    expect(page.countyPage).toEqual({ page: 2, pageSize: 3, total: 8 });
    expect(page.counties.map((c: { code: string }) => c.code)).toEqual(linxiaCounties.slice(3, 6));
    expect(page.teacherSpaces.counties.map((c: { code: string }) => c.code)).toEqual(linxiaCounties.slice(3, 6));
    // The figures above the rows are the whole prefecture's on every page, 康乐县's school (page 1) included.
    expect(page.schools).toEqual(whole.schools);
    expect(page.teacherSpaces.teachers).toBe(whole.teacherSpaces.teachers);
    expect((await coverage('?page=4&pageSize=3')).counties).toEqual([]);

    const csv = await requestJson(ctx.app, 'GET', '/api/v1/coverage?format=csv&pageSize=3', {
      bearer: await ctx.apiToken(),
    });
    expect(csv.body.trim().split('\r\n')).toHaveLength(1 + 8);

    const tooBig = await requestJson(ctx.app, 'GET', '/api/v1/coverage?pageSize=1001', {
      bearer: await ctx.apiToken(),
    });
    expect(tooBig.status).toBe(400);
    expect(JSON.stringify(tooBig.body.issues)).toContain('pageSize');
  });

  it("search a county's schools for % and _ as the characters they are", async () => {
    ctx = await createTestContext({
      roster: [...testRoster, { ...testRoster[0]!, code: '6229210003', name: '测试_100%小学' }],
    });
    const search = async (q: string) => {
      const response = await requestJson(
        ctx.app,
        'GET',
        `/api/v1/coverage/counties/622921?q=${encodeURIComponent(q)}`,
        { bearer: await ctx.apiToken() },
      );
      expect(response.status).toBe(200);
      return response.body.schools.rows.map((r: { code: string }) => r.code);
    };
    expect(await search('_')).toEqual(['6229210003']);
    expect(await search('100%')).toEqual(['6229210003']);
    expect(await search('测试')).toEqual(['6229210001', '6229210002', '6229210003']);
    expect(await search('0%1')).toEqual([]);
  });
});
