import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { evaluateSchools } from '../../server/coverage/evaluate.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { parseServerConfig } from '../../server/config.ts';
import { DATABASE_FILE, openDatabaseFile } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { startServer } from '../../server/index.ts';
import { generateDataset } from '../../bench/world/generate.ts';
import { runPlan } from '../../bench/harness/load.ts';
import { rebaseDatabase } from '../../bench/world/rebase.ts';
import { tinyScale } from '../../bench/world/scales.ts';
import { CEILING_BODY } from '../../bench/harness/ceiling-app.ts';
import { startSideApp } from '../../bench/harness/server-process.ts';
import { deploymentTree } from '../../server/divisions/deployment.ts';
import { measureFolding } from '../../bench/server/steady-state.ts';
import { sessionCookie } from '../../bench/pages/sign-in.ts';
import { createUser } from '../../server/accounts/users.ts';

/*
 * The benchmark harness must not rot: its generated data must be data the server itself would have
 * derived, and its load must be answered with 200s by a real server.
 */
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-bench-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const statusRows = (db: ReturnType<typeof openDatabaseFile>) =>
  [
    'school_status order by school_code',
    'device_status order by device_id',
    'classroom_status order by classroom_id',
    'division_rollups order by division_code',
  ].map((t) => db.$client.prepare(`select * from ${t}`).all());

describe('benchmark harness', () => {
  it('generates status rows identical to evaluateSchools and passing santong verify, before and after a time shift', async () => {
    const file = path.join(tempDir(), DATABASE_FILE);
    const meta = await generateDataset(tinyScale(), file);
    expect(meta.schools).toBe(20);
    expect(meta.reports).toBeGreaterThan(100);
    const db = openDatabaseFile(file);
    const generated = statusRows(db);
    const codes = db.$client
      .prepare('select code from schools')
      .all()
      .map((r) => (r as { code: string }).code);
    await sqliteStore(db).transaction((tx) => evaluateSchools(tx, codes, meta.generatedAt));
    expect(statusRows(db)).toEqual(generated);
    expect((await verifyCoverage(sqliteStore(db), meta.generatedAt)).differences).toEqual([]);
    db.$client.close();

    const day = 86_400_000;
    rebaseDatabase(file, 3 * day);
    const shifted = openDatabaseFile(file);
    expect((await verifyCoverage(sqliteStore(shifted), meta.generatedAt + 3 * day)).differences).toEqual([]);
    shifted.$client.close();
  });

  it('generates the nation on the shipped division tree under root 000000, rolled up every level and verified', async () => {
    const file = path.join(tempDir(), DATABASE_FILE);
    // More schools than county-level divisions, so every division gets at least one.
    const scale = { ...tinyScale(), key: 'tiny-china', counties: 'china' as const, schools: 3_000, classrooms: 3_000 };
    const meta = await generateDataset({ ...scale, officeDevices: 0, historyEvery: 500 }, file);
    const db = openDatabaseFile(file);
    const count = (sql: string) => db.$client.prepare(sql).pluck().get() as number;
    expect(count("select count(*) from divisions where level = 'province'")).toBe(31);
    expect(count("select count(*) from divisions where level = 'prefecture'")).toBe(333);
    expect(count("select count(*) from divisions where level = 'county'")).toBe(2_974);
    const tree = await deploymentTree(sqliteStore(db));
    expect(tree.root.code).toBe('000000');
    const units = tree.counties('000000');
    expect(count('select count(distinct county_code) from schools')).toBe(units.length);
    expect(tree.get(meta.countyView)).toBeDefined();
    // The rollups hold at every level: the country's is the whole world, Gansu's its own part of it.
    const rollup = (code: string) =>
      count(`select schools_registered from division_rollups where division_code = '${code}'`);
    expect(rollup('000000')).toBe(3_000);
    expect(rollup('620000')).toBe(count("select count(*) from schools where county_code like '62%'"));
    expect((await verifyCoverage(sqliteStore(db), meta.generatedAt)).differences).toEqual([]);
    db.$client.close();
  });

  it("sizes folded rows by folding every report of a copy with the server's retention code", async () => {
    const file = path.join(tempDir(), DATABASE_FILE);
    const meta = await generateDataset(tinyScale(), file);
    const db = openDatabaseFile(file);
    const deviceDays = db.$client
      .prepare(
        `select count(*) from (select distinct device_id, date(collected_at / 1000, 'unixepoch', '+8 hours') from reports)`,
      )
      .pluck()
      .get();
    db.$client.close();
    const folding = await measureFolding(file);
    expect(folding.reportsFolded).toBe(meta.reports);
    expect(folding.deviceDays).toBe(deviceDays);
    expect(folding.bytesPerDeviceDay).toBeGreaterThan(0);
    const left = openDatabaseFile(file);
    expect(left.$client.prepare('select count(*) from reports').pluck().get()).toBe(0);
    left.$client.close();

    // A share folds whole days from the oldest, some but not all.
    const again = path.join(tempDir(), DATABASE_FILE);
    const second = await generateDataset(tinyScale(), again);
    const part = await measureFolding(again, 0.5);
    expect(part.reportsFolded).toBeGreaterThan(0);
    expect(part.reportsFolded).toBeLessThan(second.reports);
  });

  it('drives a real server on 127.0.0.1 with reads and signed report batches, all answered 200', async () => {
    const dataDir = tempDir();
    const meta = await generateDataset(tinyScale(), path.join(dataDir, DATABASE_FILE));
    const db = openDatabaseFile(path.join(dataDir, DATABASE_FILE));
    await createUser(
      sqliteStore(db),
      { username: 'bureau', password: 'bench harness password', role: 'bureau' },
      Date.now(),
      {
        actor: 'test',
        reason: 'bench harness test',
      },
    );
    db.$client.close();
    const config = parseServerConfig({ port: '0', host: '127.0.0.1', 'data-dir': dataDir }, {});
    const server = await startServer(config, pino({ level: 'silent' }));
    const ceiling = await startSideApp('bench/harness/ceiling-app.ts');
    const standIn = await startSideApp('bench/harness/division-app.ts', [dataDir]);
    try {
      const pageCookie = await sessionCookie(
        (url, init) => fetch(`${server.url}${url}`, init),
        'bureau',
        'bench harness password',
      );
      const phase = { name: 'smoke', round: 1, warmupMs: 0, durationMs: 2_000 };
      const smoke = () =>
        runPlan({
          url: server.url,
          apiToken: meta.apiToken,
          countyView: meta.countyView,
          ceilingUrl: ceiling.url,
          pageCookie,
          province: { url: standIn.url, path: `/coverage?division=${meta.countyView}` },
          seed: meta.seed,
          loadDevices: meta.loadDevices,
          batchMin: 1,
          batchMax: 24,
          phases: [
            {
              ...phase,
              streams: (
                [
                  'ceiling',
                  'healthz',
                  'coverage',
                  'province',
                  'county',
                  'ingest',
                  'overview-page',
                  'county-page',
                ] as const
              ).map((kind) => ({
                kind,
                connections: 2,
              })),
            },
          ],
        });
      // Only answers inside the 2-s window count; on a loaded machine the first batch can take longer than
      // that, so the phase runs again (at most 5 times) until every stream has been answered at least once.
      let results = await smoke();
      for (let tries = 1; tries < 5 && results[0]!.streams.some((s) => s.requests === 0); tries++)
        results = await smoke();
      for (const s of results[0]!.streams) {
        expect(s.failures, s.kind).toEqual({});
        expect(s.requests, s.kind).toBeGreaterThan(0);
        expect(s.ok, s.kind).toBe(s.requests);
      }
      expect(results[0]!.streams.find((s) => s.kind === 'ingest')!.reportsAccepted).toBeGreaterThan(0);
      expect(results[0]!.streams.find((s) => s.kind === 'ceiling')!.meanBytes).toBe(CEILING_BODY.length);
      expect(CEILING_BODY.length).toBe(20);
      // The page streams read the signed-in pages, not the login form a lost session is redirected to.
      for (const kind of ['overview-page', 'county-page'])
        expect(results[0]!.streams.find((s) => s.kind === kind)!.meanBytes, kind).toBeGreaterThan(5_000);
    } finally {
      await standIn.stop();
      await ceiling.stop();
      await server.close();
    }
  });
});
