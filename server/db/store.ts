import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { openDatabase, type Db } from './client.ts';
import { ReadModelNotices } from './read-model-notices.ts';
import { ensureReportPartitions } from './report-partitions.ts';
import * as sqliteTables from './schema.ts';
import * as pgTables from './schema-pg.ts';

/*
 * One data-access layer over two dialects (issue 14, docs/decisions/180-one-store-two-dialects.md). A Store is
 * chosen once at start: SQLite under the data directory (the embedded default) or PostgreSQL when a database
 * URL is given. Domain code written against it awaits every query, names tables through `store.t` and runs
 * writes in `store.transaction`, and so does not know which dialect answers.
 */

export type Dialect = 'sqlite' | 'postgres';

/** The tables, typed as SQLite's schema: the PostgreSQL twin has the same names, columns and TypeScript types (decision 120). */
export type Tables = typeof sqliteTables;

/**
 * The query builder both dialects share, as SQLite's asynchronous flavour: queries are awaited, never finished
 * with `.all()`, `.get()` or `.run()` (PostgreSQL's builders have none of those).
 */
export type Queries = BaseSQLiteDatabase<'async', unknown, Tables>;

export interface Store {
  readonly dialect: Dialect;
  readonly q: Queries;
  readonly t: Tables;
  /**
   * Runs fn in one transaction, committed when its promise resolves and rolled back when it rejects; nested
   * calls are savepoints. fn awaits only this store's queries: a transaction never waits on the network, a file
   * or a timer (on SQLite, where every request shares one connection, another request would run inside it).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Every row a raw statement returns. */
  rows<Row, Params extends Param[]>(statement: Statement<Row, Params>, ...params: Params): Promise<Row[]>;
  /** The first row a raw statement returns, if any. */
  row<Row, Params extends Param[]>(statement: Statement<Row, Params>, ...params: Params): Promise<Row | undefined>;
  /** Runs a raw statement that returns no rows; resolves with the number of rows it changed. */
  execute<Params extends Param[]>(statement: Statement<unknown, Params>, ...params: Params): Promise<number>;
  /**
   * Where the read cache (server/db/read-cache.ts) keeps what reads through this store build, and the read-model
   * version it is good at: a value that differs whenever what coverage reads from has changed since, as this store
   * sees it. `keeps` false: what is kept there may be used, but what a read builds here may not be kept (it is built
   * from a snapshot older than the version). Undefined when this store cannot tell: nothing may be kept or used.
   */
  readCacheAt(): Promise<ReadCacheAt | undefined>;
  /** The same object for every store over this database in this process, at any transaction depth. */
  readonly database: object;
  /** Whether this store is inside a transaction (its reads see the transaction's snapshot and writes). */
  readonly inTransaction: boolean;
  close(): Promise<void>;
}

/** A read-model version: compared for equality only. */
export type ReadModelVersion = number | string;

/** See Store.readCacheAt. */
export interface ReadCacheAt {
  /** What the cache is keyed by. */
  place: object;
  version: ReadModelVersion;
  keeps: boolean;
}

/** A value a raw statement takes: flags as 0/1 (both schemas store them so), times as epoch milliseconds. */
export type Param = string | number | bigint | Buffer | null;

/**
 * A raw SQL statement written once for both dialects (decision 186), for the hot paths where drizzle's query
 * building per call costs more than the query: `?` placeholders (never inside a string literal), aliases
 * double-quoted where their case matters (`as "lastCollectedAt"`: PostgreSQL folds unquoted names to lower
 * case), and only SQL both dialects read alike (`on conflict … do nothing`, `coalesce`, `case`; differences
 * are named fragments in server/db/dialect.ts). Prepared once per connection in both: better-sqlite3 keeps
 * the statement, PostgreSQL a named prepared statement per session.
 */
export interface Statement<Row = unknown, Params extends Param[] = Param[]> {
  readonly sql: string;
  /** The name PostgreSQL prepares it under: the same text always gets the same name. */
  readonly name: string;
  /** Phantom: the row and parameter types, for the checker only. */
  readonly types?: (params: Params) => Row;
}

/** A statement whatever its row and parameter types, for the code that runs it. */
type AnyStatement = Statement<any, any>;

/** Every statement defined, in import order: test/architecture/raw-sql.test.ts prepares each on both dialects. */
export const statements: AnyStatement[] = [];

/** Defines a raw statement (module level, once): see {@link Statement}. */
export function statement<Row = never, Params extends Param[] = Param[]>(sql: string): Statement<Row, Params> {
  const text = sql.replace(/\s+/g, ' ').trim();
  const defined: Statement<Row, Params> = {
    sql: text,
    name: `santong_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`,
  };
  statements.push(defined);
  return defined;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export const numberedPlaceholders = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Where the data lives: a PostgreSQL URL when given, else SQLite under the data directory. */
export type StoreLocation = { databaseUrl: string } | { dataDir: string };

const pgMigrations = fileURLToPath(new URL('../../migrations/pg', import.meta.url));

/** Where a deployment's settings say its data lives. */
export const storeLocation = (config: { databaseUrl?: string | undefined; dataDir: string }): StoreLocation =>
  config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir };

/** Opens (and migrates) the store a deployment is configured for. */
export async function openStore(location: StoreLocation): Promise<Store> {
  if ('databaseUrl' in location)
    return openPostgresStore(
      new pg.Pool({
        connectionString: location.databaseUrl,
        // A database host gone without a reset (a partition, a dead machine) is an error in seconds, answered 503
        // (decision 197), not a request held for the kernel's TCP timeouts.
        connectionTimeoutMillis: 5_000,
        keepAlive: true,
      }),
    );
  return sqliteStore(openDatabase(location.dataDir));
}

/** A Store over an open, migrated SQLite connection (the server's own `Db`). */
export function sqliteStore(db: Db): Store {
  const sqlite = db.$client;
  const prepared = new Map<AnyStatement, Database.Statement>();
  const prepare = (s: AnyStatement): Database.Statement => {
    let p = prepared.get(s);
    if (!p) prepared.set(s, (p = sqlite.prepare(s.sql)));
    return p;
  };
  // SQLite's alone (not a shared `statement`): PostgreSQL has no such row (decision 199).
  const readModelVersionRow = sqlite.prepare('select version from read_model_version where id = 1');
  const raw = {
    rows: async (s: AnyStatement, ...params: Param[]) => prepare(s).all(...params) as never[],
    row: async (s: AnyStatement, ...params: Param[]) => prepare(s).get(...params) as never,
    execute: async (s: AnyStatement, ...params: Param[]) => prepare(s).run(...params).changes,
    // Moved by migration 0009's triggers, from any connection: the CLI, the writer and maintenance threads. One
    // cache per connection at every depth: a transaction's reads see its own writes in the version row too.
    readCacheAt: async () => {
      const version = (readModelVersionRow.get() as { version: number } | undefined)?.version;
      return version === undefined ? undefined : { place: sqlite, version, keeps: true };
    },
    database: sqlite,
  };
  /**
   * The store at one nesting depth: 0 outside any transaction, 1 inside one, 2+ inside savepoints; -1 is the
   * outermost transaction's own BEGIN … COMMIT, reached from depth 0 once it is this transaction's turn.
   */
  const at = (depth: number): Store => {
    const store: Store = {
      dialect: 'sqlite',
      inTransaction: depth !== 0,
      q: db as unknown as Queries,
      t: sqliteTables,
      ...raw,
      async transaction(fn) {
        if (depth === 0) {
          // Awaits are microtasks, and another request's code can be among them: one whose own transaction
          // would begin while this one is open. Transactions on a connection take turns (decision 186).
          for (let open = openTransactions.get(sqlite); open; open = openTransactions.get(sqlite)) await open;
          let finish!: () => void;
          openTransactions.set(sqlite, new Promise<void>((resolve) => (finish = resolve)));
          try {
            return await at(-1).transaction(fn);
          } finally {
            openTransactions.delete(sqlite);
            finish();
          }
        }
        const outermost = depth === -1;
        const savepoint = `store_${depth}`;
        sqlite.exec(outermost ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
        // Every query of better-sqlite3 finishes synchronously, so a transaction that awaits only queries ends
        // before the event loop turns. Had it turned (an await on anything else), other requests would have run
        // inside this transaction on the shared connection: it is refused, so the mistake fails every test that
        // takes the path instead of corrupting a deployment one day.
        let turned = false;
        const turn = setImmediate(() => (turned = true));
        let done = false;
        try {
          const value = await fn(at(outermost ? 1 : depth + 1));
          if (turned)
            throw new TransactionAwaitedError(
              'a transaction awaited something other than the database; move that work before or after the transaction',
            );
          sqlite.exec(outermost ? 'COMMIT' : `RELEASE ${savepoint}`);
          done = true;
          return value;
        } catch (error) {
          if (!done && sqlite.inTransaction)
            sqlite.exec(outermost ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
          throw error;
        } finally {
          clearImmediate(turn);
        }
      },
      async close() {
        sqlite.close();
      },
    };
    legacyConnections.set(store, db);
    return store;
  };
  return at(0);
}

const legacyConnections = new WeakMap<Store, Db>();

/** Per SQLite connection, the transaction open on it (whichever Store over it opened it), done when it ends. */
const openTransactions = new WeakMap<Database.Database, Promise<void>>();

/**
 * The SQLite connection under a store, for code not yet moved onto the store (issue 14 moves it folder by
 * folder, decision 180). On PostgreSQL there is none: the error names what cannot run there yet.
 */
export function legacyDb(store: Store, what: string): Db {
  const db = legacyConnections.get(store);
  if (!db)
    throw new NotOnPostgresYetError(
      `${what} does not run on PostgreSQL yet (issue 14); run this deployment on SQLite (no SANTONG_DATABASE_URL)`,
    );
  return db;
}

/** What legacyDb refuses: code that still needs the SQLite connection, asked to run on PostgreSQL. */
export class NotOnPostgresYetError extends Error {}

/** The mistake `transaction` refuses on SQLite: awaiting the network, a file or a timer inside it. */
export class TransactionAwaitedError extends Error {}

/**
 * How PostgreSQL hands values to raw statements: 64-bit integers (epoch milliseconds, row ids, `count(*)`)
 * and `numeric` (a `sum` of bigints) as JavaScript numbers, as SQLite does; drizzle's own queries map their
 * columns themselves and are unaffected.
 */
const rawTypes = {
  getTypeParser: (oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text'),
} as pg.CustomTypesConfig;

/** The setting migration pg/0011's triggers change within a transaction that changes the read model. */
const readModelMovedHere = {
  name: 'santong_read_model_moved',
  text: "select current_setting('santong.read_model_moved', true) as moved",
};

/** SQLSTATEs after which a whole transaction is run again: a serialization failure, a deadlock. */
const RETRIED = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 12;

/**
 * A Store over a PostgreSQL pool, migrated from migrations/pg; several servers may share the database.
 * Transactions are SERIALIZABLE (decision 186): every transaction behaves as if it ran alone, as it does on
 * SQLite's one writer, so code written for one reads right on the other; one that loses a conflict with
 * another server is run again (its body awaits only the store, so running it again repeats nothing else).
 */
export async function openPostgresStore(pool: pg.Pool): Promise<Store> {
  // A connection sitting idle in the pool that the database ends (a restart, a failover, an administrator)
  // is reported here and dropped by the pool; the next query opens a new one, and a query in flight fails with
  // its own error to its caller. Unheard, the event would be an uncaught exception that ends the server.
  pool.on('error', () => undefined);
  // The same for a connection checked out of the pool: its query in flight fails to its caller (a 503, decision
  // 197), and the pool discards the broken connection when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  await migratePg(drizzlePg({ client: pool, schema: pgTables }), { migrationsFolder: pgMigrations });
  const notices = new ReadModelNotices(pool.options);
  const over = (client: pg.Pool | pg.PoolClient, depth: number): Store => {
    const query = (s: AnyStatement, params: Param[]) =>
      client.query({ name: s.name, text: numberedPlaceholders(s.sql), values: params, types: rawTypes });
    return {
      dialect: 'postgres',
      q: drizzlePg({ client, schema: pgTables }) as unknown as Queries,
      t: pgTables as unknown as Tables,
      rows: async (s, ...params) => (await query(s, params)).rows as never[],
      row: async (s, ...params) => (await query(s, params)).rows[0] as never,
      execute: async (s, ...params) => (await query(s, params)).rowCount ?? 0,
      // Outside a transaction: the process's count of notices (decision 199). Inside one that changed the read model:
      // a cache of its own, keyed by the mark its writes left (a new random value per change). Inside one that did
      // not: the process's cache may be used, but what is built from the transaction's snapshot, which may be older
      // than the count, is not kept there.
      readCacheAt: async () => {
        if (depth === 0) {
          const count = notices.count();
          return count === undefined ? undefined : { place: pool, version: count, keeps: true };
        }
        const moved = (await client.query<{ moved: string | null }>(readModelMovedHere)).rows[0]?.moved;
        if (moved) return { place: client, version: moved, keeps: true };
        const count = notices.count();
        return count === undefined ? undefined : { place: pool, version: count, keeps: false };
      },
      database: pool,
      inTransaction: depth > 0,
      async transaction(fn) {
        if (depth > 0) {
          const savepoint = `store_${depth}`;
          await client.query(`SAVEPOINT ${savepoint}`);
          try {
            const value = await fn(over(client, depth + 1));
            await client.query(`RELEASE SAVEPOINT ${savepoint}`);
            return value;
          } catch (error) {
            await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`);
            throw error;
          }
        }
        for (let attempt = 1; ; attempt++) {
          const connection = await pool.connect();
          try {
            await connection.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
            const value = await fn(over(connection, 1));
            // Whether it changed the read model, asked in the same round trip as the commit: if so, this
            // process's reads stop using what they kept at once, not when the notice comes back.
            const [moved] = (await connection.query(`${readModelMovedHere.text}; COMMIT`)) as unknown as [
              pg.QueryResult<{ moved: string | null }>,
            ];
            if (moved.rows[0]?.moved) notices.moved((connection as unknown as { processID: number }).processID);
            return value;
          } catch (error) {
            await connection.query('ROLLBACK').catch(() => undefined);
            // drizzle wraps the driver's error (DrizzleQueryError): its SQLSTATE is on the cause.
            const failed = error as { code?: string; cause?: { code?: string } };
            const code = failed.code ?? failed.cause?.code;
            if (!code || !RETRIED.has(code) || attempt >= MAX_ATTEMPTS) throw error;
          } finally {
            // Back to the pool before any wait: a transaction waiting to run again holds no connection.
            connection.release();
          }
          // Transactions that collided collide again if re-run at once: each waits a random while, doubling with
          // every attempt (full jitter; up to ~10 s before the last), so they spread out.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
        }
      },
      async close() {
        await notices.close();
        await pool.end();
      },
    };
  };
  const store = over(pool, 0);
  // Raw reports are partitioned by day (decision 192): the days ahead, and any day whose reports wait in the
  // default partition, get theirs as the database is migrated.
  await ensureReportPartitions(store, Date.now());
  return store;
}
