import { afterEach, describe, expect, it } from 'vitest';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

const DAY = 86_400_000;
let ctx: TestContext;
afterEach(() => ctx?.cleanup({ verify: false }));

async function scenario() {
  ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z') });
  for (const [school, classroom, downMbps] of [
    ['6229210001', '1', 90],
    ['6229210001', '2', 40],
    ['6229220001', '1', 120],
  ] as const) {
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: {
        token: await ctx.enrollmentToken(school),
        hostname: 'pc',
        hardware: { uuid: crypto.randomUUID() },
        classroom,
      },
    });
    for (let day = 0; day < 5; day++) {
      const report = makeReport({ at: ctx.clock() + day * DAY, downMbps: downMbps + day, displays: [projector] });
      ctx.clock.advance(1);
      await requestJson(ctx.app, 'POST', '/api/v1/reports', {
        body: { reports: [report] },
        bearer: enrolled.body.deviceKey,
      });
    }
  }
}

describe('santong verify', () => {
  it('finds nothing to correct after ingest and as time passes', async () => {
    await scenario();
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
    for (const days of [3, 10, 29, 31, 60])
      expect((await verifyCoverage(ctx.store, ctx.clock() + days * DAY)).differences, `${days} days later`).toEqual([]);
  });

  it('names a corrupted rollup row and a corrupted school row', async () => {
    await scenario();
    ctx.db.$client
      .prepare(`update division_rollups set schools_connected = schools_connected + 1 where division_code = '622922'`)
      .run();
    ctx.db.$client
      .prepare(
        `update school_status set meets_standard = 1 - meets_standard, next_change_at = null where school_code = '6229210001'`,
      )
      .run();
    const { differences } = await verifyCoverage(ctx.store, ctx.clock());
    expect(differences).toEqual(
      expect.arrayContaining([
        'county 622922 schoolsConnected: stored 2, recomputed 1',
        expect.stringMatching(/^school 6229210001 meetsStandard: stored (true|false), recomputed (true|false)$/),
      ]),
    );
  });

  it('exits 1 from the CLI on a corrupted database and 0 on a clean one', async () => {
    await scenario();
    ctx.db.$client.close();
    const clean = await santong(['verify', '--data-dir', ctx.dataDir]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/verified 3 schools, 6 classrooms, 3 devices, 9 divisions: 0 differences/);
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(`${ctx.dataDir}/santong.sqlite`);
    raw.prepare(`update division_rollups set classrooms_equipped = 99 where division_code = '622921'`).run();
    raw.close();
    const corrupted = await santong(['verify', '--data-dir', ctx.dataDir]);
    expect(corrupted.code).toBe(1);
    expect(corrupted.stderr).toContain('county 622921 classroomsEquipped: stored 99, recomputed');
  });
});
