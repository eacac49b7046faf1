import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashSecret } from '../../server/access/secrets.ts';
import { DATABASE_FILE, openDatabaseFile } from '../../server/db/client.ts';
import { refreshRollups } from '../../server/coverage/evaluate.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { currentPlan } from '../../server/plan/current.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { deploymentTree } from '../../server/divisions/deployment.ts';
import { COUNTRY_CODE } from '../../server/divisions/levels.ts';
import { GENERATOR_VERSION, type Scale } from './scales.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { schoolHourSlots } from './synthetic.ts';
import { allocate } from '../../server/demo/linxia-counties.ts';
import { countiesOf, schoolType, urbanRural } from './world.ts';
import { prepareStatements, writeSchool, type GenerationContext, type WorldCursor } from './write-school.ts';

/*
 * Synthetic data straight into SQLite through the server's own schema: the file is opened with
 * openDatabaseFile (so migrations run) and the shipped plan loaded with ensureReferenceData; rows go in
 * with prepared statements in large transactions, secondary indexes rebuilt once at the end.
 */
export const cacheRoot = fileURLToPath(new URL('../.cache/', import.meta.url));

export interface DatasetMeta {
  generatorVersion: number;
  scale: Scale;
  seed: number;
  /** The instant the data was generated as of; run.ts shifts timestamps when the cache is older. */
  generatedAt: number;
  schools: number;
  classrooms: number;
  devices: number;
  reports: number;
  /** The county the county view reads: the one with most schools. */
  countyView: string;
  apiToken: string;
  /** Device index ranges [from, to) of the schools with full history: the PCs the load process plays. */
  loadDevices: [number, number][];
  seconds: number;
}

/** The newest migration: part of the cache key, so a schema change regenerates the cached databases. */
function schemaTag(): string {
  const journal = JSON.parse(
    fs.readFileSync(new URL('../../migrations/meta/_journal.json', import.meta.url), 'utf8'),
  ) as {
    entries: { idx: number }[];
  };
  return `m${journal.entries.at(-1)?.idx ?? 0}`;
}

const BULK_TABLES = ['reports', 'devices', 'classrooms', 'device_status', 'classroom_status', 'school_status'];

/** Generates a scale's database into `file` (which must not exist) and returns what the load process needs. */
export async function generateDataset(
  scale: Scale,
  file: string,
  options: { now?: number; seed?: number; log?: (line: string) => void } = {},
): Promise<DatasetMeta> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const seed = options.seed ?? 1;
  const db = openDatabaseFile(file);
  const store = sqliteStore(db);
  // The prefecture is Linxia (the default root); the nation is the whole shipped tree under 000000.
  await ensureReferenceData(store, now, scale.counties === 'linxia' ? undefined : COUNTRY_CODE);
  const sqlite = db.$client;
  // A half-written file is thrown away (written under a temp name), so durability is not needed here.
  // (better-sqlite3 opens in defensive mode, which refuses journal_mode = OFF; MEMORY is the next best.)
  sqlite.pragma('journal_mode = MEMORY');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('cache_size = -1000000');
  const tree = await deploymentTree(store);
  const counties = countiesOf(scale, tree.counties(tree.root.code));
  const indexes = sqlite
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${BULK_TABLES.map(() => '?').join(',')})`,
    )
    .all(...BULK_TABLES) as { name: string; sql: string }[];
  for (const index of indexes) sqlite.exec(`drop index ${index.name}`);

  const rules = (await currentPlan(store)).coverage;
  const historyStart = now - scale.historyDays * DAY_MS;
  const ctx: GenerationContext = {
    seed,
    now,
    historyStart,
    rules,
    slots: schoolHourSlots(now - Math.max(scale.historyDays, 50) * DAY_MS, now),
  };
  const st = prepareStatements(sqlite);
  const cursor: WorldCursor = { nextClassroomId: 1, nextDevice: 0, reports: 0 };
  const types = Array.from({ length: scale.schools }, (_, i) => schoolType(i));
  const roomsPerSchool = allocate(
    scale.classrooms,
    types.map((t) => t.weight),
    1,
  );
  const officePerSchool = allocate(
    scale.officeDevices,
    types.map(() => 1),
  );
  const loadDevices: [number, number][] = [];
  let school = 0;
  let sinceCommit = 0;
  sqlite.exec('begin');
  for (const county of counties) {
    for (let k = 1; k <= county.schools; k++, school++) {
      const fullHistory = school % scale.historyEvery === 0;
      const firstDevice = cursor.nextDevice;
      const reportsBefore = cursor.reports;
      const plan = {
        index: school,
        code: `${county.code}${String(k).padStart(4, '0')}`,
        countyCode: county.code,
        typeCode: types[school]!.typeCode,
        urbanRuralCode: urbanRural(school),
        classrooms: roomsPerSchool[school]!,
        officeDevices: officePerSchool[school]!,
        fullHistory,
      };
      writeSchool(st, ctx, plan, cursor);
      if (fullHistory) loadDevices.push([firstDevice, cursor.nextDevice]);
      sinceCommit += plan.classrooms * 3 + (cursor.reports - reportsBefore);
      if (sinceCommit > 300_000) {
        sqlite.exec('commit; begin');
        sinceCommit = 0;
        options.log?.(
          `  ${scale.key}: ${school + 1}/${scale.schools} schools, ${cursor.reports.toLocaleString('en')} reports, ${Math.round((performance.now() - started) / 1000)} s`,
        );
      }
    }
  }
  sqlite.exec('commit');
  options.log?.(`  ${scale.key}: rebuilding ${indexes.length} indexes`);
  for (const index of indexes) sqlite.exec(index.sql);

  const apiToken = 'sta_' + randomBytes(32).toString('base64url');
  await store.transaction(async (tx) => {
    // Every division's rollup from the status rows just written, county first, then up to the root.
    await refreshRollups(
      tx,
      counties.map((c) => c.code),
      now,
    );
    sqlite
      .prepare('insert into api_tokens (name, token_hash, division_code, created_at) values (?, ?, null, ?)')
      .run('benchmark', hashSecret(apiToken), now);
  });
  sqlite.pragma('journal_mode = WAL');
  db.$client.close();
  const countyView = [...counties].sort((a, b) => b.schools - a.schools)[0]!.code;
  return {
    generatorVersion: GENERATOR_VERSION,
    scale,
    seed,
    generatedAt: now,
    schools: scale.schools,
    classrooms: scale.classrooms,
    devices: cursor.nextDevice,
    reports: cursor.reports,
    countyView,
    apiToken,
    loadDevices,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The cached database of a scale, generated first if the cache has none of this generator version. */
export async function ensureDataset(
  scale: Scale,
  log: (line: string) => void,
): Promise<{ dir: string; file: string; meta: DatasetMeta; generated: boolean }> {
  const dir = path.join(cacheRoot, `${scale.key}-v${GENERATOR_VERSION}-${schemaTag()}`);
  const metaFile = path.join(dir, 'meta.json');
  if (fs.existsSync(metaFile))
    return {
      dir,
      file: path.join(dir, DATABASE_FILE),
      meta: JSON.parse(fs.readFileSync(metaFile, 'utf8')) as DatasetMeta,
      generated: false,
    };
  const temp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp, { recursive: true });
  log(`generating ${scale.key} (not cached yet) …`);
  const meta = await generateDataset(scale, path.join(temp, DATABASE_FILE), { log });
  fs.writeFileSync(path.join(temp, 'meta.json'), JSON.stringify(meta, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(temp, dir);
  log(`generated ${scale.key}: ${meta.reports.toLocaleString('en')} reports in ${meta.seconds.toFixed(0)} s`);
  return { dir, file: path.join(dir, DATABASE_FILE), meta, generated: true };
}
