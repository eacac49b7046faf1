import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { openDatabase, type Db } from './client.ts';
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
  close(): Promise<void>;
}

/** Where the data lives: a PostgreSQL URL when given, else SQLite under the data directory. */
export type StoreLocation = { databaseUrl: string } | { dataDir: string };

const pgMigrations = fileURLToPath(new URL('../../migrations/pg', import.meta.url));

/** Opens (and migrates) the store a deployment is configured for. */
export async function openStore(location: StoreLocation): Promise<Store> {
  if ('databaseUrl' in location) return openPostgresStore(new pg.Pool({ connectionString: location.databaseUrl }));
  return sqliteStore(openDatabase(location.dataDir));
}

/** A Store over an open, migrated SQLite connection (the server's own `Db`). */
export function sqliteStore(db: Db): Store {
  const sqlite = db.$client;
  /** The store at one nesting depth: 0 outside any transaction, 1 inside one, 2+ inside savepoints. */
  const at = (depth: number): Store => ({
    dialect: 'sqlite',
    q: db as unknown as Queries,
    t: sqliteTables,
    async transaction(fn) {
      const savepoint = `store_${depth}`;
      // At depth 0 this is BEGIN: should another transaction be open (one that let the event loop turn, below),
      // SQLite refuses it loudly rather than nesting two requests' work.
      sqlite.exec(depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${savepoint}`);
      // Every query of better-sqlite3 finishes synchronously, so a transaction that awaits only queries ends
      // before the event loop turns. Had it turned (an await on anything else), other requests would have run
      // inside this transaction on the shared connection: it is refused, so the mistake fails every test that
      // takes the path instead of corrupting a deployment one day.
      let turned = false;
      const turn = setImmediate(() => (turned = true));
      let done = false;
      try {
        const value = await fn(at(depth + 1));
        if (turned)
          throw new TransactionAwaitedError(
            'a transaction awaited something other than the database; move that work before or after the transaction',
          );
        sqlite.exec(depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
        done = true;
        return value;
      } catch (error) {
        if (!done && sqlite.inTransaction)
          sqlite.exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
        throw error;
      } finally {
        clearImmediate(turn);
      }
    },
    async close() {
      sqlite.close();
    },
  });
  return at(0);
}

/** The mistake `transaction` refuses on SQLite: awaiting the network, a file or a timer inside it. */
export class TransactionAwaitedError extends Error {}

/** A Store over a PostgreSQL pool, migrated from migrations/pg; several servers may share the database. */
export async function openPostgresStore(pool: pg.Pool): Promise<Store> {
  const db = drizzlePg({ client: pool, schema: pgTables });
  await migratePg(db, { migrationsFolder: pgMigrations });
  const over = (queries: NodePgDatabase<typeof pgTables>): Store => ({
    dialect: 'postgres',
    q: queries as unknown as Queries,
    t: pgTables as unknown as Tables,
    transaction: (fn) => queries.transaction((tx) => fn(over(tx as unknown as NodePgDatabase<typeof pgTables>))),
    close: () => pool.end(),
  });
  return over(db);
}
