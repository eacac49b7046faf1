import fs from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../server/accounts/users.ts';
import { createSession, SESSION_COOKIE } from '../../server/accounts/sessions.ts';
import { auditLog, teacherSpaces } from '../../server/db/schema.ts';
import { runImportTeacherSpaces } from '../../server/commands/teacher-spaces.ts';
import { readTeacherSpaces } from '../../server/programme/teacher-spaces.ts';
import { requestJson } from '../helpers/http.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const header = 'school_code,teachers,spaces_opened,spaces_verified';
const csv = (...lines: string[]) => lines.join('\n') + '\n';
const byCli = { actor: 'cli:officer', reason: 'operator report 2026-02' };

function writeFile(name: string, content: string): string {
  const file = path.join(ctx.dataDir, name);
  fs.writeFileSync(file, content);
  return file;
}
const stored = () => ctx.db.select().from(teacherSpaces).orderBy(asc(teacherSpaces.schoolCode)).all();
const audits = () =>
  ctx.db.select().from(auditLog).where(eq(auditLog.action, 'teacher-spaces.declare')).orderBy(asc(auditLog.id)).all();

describe('teacher spaces (人人通)', () => {
  it('imports declared figures and totals them per county and for the prefecture against the plan', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-01T08:00:00Z') });
    const file = writeFile('spaces.csv', csv(header, '6229210001,40,35,30', '6229210002,6,6,2', '6229220001,25,20,20'));
    const result = await runImportTeacherSpaces(ctx.store, file, ctx.clock(), byCli);
    expect(result).toEqual({ exitCode: 0, output: [`${file}: 3 schools changed, 0 unchanged (declared figures)`] });

    const whole = await requestJson(ctx.app, 'GET', '/api/v1/teacher-spaces', { bearer: await ctx.apiToken() });
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({
      target: 17859,
      teachers: 71,
      opened: 61,
      verified: 52,
      schoolsDeclared: 3,
      declared: true,
    });
    expect(whole.body.milestones.at(0)).toEqual({ year: 2015, cumulative: 6000 });
    expect(whole.body.milestones.at(-1)).toEqual({ year: 2020, cumulative: 17859 });
    expect(whole.body.counties).toHaveLength(8);
    expect(whole.body.counties.find((c: { code: string }) => c.code === '622921')).toEqual({
      code: '622921',
      name: '临夏县',
      pinyin: 'Línxià Xiàn',
      teachers: 46,
      opened: 41,
      verified: 32,
      schoolsDeclared: 2,
    });
    expect(whole.body.counties.find((c: { code: string }) => c.code === '622923')).toMatchObject({
      teachers: 0,
      opened: 0,
      verified: 0,
    });

    const county = await requestJson(ctx.app, 'GET', '/api/v1/teacher-spaces', {
      bearer: await ctx.apiToken('622922'),
    });
    expect(county.body).toMatchObject({
      target: null,
      milestones: [],
      teachers: 25,
      opened: 20,
      verified: 20,
      declared: true,
    });
    expect(county.body.counties.map((c: { code: string }) => c.code)).toEqual(['622922']);
    expect(await readTeacherSpaces(ctx.store, '622922')).toEqual(county.body);

    const asCsv = await requestJson(ctx.app, 'GET', '/api/v1/teacher-spaces?format=csv', {
      bearer: await ctx.apiToken(),
    });
    expect(asCsv.headers.get('content-type')).toContain('text/csv');
    expect(asCsv.body).toContain('code,name,teachers,spaces_opened,spaces_verified,schools_declared\r\n');
    expect(asCsv.body).toContain('622921,临夏县,46,41,32,2\r\n');

    // The same file again changes nothing and writes no audit entry.
    expect((await runImportTeacherSpaces(ctx.store, file, ctx.clock(), byCli)).output).toEqual([
      `${file}: 0 schools changed, 3 unchanged (declared figures)`,
    ]);
    expect(audits()).toHaveLength(3);
  });

  it('imports nothing from a file with bad rows and reports each as line N: field: reason', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-01T08:00:00Z') });
    await runImportTeacherSpaces(
      ctx.store,
      writeFile('v1.csv', csv(header, '6229210001,40,35,30')),
      ctx.clock(),
      byCli,
    );
    const file = writeFile(
      'bad.csv',
      csv(
        header,
        '6229210001,40,41,30',
        '6229210002,6,5,6',
        '6229220001,-3,0,0',
        '9999999999,1,1,1',
        '6229210002,6,6,6',
        '6229220001,,1.5,0',
      ),
    );
    const result = await runImportTeacherSpaces(ctx.store, file, ctx.clock(), byCli);
    expect(result.exitCode).toBe(1);
    expect(result.output.map((line) => line.split(';')[0])).toEqual([
      'line 2: spaces_opened: 41 spaces opened for 40 teachers',
      'line 3: spaces_verified: 6 verified but only 5 opened',
      'line 4: teachers: must be a whole number like 12',
      'line 5: school_code: 9999999999 is not in the registry',
      'line 6: school_code: 6229210002 is also on line 3',
      'line 7: teachers: is empty',
      'line 7: spaces_opened: must be a whole number like 12',
      'line 7: school_code: 6229220001 is also on line 4',
      `${file}: nothing imported`,
    ]);
    expect(stored().map((s) => [s.schoolCode, s.teachers, s.spacesOpened])).toEqual([['6229210001', 40, 35]]);
  });

  it('reads XLSX with codes stored as numbers and names a missing column', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-01T08:00:00Z') });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('人人通');
    sheet.getRow(1).values = header.split(',');
    sheet.getRow(2).values = [6229210001, 40, 35, 30];
    const file = path.join(ctx.dataDir, 'spaces.xlsx');
    await workbook.xlsx.writeFile(file);
    expect((await runImportTeacherSpaces(ctx.store, file, ctx.clock(), byCli)).exitCode).toBe(0);
    expect(stored()).toEqual([
      {
        schoolCode: '6229210001',
        teachers: 40,
        spacesOpened: 35,
        spacesVerified: 30,
        updatedAt: ctx.clock(),
        updatedBy: 'cli:officer',
      },
    ]);

    const missing = await runImportTeacherSpaces(
      ctx.store,
      writeFile('narrow.csv', csv('school_code,teachers,spaces_opened', '6229210001,1,1')),
      ctx.clock(),
      byCli,
    );
    expect(missing.output[0]).toBe('line 1: spaces_verified: required column is missing');
  });

  it('declares one school through the API, within the token’s county, with a reason, never from a dashboard session', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-01T08:00:00Z') });
    const put = (code: string, body: unknown, bearer?: string) =>
      requestJson(ctx.app, 'PUT', `/api/v1/schools/${code}/teacher-spaces`, { body, bearer });
    const county = await ctx.apiToken('622921');
    const good = { teachers: 40, spacesOpened: 35, spacesVerified: 30, reason: 'county office count' };

    const first = await put('6229210001', good, county);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      schoolCode: '6229210001',
      teachers: 40,
      spacesOpened: 35,
      spacesVerified: 30,
      declared: true,
      changed: true,
    });
    expect(first.body.updatedBy).toMatch(/^api-token:\d+$/);
    expect((await put('6229210001', good, county)).body.changed).toBe(false);

    const impossible = await put(
      '6229210001',
      { teachers: 10, spacesOpened: 11, spacesVerified: 12, reason: 'x' },
      county,
    );
    expect(impossible.status).toBe(400);
    expect(impossible.body.issues.map((i: { path: string }) => i.path)).toEqual(['spacesOpened', 'spacesVerified']);
    const noReason = await put(
      '6229210001',
      { teachers: 10, spacesOpened: 1, spacesVerified: 1, reason: '  ' },
      county,
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues.map((i: { path: string }) => i.path)).toEqual(['reason']);
    expect((await put('6229210001', { ...good, teachers: -1 }, county)).status).toBe(400);
    expect((await put('6229210001', { ...good, teachers: 40.5 }, county)).status).toBe(400);

    const otherCounty = await put('6229220001', good, county);
    expect(otherCounty.status).toBe(403);
    expect(otherCounty.body.code).toBe('out_of_scope');
    expect((await put('9999999999', good, await ctx.apiToken())).status).toBe(404);
    expect((await put('6229210001', good)).status).toBe(401);

    const user = await createUser(
      ctx.store,
      { username: 'bureau1', password: 'a long enough password', role: 'bureau' },
      ctx.clock(),
      byTest,
    );
    const session = await createSession(ctx.store, user.id, ctx.clock());
    const bySession = await ctx.app.request('/api/v1/schools/6229210001/teacher-spaces', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${session.id}` },
      body: JSON.stringify({ ...good, teachers: 41 }),
    });
    // A cookie rides along on cross-site requests: writes need the bearer token, whoever is signed in.
    expect(bySession.status).toBe(401);

    expect(stored().map((s) => [s.schoolCode, s.teachers])).toEqual([['6229210001', 40]]);
    expect(audits()).toHaveLength(1);
  });
});
