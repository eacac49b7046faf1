import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { testClock, useDialectContexts, type TestContext } from '../helpers/server.ts';

/*
 * `santong verify` after a scenario driven through the API, on SQLite and on PostgreSQL alike (issue 14, decision
 * 198): nothing to correct as time passes, corrupted rows named, the command's exit status. At the store's level,
 * without the API: verify-store.test.ts.
 */
const DAY = 86_400_000;
const createOn = useDialectContexts();
let ctx: TestContext;
afterEach(() => ctx?.cleanup({ verify: false }));

async function scenario(dialect: TestContext['dialect']) {
  ctx = await createOn(dialect, { clock: testClock('2026-03-02T08:00:00Z') });
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

/** The command-line flags that point `santong verify` at the context's database. */
const where = (c: TestContext) =>
  'databaseUrl' in c.location
    ? ['--database-url', c.location.databaseUrl, '--data-dir', c.dataDir]
    : ['--data-dir', c.location.dataDir];

// PostgreSQL first: the SQLite run gives the pool's sockets time to close before the file's server stops.
describe.each(['postgres', 'sqlite'] as const)('santong verify on %s', (dialect) => {
  it('finds nothing to correct after ingest and as time passes', async () => {
    await scenario(dialect);
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
    for (const days of [3, 10, 29, 31, 60])
      expect((await verifyCoverage(ctx.store, ctx.clock() + days * DAY)).differences, `${days} days later`).toEqual([]);
  });

  it('names a corrupted rollup row and a corrupted school row', async () => {
    await scenario(dialect);
    const { divisionRollups, schoolStatus } = ctx.store.t;
    await ctx.store.q
      .update(divisionRollups)
      .set({ schoolsConnected: sql`${divisionRollups.schoolsConnected} + 1` })
      .where(eq(divisionRollups.divisionCode, '622922'));
    const school = eq(schoolStatus.schoolCode, '6229210001');
    const [status] = await ctx.store.q.select().from(schoolStatus).where(school);
    await ctx.store.q
      .update(schoolStatus)
      .set({ meetsStandard: !status!.meetsStandard, nextChangeAt: null })
      .where(school);
    const { differences } = await verifyCoverage(ctx.store, ctx.clock());
    expect(differences).toEqual(
      expect.arrayContaining([
        'county 622922 schoolsConnected: stored 2, recomputed 1',
        expect.stringMatching(/^school 6229210001 meetsStandard: stored (true|false), recomputed (true|false)$/),
      ]),
    );
  });

  it('exits 1 from the CLI on a corrupted database and 0 on a clean one', async () => {
    await scenario(dialect);
    const clean = await santong(['verify', ...where(ctx)]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/verified 3 schools, 6 classrooms, 3 devices, 9 divisions: 0 differences/);
    const { divisionRollups } = ctx.store.t;
    await ctx.store.q
      .update(divisionRollups)
      .set({ classroomsEquipped: 99 })
      .where(eq(divisionRollups.divisionCode, '622921'));
    const corrupted = await santong(['verify', ...where(ctx)]);
    expect(corrupted.code).toBe(1);
    expect(corrupted.stderr).toContain('county 622921 classroomsEquipped: stored 99, recomputed');
  });
});
