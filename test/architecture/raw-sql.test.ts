import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { countySchoolsQuerySchema } from '../../shared/schemas/coverage.ts';
import { DATABASE_FILE, openDatabaseFile, type Db } from '../../server/db/client.ts';
import { buildEveryBundle } from '../../server/db/per-connection.ts';
import { copyOrder, reportDays, tableReader } from '../../server/db/sqlite-to-postgres.ts';
import { numberedPlaceholders, openPostgresStore, sqliteStore, statements } from '../../server/db/store.ts';
import { readCountySchools } from '../../server/coverage/read.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { generateDataset } from '../../bench/world/generate.ts';
import { rebaseDatabase } from '../../bench/world/rebase.ts';
import { tinyScale } from '../../bench/world/scales.ts';
import { measureFolding } from '../../bench/server/steady-state.ts';
import { storageOf } from '../../bench/server/storage.ts';
import { prepareStatements } from '../../bench/world/write-school.ts';
import { usePostgres } from '../helpers/postgres.ts';
import pg from 'pg';

/*
 * Raw SQL names tables and columns that drizzle's schema types cannot see, so a column renamed or dropped
 * in server/db/schema.ts would break it only at run time. Every raw statement the server and the bench
 * prepare is prepared here on a fresh database migrated with the project's migrations: SQLite's prepare
 * refuses an unknown column or table, and that is the whole check. Statements come from three places:
 * the perConnection bundles (built all at once through its registry), functions that prepare inline
 * (called on the migrated database, where they prepare every statement they hold), and the bench's
 * generator (run at its tiny scales). Every `.prepare` call site in the source must be reached on the way,
 * and every file that writes raw SQL otherwise (drizzle `sql` templates, `exec`) must say how it is checked.
 * The store's raw statements (`statement()`, written once for both dialects: decision 186) are each prepared on
 * a migrated SQLite and, with PREPARE, on a migrated PostgreSQL: what one dialect reads and the other does not
 * fails here, not in a deployment.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const RAW_SQL = [/\.prepare\s*[<(]/, /\bsql`/, /\.exec\(\s*['"`]/];

/** Files whose raw SQL runs inside a function: each is called on the migrated database. */
const preparedInline: Record<string, (db: Db) => unknown> = {
  'server/db/sqlite-to-postgres.ts': (db) => {
    // What migrate-to-postgres reads: the days its reports span, the schema's tables in copy order, each table's rows.
    reportDays(db.$client);
    for (const table of copyOrder(db.$client)) tableReader(db.$client, table);
  },
  'server/coverage/read.ts': async (db) => {
    // Its county school statements are defined per filter combination when first asked (the module-level ones
    // are prepared above on both dialects). Every filter at once: the shape that names every column a filter can
    // name; test/server/coverage-both-dialects.test.ts runs it on PostgreSQL.
    const everyFilter = countySchoolsQuerySchema.parse({
      ...Object.fromEntries(['connected', 'meetsStandard', 'hasSilentDevices', 'noAgent'].map((k) => [k, 'true'])),
      ...Object.fromEntries(['declaredConnected', 'conflict', 'flagged'].map((k) => [k, 'true'])),
      typeCode: '211',
      township: 't',
      q: 'q',
    });
    const store = sqliteStore(db);
    await readCountySchools(store, '622921', everyFilter, Date.now(), true);
    await readCountySchools(store, '622921', countySchoolsQuerySchema.parse({}), Date.now(), false);
  },
  'bench/world/write-school.ts': (db) => prepareStatements(db.$client),
};

/** The bench's other statements run while it generates and measures a tiny world, in a directory of its own. */
const benchRuns = [
  'bench/world/generate.ts',
  'bench/world/rebase.ts',
  'bench/server/steady-state.ts',
  'bench/server/storage.ts',
];

/** Raw SQL that names no table or column of ours, or names them only through drizzle's typed columns. */
const namesNoColumn = [
  'server/db/schema.ts', // the schema itself (a partial index's condition)
  'server/db/dialect.ts', // PostgreSQL's advisory lock; test/db/shared-database.test.ts runs it
  'server/db/report-partitions.ts', // PostgreSQL's day partitions of reports; test/db/report-partitions.test.ts runs it
  'server/db/schema-pg.ts', // its PostgreSQL twin (the same condition, a default); test/db/schema-parity checks it
  'server/divisions/deployment.ts', // sql`excluded.${…}`, the column named through its typed column
  'server/enrollment/enroll.ts', // sql`${enrollmentTokens.uses} + 1`
  'server/programme/inspection-list.ts', // sql`${schools.countyCode} = …`
  'server/releases/legacy-key.ts', // VACUUM
];

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(repo, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.parentPath.includes('.cache'))
    .map((e) => path.relative(repo, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

const source = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');
const rawSqlFiles = [...sourceFiles('server'), ...sourceFiles('bench')].filter((f) =>
  RAW_SQL.some((r) => r.test(source(f))),
);
/** Files that define the store's raw statements (module level, so importing them registers every one). */
const statementFiles = sourceFiles('server').filter(
  (f) => f !== 'server/db/store.ts' && /\bstatement(<[^>]*>)?\(/.test(source(f)),
);
const bundleFiles = sourceFiles('server').filter(
  (f) => f !== 'server/db/per-connection.ts' && /\bperConnection\(/.test(source(f)),
);

/** What prepares the statements defined with `statement()`, the store: the first describe below prepares every one. */
const preparesStatements = ['server/db/store.ts'];

/** Every `.prepare` call site in the server's and the bench's source, as file:line. */
const prepareSites = [...sourceFiles('server'), ...sourceFiles('bench')]
  .filter((f) => !preparesStatements.includes(f))
  .flatMap((f) =>
    source(f)
      .split('\n')
      .flatMap((line, i) => (/\.prepare\s*[<(]/.test(line) ? [`${f}:${i + 1}`] : [])),
  );

/*
 * Where each statement was prepared from while this file ran: the file:line of the `.prepare` call, read from
 * the stack (source-mapped). The last test holds it against prepareSites, so a statement the calls here never
 * reach (built lazily, on a branch, or added inline beside a bundle) fails instead of passing unseen.
 */
const reached = new Set<string>();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, sql: string) {
  for (const frame of new Error().stack!.split('\n').slice(2)) {
    const at = /\(?(\/[^()]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!at || at[1]!.includes('/node_modules/')) continue;
    reached.add(`${path.relative(repo, at[1]!).split(path.sep).join('/')}:${at[2]}`);
    break;
  }
  return prepare.call(this, sql);
} as typeof prepare;

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-raw-sql-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A fresh database with the migrations and the shipped plan, which the coverage reads need. */
async function migratedDatabase(): Promise<Db> {
  const db = openDatabaseFile(path.join(tempDir(), DATABASE_FILE));
  await ensureReferenceData(sqliteStore(db), Date.now());
  return db;
}

/** Prepares every registered bundle and every inline statement on `db`; throws on the first SQLite refuses. */
async function prepareEveryStatement(db: Db): Promise<number> {
  for (const file of bundleFiles) await import(pathToFileURL(path.join(repo, file)).href);
  const bundles = buildEveryBundle(db.$client);
  for (const s of await everyStatement()) db.$client.prepare(s.sql);
  for (const check of Object.values(preparedInline)) await check(db);
  return bundles;
}

/** Imports every file that defines statements; returns all of them, in import order. */
async function everyStatement() {
  for (const file of statementFiles) await import(pathToFileURL(path.join(repo, file)).href);
  return statements;
}

const postgres = usePostgres();

describe("the store's raw statements on both dialects", () => {
  it('prepares every statement on a migrated SQLite', async () => {
    const all = await everyStatement();
    expect(all.length).toBeGreaterThanOrEqual(statementFiles.length);
    const db = await migratedDatabase();
    try {
      for (const s of all) expect(() => db.$client.prepare(s.sql), s.sql).not.toThrow();
    } finally {
      db.$client.close();
    }
  });

  it('prepares every statement on a migrated PostgreSQL', async () => {
    const all = await everyStatement();
    const pool = new pg.Pool(await postgres().createDatabase());
    const store = await openPostgresStore(pool);
    try {
      const client = await pool.connect();
      try {
        for (const s of all) {
          // PREPARE infers every parameter's type from where it stands, as the driver's named statements do.
          const problem = await client
            .query(`PREPARE ${s.name} AS ${numberedPlaceholders(s.sql)}`)
            .then(() => client.query(`DEALLOCATE ${s.name}`))
            .then(
              () => null,
              (error: Error) => error.message,
            );
          expect(problem, s.sql).toBeNull();
        }
      } finally {
        client.release();
      }
    } finally {
      await store.close();
    }
  });
});

describe('raw SQL against the migrated schema', () => {
  it('knows how every file that writes raw SQL is checked', () => {
    const known = [
      ...bundleFiles,
      ...Object.keys(preparedInline),
      ...benchRuns,
      ...namesNoColumn,
      ...preparesStatements,
    ];
    expect(
      rawSqlFiles.filter((f) => !known.includes(f)),
      'say how these are checked',
    ).toEqual([]);
    expect(
      known.filter((f) => !rawSqlFiles.includes(f)),
      'no raw SQL left in these',
    ).toEqual([]);
  });

  it('prepares every per-connection bundle and every inline statement of the server', async () => {
    const db = await migratedDatabase();
    try {
      const bundles = await prepareEveryStatement(db);
      const written = bundleFiles.reduce((n, f) => n + source(f).match(/\bperConnection\(/g)!.length, 0);
      expect(bundles).toBe(written);
    } finally {
      db.$client.close();
    }
  });

  it('fails when the schema renames a column a raw statement names', async () => {
    const db = await migratedDatabase();
    try {
      db.$client.exec('alter table device_status rename column last_reachable_at to reachable_at');
      await expect(prepareEveryStatement(db)).rejects.toThrow(/no such column: "?(\w+\.)?last_reachable_at/);
    } finally {
      db.$client.close();
    }
  });

  it("runs the bench's generator, time shift, folding and storage measure on a tiny world", async () => {
    await benchWorld();
  });

  it('reaches every .prepare call site of the server and the bench', async () => {
    const db = await migratedDatabase();
    try {
      await prepareEveryStatement(db);
    } finally {
      db.$client.close();
    }
    await benchWorld();
    // A floor that the scan finds the sites at all; it falls as files move onto the store (statement()).
    expect(prepareSites.length).toBeGreaterThan(10);
    expect(
      prepareSites.filter((site) => !reached.has(site)),
      'prepare these on the migrated database above',
    ).toEqual([]);
  });
});

/** A tiny Linxia world and a tiny one on the national tree (root 000000), generated and measured. */
async function benchWorld(): Promise<void> {
  for (const scale of [tinyScale(), { ...tinyScale(), key: 'tiny-china', counties: 'china' as const }]) {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    expect((await generateDataset(scale, file)).reports).toBeGreaterThan(0);
    rebaseDatabase(file, 0);
    expect(storageOf(dir).reportCount).toBeGreaterThan(0);
    expect((await measureFolding(file)).reportsFolded).toBeGreaterThan(0);
  }
}
