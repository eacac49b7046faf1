import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { parseServerConfig } from '../../server/config.ts';
import { addPlatform } from '../../server/programme/platform-registry.ts';
import { declareTeacherSpaces } from '../../server/programme/teacher-spaces.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { byTest, createTestContext, testClock, testRoster, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** Every key and every string or number value anywhere in a JSON document. */
function leaves(value: unknown, keys: Set<string>, values: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => leaves(v, keys, values));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      keys.add(k);
      leaves(v, keys, values);
    }
  } else if (typeof value === 'string' || typeof value === 'number') values.add(String(value));
}

describe('public disclosure (信息公开)', () => {
  it('is off unless the server turns it on', async () => {
    ctx = await createTestContext();
    const off = await requestJson(ctx.app, 'GET', '/api/v1/public/coverage');
    expect(off.status).toBe(404);
    expect(parseServerConfig({}, {}).publicDisclosure).toBe(false);
    expect(parseServerConfig({}, { SANTONG_PUBLIC_DISCLOSURE: '1' }).publicDisclosure).toBe(true);
    expect(() => parseServerConfig({}, { SANTONG_PUBLIC_DISCLOSURE: 'yes' })).toThrow(
      /SANTONG_PUBLIC_DISCLOSURE takes 1 or 0/,
    );
  });

  it('serves county and prefecture aggregates without a token, and no school, device or person anywhere in it', async () => {
    const clock = testClock('2026-03-01T08:00:00Z');
    ctx = await createTestContext({
      clock,
      roster: testRoster.map((s) => (s.code === '6229210002' ? { ...s, centre_school_code: '6229210001' } : s)),
    });
    const app = createApp({
      store: ctx.store,
      logger: pino({ level: 'silent' }),
      clock,
      maxReportBodyBytes: 1024 * 1024,
      publicDisclosure: true,
    });

    // Evidence from a real enrolled device, declared figures and platforms, so every part has something to leak.
    const enrolled = await requestJson(app, 'POST', '/api/v1/enroll', {
      body: {
        token: await ctx.enrollmentToken('6229210001'),
        hostname: 'class-1-pc',
        hardware: { uuid: '8f2d6a52-1f7e-4b7b-9d55-2a0c2f1d7c11' },
        classroom: '1',
      },
    });
    const report = makeReport({ at: clock() - 60_000, downMbps: 120, displays: [projector] });
    expect(
      (
        await requestJson(app, 'POST', '/api/v1/reports', {
          body: { reports: [report] },
          bearer: enrolled.body.deviceKey,
        })
      ).status,
    ).toBe(200);
    await declareTeacherSpaces(
      ctx.store,
      '6229210001',
      { teachers: 40, spacesOpened: 35, spacesVerified: 30 },
      { actor: 'user:officer-wang', reason: 'operator report' },
      clock(),
    );
    await addPlatform(
      ctx.store,
      {
        kind: 'resource',
        level: 'centre-school',
        ownerCode: '6229210001',
        name: '韩集中心校资源平台',
        url: 'http://zy.hanji.example.cn/',
        builtOn: '2019-05-01',
      },
      byTest,
      clock(),
    );

    const published = await requestJson(app, 'GET', '/api/v1/public/coverage');
    expect(published.status).toBe(200);
    expect(published.body.prefecture).toMatchObject({
      code: '622900',
      schools: { target: 1492, registered: 3, connected: 1, meetingStandard: 1 },
      classrooms: { target: 8926, registered: 6, equipped: 1 },
      teacherSpaces: { target: 17859, teachers: 40, opened: 35, verified: 30, declared: true },
    });
    const linxia = published.body.counties.find((c: { code: string }) => c.code === '622921');
    expect(linxia).toMatchObject({
      schools: { registered: 2, connected: 1 },
      teacherSpaces: { opened: 35, declared: true },
      platforms: { centreSchools: { units: 1, resource: { declaredBuilt: 1, reachable: 0 } } },
    });

    const keys = new Set<string>();
    const values = new Set<string>();
    leaves(published.body, keys, values);
    const schoolLevelKeys = [
      'school',
      'schoolCode',
      'ownerCode',
      'url',
      'name_',
      'hostname',
      'devices',
      'device',
      'deviceId',
      'classroom',
      'rows',
      'updatedBy',
      'actor',
      'township',
      'bandwidthMbps',
    ];
    for (const key of schoolLevelKeys) expect(keys, key).not.toContain(key);
    const schoolLevelValues = [
      ...testRoster.flatMap((s) => [s.code, s.name, s.township ?? '']),
      'class-1-pc',
      enrolled.body.deviceId,
      'user:officer-wang',
      'cli:test',
      '韩集中心校资源平台',
      'http://zy.hanji.example.cn/',
    ];
    for (const value of schoolLevelValues) expect(values, value).not.toContain(value);
    // The only codes are the prefecture's and its counties'.
    const codes = [...values].filter((v) => /^\d{6,}$/.test(v));
    expect(
      codes.every((v) => v === '622900' || /^6229\d{2}$/.test(v)),
      codes.join(','),
    ).toBe(true);

    // The public page shows the same aggregates and nothing school-level either.
    const page = await app.request('/public');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('临夏县');
    expect(html).toContain('1 / 2');
    for (const value of schoolLevelValues) expect(html, value).not.toContain(value);
    expect((await ctx.app.request('/public')).status).toBe(404);
  });
});
