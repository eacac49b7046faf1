import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { repoRoot } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Decision 164: declared teacher spaces (人人通) are summed into the rollups of every level like the measured
 * figures, kept as declarations and schools change, and checked by `verify` against teacher_spaces itself.
 * Gansu (620000) as a province deployment: schools in Linxia (622900), Lanzhou (620100) and 嘉峪关 (620200, a
 * prefecture-level city without counties, whose schools point at the city itself).
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const school = (code: string, county: string) => ({
  code,
  name: `测试学校${code}`,
  county_code: county,
  type_code: '211',
  urban_rural_code: '220',
  classroom_count: 1,
});
const gansuRoster = [
  school('6229210001', '622921'),
  school('6229210002', '622921'),
  school('6201020001', '620102'),
  school('6202000001', '620200'),
];

async function declare(code: string, teachers: number, spacesOpened: number, spacesVerified: number) {
  const response = await requestJson(ctx.app, 'PUT', `/api/v1/schools/${code}/teacher-spaces`, {
    bearer: await ctx.apiToken(),
    body: { teachers, spacesOpened, spacesVerified, reason: 'operator report 2026-03' },
  });
  expect(response.status).toBe(200);
}

async function spacesOf(division = '') {
  const response = await requestJson(ctx.app, 'GET', `/api/v1/coverage${division && `?division=${division}`}`, {
    bearer: await ctx.apiToken(),
  });
  expect(response.status).toBe(200);
  const { teachers, opened, verified, schoolsDeclared } = response.body.teacherSpaces;
  return { teachers, opened, verified, schoolsDeclared };
}

const gansu = async () =>
  await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '620000', roster: gansuRoster });

describe('teacher spaces in the rollups', () => {
  it('sums declarations at every level, and follows a school that moves to another county', async () => {
    ctx = await gansu();
    await declare('6229210001', 40, 30, 20);
    await declare('6229210002', 10, 8, 8);
    await declare('6201020001', 25, 25, 5);
    await declare('6202000001', 12, 6, 6);
    expect(await spacesOf()).toEqual({ teachers: 87, opened: 69, verified: 39, schoolsDeclared: 4 });
    expect(await spacesOf('622900')).toEqual({ teachers: 50, opened: 38, verified: 28, schoolsDeclared: 2 });
    expect(await spacesOf('622921')).toEqual({ teachers: 50, opened: 38, verified: 28, schoolsDeclared: 2 });
    // 嘉峪关's schools count, in its own row and in the province's (the old per-county sum left them out).
    expect(await spacesOf('620200')).toEqual({ teachers: 12, opened: 6, verified: 6, schoolsDeclared: 1 });
    const list = await requestJson(ctx.app, 'GET', '/api/v1/teacher-spaces', { bearer: await ctx.apiToken() });
    expect(list.body.counties.find((c: { code: string }) => c.code === '620200')).toMatchObject({ teachers: 12 });
    expect(list.body.teachers).toBe(87);

    // A changed declaration moves every level at once; an unchanged one changes nothing.
    await declare('6229210002', 14, 8, 8);
    expect(await spacesOf('622900')).toMatchObject({ teachers: 54 });
    expect(await spacesOf()).toMatchObject({ teachers: 91, schoolsDeclared: 4 });

    // The roster moves a Linxia school to Lanzhou: its figures leave one prefecture's rows for the other's.
    const moved = await importSchools(
      ctx.store,
      [{ line: 2, cells: school('6229210002', '620102') }],
      ctx.clock(),
      byTest,
    );
    expect(moved.errors).toEqual([]);
    expect(await spacesOf('622900')).toEqual({ teachers: 40, opened: 30, verified: 20, schoolsDeclared: 1 });
    expect(await spacesOf('620100')).toEqual({ teachers: 39, opened: 33, verified: 13, schoolsDeclared: 2 });
    expect(await spacesOf()).toMatchObject({ teachers: 91, schoolsDeclared: 4 });
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
  });

  it('verify names a corrupted teacher-space figure in a rollup at any level and in a school status row', async () => {
    ctx = await gansu();
    await declare('6201020001', 25, 25, 5);
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
    const corrupt = (statement: string) => ctx.db.$client.prepare(statement).run();
    corrupt(`update division_rollups set teacher_spaces_opened = 99 where division_code = '620100'`);
    corrupt(`update division_rollups set schools_declaring_teacher_spaces = 3 where division_code = '620000'`);
    corrupt(`update school_status set teachers = 26 where school_code = '6201020001'`);
    const { differences } = await verifyCoverage(ctx.store, ctx.clock());
    expect(differences).toContain('prefecture 620100 teacherSpacesOpened: stored 99, recomputed 25');
    expect(differences).toContain('province 620000 schoolsDeclaringTeacherSpaces: stored 3, recomputed 1');
    expect(differences).toContain('school 6201020001 teachers: stored 26, recomputed 25');
    // Put back, so the scenario's closing verify finds the database as the server keeps it.
    corrupt(`update division_rollups set teacher_spaces_opened = 25 where division_code = '620100'`);
    corrupt(`update division_rollups set schools_declaring_teacher_spaces = 1 where division_code = '620000'`);
    corrupt(`update school_status set teachers = 25 where school_code = '6201020001'`);
  });

  it('are filled by the migration from what was declared before it', async () => {
    ctx = await gansu();
    await declare('6229210001', 40, 30, 20);
    await declare('6202000001', 12, 6, 6);
    // As a database stood before the columns existed: declarations stored, nothing in the statuses or rollups.
    ctx.db.$client
      .exec(`update school_status set teachers = null, teacher_spaces_opened = null, teacher_spaces_verified = null;
      update division_rollups set teachers = 0, teacher_spaces_opened = 0, teacher_spaces_verified = 0, schools_declaring_teacher_spaces = 0`);
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences.length).toBeGreaterThan(0);
    const migrations = path.join(repoRoot, 'migrations');
    const backfill = fs.readdirSync(migrations).find((f) => f.endsWith('_teacher_spaces_rollup_backfill.sql'))!;
    for (const statement of fs.readFileSync(path.join(migrations, backfill), 'utf8').split('--> statement-breakpoint'))
      ctx.db.$client.exec(statement);
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
    expect(await spacesOf()).toEqual({ teachers: 52, opened: 36, verified: 26, schoolsDeclared: 2 });
  });
});
