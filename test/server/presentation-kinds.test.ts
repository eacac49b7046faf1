import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { createDashboardUsers, DashboardClient } from '../helpers/dashboard.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Issue 17: a large-display kind counts for 班班通 beside projectors and interactive panels, every figure
 * shows the three apart, each display says why it got its kind, and version-1 agents keep working.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
let ctx: TestContext;
let apiToken: string;
afterEach(() => ctx?.cleanup());

const panel = {
  kind: 'interactive-panel',
  vendor: 'CVT',
  model: 'CVTE TV',
  connection: 'HDMI-A-1',
  widthCm: 190,
  heightCm: 107,
  touch: true,
  evidence: ['size', 'touch'] as string[],
} as const;
const tv = {
  kind: 'large-display',
  vendor: 'SAM',
  model: 'SAMSUNG',
  connection: 'HDMI-A-1',
  widthCm: 144,
  heightCm: 81,
  touch: false,
  evidence: ['size', 'cta'] as string[],
} as const;

async function enrolled(schoolCode: string, classroom: string) {
  const response = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(schoolCode),
      hostname: `pc-${classroom}`,
      hardware: { uuid: crypto.randomUUID() },
      classroom,
    },
  });
  expect(response.status).toBe(201);
  const { deviceKey } = response.body as { deviceKey: string };
  return async (report: ReturnType<typeof makeReport>) => {
    const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [report] },
      bearer: deviceKey,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  };
}
const get = async (path: string) => (await requestJson(ctx.app, 'GET', path, { bearer: apiToken })).body;

/** A report as a version-1 agent sent it: no evidence, no size, no touch, kinds it knew then. */
const versionOne = (at: number) => ({ ...makeReport({ at, displays: [projector] }), schemaVersion: 1 });

async function threeClassrooms() {
  ctx = await createTestContext({ clock: testClock(T0) });
  apiToken = await ctx.apiToken();
  const room1 = await enrolled('6229210001', '1');
  const room2 = await enrolled('6229210001', '2');
  const room3 = await enrolled('6229210001', '3');
  await room1(versionOne(ctx.clock()));
  await room2(makeReport({ at: ctx.clock(), displays: [panel] }));
  await room3(
    makeReport({
      at: ctx.clock(),
      displays: [
        tv,
        { kind: 'monitor', vendor: 'DEL', model: 'DELL P2419H', widthCm: 53, heightCm: 30, evidence: ['size'] },
      ],
    }),
  );
  return { room1, room2, room3 };
}

describe('equipped classrooms by presentation kind', () => {
  it('counts a version-1 report as before and a version-2 large display beside it, apart in every figure', async () => {
    await threeClassrooms();
    const stored = ctx.db.$client
      .prepare(
        'select schema_version as v, presentation_display as p, presentation_kind as k from reports order by v, k',
      )
      .all();
    expect(stored).toEqual([
      { v: 1, p: 1, k: 'projector' },
      { v: 2, p: 1, k: 'interactive-panel' },
      { v: 2, p: 1, k: 'large-display' },
    ]);

    const coverage = await get('/api/v1/coverage');
    expect(coverage.classrooms).toMatchObject({
      equipped: 3,
      equippedBy: { projector: 1, interactivePanel: 1, largeDisplay: 1 },
    });
    const county = coverage.counties.find((c: { code: string }) => c.code === '622921');
    expect(county.classrooms.equippedBy).toEqual({ projector: 1, interactivePanel: 1, largeDisplay: 1 });
    const schools = await get('/api/v1/coverage/counties/622921');
    expect(schools.schools.rows.find((s: { code: string }) => s.code === '6229210001').classrooms.equippedBy).toEqual({
      projector: 1,
      interactivePanel: 1,
      largeDisplay: 1,
    });

    const school = await get('/api/v1/schools/6229210001');
    expect(
      school.classrooms.map((c: { code: string; equippedKind: string | null }) => [c.code, c.equippedKind]),
    ).toEqual([
      ['1', 'projector'],
      ['2', 'interactive-panel'],
      ['3', 'large-display'],
    ]);
    const displays = Object.fromEntries(
      school.devices.map((d: { classroom: string; displays: unknown[] }) => [d.classroom, d.displays]),
    );
    // The version-1 agent said nothing about why: its display has no evidence, size or touch.
    expect(displays['1']).toEqual([
      {
        kind: 'projector',
        vendor: 'EPS',
        model: 'EB-X41',
        connection: 'HDMI',
        widthCm: null,
        heightCm: null,
        diagonalInches: null,
        touch: null,
        evidence: [],
      },
    ]);
    expect(displays['2']).toEqual([{ ...panel, diagonalInches: 85.8, evidence: ['size', 'touch'] }]);
    expect(displays['3']).toHaveLength(2);
    expect(displays['3'][0]).toMatchObject({
      kind: 'large-display',
      diagonalInches: 65,
      touch: false,
      evidence: ['size', 'cta'],
    });

    const countyCsv = await ctx.app.request('/api/v1/coverage?format=csv', {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    const [header, ...rows] = (await countyCsv.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const columns = header!.split(',');
    const linxiaCounty = rows.find((r) => r.startsWith('622921'))!.split(',');
    expect(
      [
        'classrooms_equipped_projector',
        'classrooms_equipped_interactive_panel',
        'classrooms_equipped_large_display',
      ].map((c) => linxiaCounty[columns.indexOf(c)]),
    ).toEqual(['1', '1', '1']);
    const classroomCsv = await ctx.app.request('/api/v1/schools/6229210001/classrooms?format=csv', {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(await classroomCsv.text()).toMatch(/equipped_kind[\s\S]*large-display/);
  });

  it('takes the kind of the latest evidence, and the cached figures follow a change of kind alone', async () => {
    const { room2 } = await threeClassrooms();
    expect((await get('/api/v1/coverage')).classrooms.equippedBy).toEqual({
      projector: 1,
      interactivePanel: 1,
      largeDisplay: 1,
    });
    ctx.clock.advance(DAY);
    // The panel's room now shows a projector: still one equipped classroom, of another kind.
    await room2(makeReport({ at: ctx.clock(), displays: [projector] }));
    const coverage = await get('/api/v1/coverage');
    expect(coverage.classrooms).toMatchObject({
      equipped: 3,
      equippedBy: { projector: 2, interactivePanel: 0, largeDisplay: 1 },
    });
    // A report showing both: the first of projector, interactive panel, large display decides.
    ctx.clock.advance(DAY);
    await room2(makeReport({ at: ctx.clock(), displays: [tv, panel] }));
    expect((await get('/api/v1/coverage')).classrooms.equippedBy).toEqual({
      projector: 1,
      interactivePanel: 1,
      largeDisplay: 1,
    });
    // Without internet a report is no evidence: the kind stays that of the last evidence.
    ctx.clock.advance(DAY);
    await room2(makeReport({ at: ctx.clock(), reachable: false, displays: [tv] }));
    expect((await get('/api/v1/coverage')).classrooms.equippedBy).toEqual({
      projector: 1,
      interactivePanel: 1,
      largeDisplay: 1,
    });
    for (const days of [0, 20, 9, 2]) {
      ctx.clock.advance(days * DAY);
      expect((await verifyCoverage(ctx.store, ctx.clock())).differences, `${days} days on`).toEqual([]);
    }
    expect((await get('/api/v1/coverage')).classrooms).toMatchObject({
      equipped: 0,
      equippedBy: { projector: 0, interactivePanel: 0, largeDisplay: 0 },
    });
  });

  it('verify names a classroom whose stored kind differs from the evidence', async () => {
    await threeClassrooms();
    ctx.db.$client
      .prepare(`update classroom_status set equipped_kind = 'projector' where equipped_kind = 'large-display'`)
      .run();
    ctx.db.$client
      .prepare(`update school_status set classrooms_equipped_large_display = 0, next_change_at = null`)
      .run();
    const { differences } = await verifyCoverage(ctx.store, ctx.clock());
    expect(differences).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^classroom \d+ of 6229210001 equippedKind: stored projector, recomputed large-display$/),
        'school 6229210001 classroomsEquippedLargeDisplay: stored 0, recomputed 1',
      ]),
    );
    ctx.db.$client.prepare(`update school_status set next_change_at = 0`).run(); // let cleanup's verify re-derive it
  });

  it('shows the kinds apart and why each display got its kind on the pages and in their exports, in Chinese and English', async () => {
    await threeClassrooms();
    await createDashboardUsers(ctx);
    const bureau = DashboardClient.forApp(ctx);
    await bureau.signIn('bureau');
    const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text((await bureau.get('/')).text)).toContain('投影机 1 · 交互式平板 1 · 大屏 1');
    expect(text((await bureau.get('/counties/622921')).text)).toContain('其中：大屏');
    const page = text((await bureau.get('/schools/6229210001')).text);
    expect(page).toContain(
      '交互式智能平板 · CVT CVTE TV · HDMI-A-1 · 190 × 107 厘米（85.8 英寸） · 有触摸 · 判定依据：尺寸、触摸设备',
    );
    expect(page).toContain('投影机 · EPS EB-X41 · HDMI · 判定依据：旧版代理未上报');
    expect(page).toContain('大屏（电视、显示屏） · SAM SAMSUNG');
    const devicesCsv = await bureau.get('/schools/6229210001/devices.csv');
    expect(devicesCsv.text).toContain('判定依据：尺寸、CTA-861 扩展（电视格式）');
    const countiesCsv = await bureau.get('/counties.csv');
    expect(countiesCsv.text.split(/\r?\n/)[0]).toContain('其中：投影机,其中：交互式平板,其中：大屏');

    await bureau.get('/lang/en?back=/');
    const english = text((await bureau.get('/schools/6229210001')).text);
    expect(english).toContain(
      'interactive panel · CVT CVTE TV · HDMI-A-1 · 190 × 107 cm (85.8″) · touch · decided by: size, touch device',
    );
    expect(english).toContain('1 by projector, 1 by interactive panel, 1 by large display');
  });

  it('backfills the kinds of reports stored before kinds were recorded (migration 0013), and the figures follow', async () => {
    await threeClassrooms();
    // The database as an older server left it: kinds nowhere, counts by kind 0, bodies JSON text (before 0022).
    ctx.db.$client
      .exec(`update reports set presentation_kind = null, body = report_json(body); update device_status set last_presentation_kind = null;
      update classroom_status set equipped_kind = null;
      update school_status set classrooms_equipped_projector = 0, classrooms_equipped_interactive_panel = 0, classrooms_equipped_large_display = 0;`);
    const migration = readFileSync(
      new URL('../../migrations/0013_presentation_kinds_backfill.sql', import.meta.url),
      'utf8',
    );
    // Its trigger on county_rollups went with that table (migration 0020 moved the rollups to division_rollups).
    for (const statement of migration.split('--> statement-breakpoint'))
      if (!statement.includes('county_rollups')) ctx.db.$client.exec(statement);
    expect(
      ctx.db.$client.prepare('select presentation_kind from reports order by presentation_kind').pluck().all(),
    ).toEqual(['interactive-panel', 'large-display', 'projector']);
    expect((await get('/api/v1/coverage')).classrooms.equippedBy).toEqual({
      projector: 1,
      interactivePanel: 1,
      largeDisplay: 1,
    });
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
  });
});
