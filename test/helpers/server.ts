import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import pg from 'pg';
import pino from 'pino';
import { createApp, type App } from '../../server/app.ts';
import { createApiToken } from '../../server/auth/api-tokens.ts';
import { openDatabase, type Db } from '../../server/db/client.ts';
import { openPostgresStore, sqliteStore, type Store, type StoreLocation } from '../../server/db/store.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { agentDownloadDir } from '../../server/releases/agent-downloads.ts';
import type { RosterFileRow } from '../../server/registry/roster-file.ts';
import { useEachDialect } from './each-dialect.ts';
import { conformToDocument } from './openapi-conformance.ts';

/*
 * Every test gets a fresh app over a fresh database, with Linxia's reference data and a small roster loaded: a
 * SQLite file in its own temp dir, or (option `location`, from useEachDialect().location) a new database on the
 * test file's own PostgreSQL server, so a contract suite runs on both backends (issue 14, decision 198).
 * Nothing is shared between tests; nothing of ours is mocked.
 */

/** A controllable time source: real time by default, or fixed and moved by the test. */
export interface TestClock {
  (): number;
  set(ms: number | string): void;
  advance(ms: number): void;
}

/** `realTime` is where the clock reads when not fixed: Date.now, or a source vi's faked Date does not move. */
export function testClock(start?: number | string, realTime: () => number = Date.now): TestClock {
  let fixed: number | null = start === undefined ? null : typeof start === 'string' ? Date.parse(start) : start;
  const clock = (() => fixed ?? realTime()) as TestClock;
  clock.set = (ms) => {
    fixed = typeof ms === 'string' ? Date.parse(ms) : ms;
  };
  clock.advance = (ms) => {
    fixed = (fixed ?? realTime()) + ms;
  };
  return clock;
}

/** The audit source of changes a test makes directly. */
export const byTest = { actor: 'cli:test', reason: 'set up by the test' };

/** Two schools in 临夏县 (622921) and one in 康乐县 (622922), with 3, 2 and 1 classrooms. */
export const testRoster: {
  code: string;
  name: string;
  county_code: string;
  type_code: string;
  urban_rural_code: string;
  classroom_count: number;
  township?: string;
}[] = [
  {
    code: '6229210001',
    name: '测试第一小学',
    county_code: '622921',
    type_code: '211',
    urban_rural_code: '121',
    classroom_count: 3,
    township: '韩集镇',
  },
  {
    code: '6229210002',
    name: '测试教学点',
    county_code: '622921',
    type_code: '218',
    urban_rural_code: '220',
    classroom_count: 2,
    township: '土桥镇',
  },
  {
    code: '6229220001',
    name: '康乐测试中学',
    county_code: '622922',
    type_code: '311',
    urban_rural_code: '121',
    classroom_count: 1,
    township: '附城镇',
  },
];

/** A school in Lanzhou's Chengguan district (620102): with testRoster, a roster for a province deployment (620000). */
export const lanzhouTestSchool: (typeof testRoster)[number] = {
  code: '6201020001',
  name: '城关区测试小学',
  county_code: '620102',
  type_code: '211',
  urban_rural_code: '111',
  classroom_count: 2,
};

export interface TestContext {
  /** The SQLite connection; on PostgreSQL any use of it throws (reach the data through `store`). */
  db: Db;
  /** The same database as a Store (decision 180), what moved code takes. */
  store: Store;
  dialect: Store['dialect'];
  /** Where the database is, as a command would be told (`--database-url`, or `--data-dir`). */
  location: StoreLocation;
  app: App;
  clock: TestClock;
  dataDir: string;
  /** A bureau-wide API token, or one confined to a county. */
  apiToken(countyCode?: string): Promise<string>;
  enrollmentToken(schoolCode: string, options?: { expiresInMs?: number; maxUses?: number }): Promise<string>;
  /**
   * Checks the stored coverage against a from-scratch recomputation (santong verify) — so every
   * scenario ends verified — then closes the database and deletes the temp dir.
   */
  cleanup(options?: { verify?: boolean }): Promise<void>;
}

/** A fresh database with reference data and the test roster, and an app over it (no listening socket). */
export async function createTestContext(
  options: {
    clock?: TestClock;
    roster?: typeof testRoster;
    root?: string;
    publicUrl?: string;
    /** Serves the public disclosure page and API (SANTONG_PUBLIC_DISCLOSURE=1). */
    publicDisclosure?: boolean;
    /** Where the new, empty database is: a fresh SQLite temp dir unless given (a PostgreSQL URL, or a data dir). */
    location?: StoreLocation;
  } = {},
): Promise<TestContext> {
  const location = options.location ?? { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'santong-test-')) };
  // On PostgreSQL the data dir holds only what is kept beside the database (agent downloads).
  const dataDir = 'dataDir' in location ? location.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'santong-test-'));
  const clock = options.clock ?? testClock();
  const { db, store, close } = await openTestStore(location);
  await ensureReferenceData(store, clock(), options.root);
  const rows: RosterFileRow[] = (options.roster ?? testRoster).map((cells, i) => ({ line: i + 2, cells }));
  const summary = await importSchools(store, rows, clock(), { ...byTest, reason: 'test roster' });
  if (summary.errors.length > 0) throw new Error(`test roster rejected: ${JSON.stringify(summary.errors)}`);
  const app = createApp({
    store,
    logger: pino({ level: 'silent' }),
    clock,
    maxReportBodyBytes: 1024 * 1024,
    agentDownloadDir: agentDownloadDir(dataDir),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.publicDisclosure ? { publicDisclosure: true } : {}),
  });
  // Every API answer this app gives is checked against the OpenAPI document; cleanup fails on a mismatch.
  const conformance = conformToDocument(app);
  let closed = false;
  return {
    db,
    store,
    dialect: store.dialect,
    location,
    app,
    clock,
    dataDir,
    apiToken: async (countyCode) =>
      (await createApiToken(store, { name: 'test', divisionCode: countyCode ?? null }, clock(), byTest)).token,
    enrollmentToken: async (schoolCode, o = {}) =>
      (
        await createEnrollmentToken(
          store,
          {
            schoolCode,
            expiresAt: o.expiresInMs === undefined ? null : clock() + o.expiresInMs,
            maxUses: o.maxUses ?? null,
          },
          clock(),
          byTest,
        )
      ).token,
    cleanup: async ({ verify = true } = {}) => {
      // A SQLite test may have closed the connection itself (to hand the file to a command).
      const open = !closed && (store.dialect === 'postgres' || db.$client.open);
      const differences = verify && open ? (await verifyCoverage(store, clock())).differences : [];
      if (!closed) await close();
      closed = true;
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (differences.length > 0)
        throw new Error(`santong verify found differences after the scenario:\n${differences.join('\n')}`);
      conformance.assertNone();
    },
  };
}

/**
 * For a suite that runs on both backends (decision 198): call at the top of the test file (it starts the file's
 * PostgreSQL server), then `createOn(dialect, options)` in a case is createTestContext over a new, empty database
 * of that dialect.
 */
export function useDialectContexts(): (
  dialect: Store['dialect'],
  options?: Parameters<typeof createTestContext>[0],
) => Promise<TestContext> {
  const databases = useEachDialect();
  // Migrating a new PostgreSQL database took 1–1.5 s of the ~2 s a context cost (2 cores, load 7): the file's
  // first database is migrated once and the others are copies of it (CREATE DATABASE … TEMPLATE), as empty and as
  // migrated, in a quarter of a second.
  let migrated: Promise<{ template: string; databaseUrl: string }> | undefined;
  let copies = 0;
  const migratedPostgres = async (): Promise<StoreLocation> => {
    migrated ??= (async () => {
      const location = (await databases.location('postgres')) as { databaseUrl: string };
      await (await openTestStore(location)).close();
      return { template: location.databaseUrl.replace(/^.*\//, ''), databaseUrl: location.databaseUrl };
    })();
    const { template, databaseUrl } = await migrated;
    const copy = `${template}_copy${++copies}`;
    const admin = new pg.Client({ connectionString: databaseUrl.replace(/[^/]+$/, 'postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${copy} TEMPLATE ${template} STRATEGY FILE_COPY`);
    } finally {
      await admin.end();
    }
    return { databaseUrl: databaseUrl.replace(/[^/]+$/, copy) };
  };
  return async (dialect, options = {}) =>
    createTestContext({
      ...options,
      location: dialect === 'postgres' ? await migratedPostgres() : await databases.location('sqlite'),
    });
}

/** Opens and migrates the store at `location`; on SQLite its connection too, for the tests that read it directly. */
async function openTestStore(location: StoreLocation): Promise<{ db: Db; store: Store; close(): Promise<void> }> {
  if ('dataDir' in location) {
    const db = openDatabase(location.dataDir);
    const close = async () => {
      if (db.$client.open) db.$client.close();
    };
    return { db, store: sqliteStore(db), close };
  }
  const pool = new pg.Pool({ connectionString: location.databaseUrl });
  // pool.end() resolves before its sockets have closed; the test file's server stopping under them would end
  // them mid-close (an unhandled 57P01), so closing waits for the last one.
  let connections = 0;
  let lastClosed = () => {};
  const allClosed = new Promise<void>((resolve) => (lastClosed = resolve));
  pool.on('connect', () => connections++);
  pool.on('remove', () => --connections === 0 && lastClosed());
  const store = await openPostgresStore(pool);
  const db = new Proxy({} as Db, {
    get(_, key) {
      if (typeof key === 'symbol' || key === 'then') return undefined;
      throw new Error(
        `ctx.db.${key}: this test context runs on PostgreSQL, which has no SQLite connection; use ctx.store`,
      );
    },
  });
  return {
    db,
    store,
    close: async () => {
      await store.close();
      if (connections > 0) await allClosed;
    },
  };
}

export interface TestServer extends TestContext {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Stops listening (the database stays open, so the test can look at it or listen again). */
  stop(): Promise<void>;
  /** Listens again on the same port, as a restarted server would. */
  restart(): Promise<void>;
  /** Stops listening and cleans up. */
  close(): Promise<void>;
}

function listen(app: App, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(server));
    server.once('error', reject);
  });
}

/** A real server listening on 127.0.0.1 (a free port) over a fresh test context. */
export async function startTestServer(options: Parameters<typeof createTestContext>[0] = {}): Promise<TestServer> {
  const context = await createTestContext(options);
  let server: ServerType | null = await listen(context.app, 0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stop = async () => {
    if (!server) return;
    const closing = server;
    server = null;
    await new Promise<void>((resolve) => {
      closing.close(() => resolve());
      (closing as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
  };
  return {
    ...context,
    url: `http://127.0.0.1:${port}`,
    stop,
    restart: async () => {
      if (!server) server = await listen(context.app, port);
    },
    close: async () => {
      await stop();
      await context.cleanup();
    },
  };
}
