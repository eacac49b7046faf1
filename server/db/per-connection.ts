import type Database from 'better-sqlite3';
import type { Db } from './client.ts';

type Build = (sqlite: Database.Database) => unknown;

/*
 * Every build ever passed to perConnection, in import order. Raw SQL names columns that drizzle's types
 * cannot see; test/architecture/raw-sql.test.ts builds each of these on a freshly migrated database, where
 * SQLite's prepare refuses a column or table the schema no longer has.
 */
const builds: Build[] = [];

/**
 * Something built once per SQLite connection, typically prepared statements: `perConnection(build)`
 * returns a getter that builds on a connection's first use and hands back the same value afterwards.
 * The server, the worker thread and each CLI command have their own connection, hence their own value.
 */
export function perConnection<T>(build: (sqlite: Database.Database) => T): (db: Db) => T {
  builds.push(build);
  const built = new WeakMap<Database.Database, T>();
  return (db) => {
    let value = built.get(db.$client);
    if (value === undefined) {
      value = build(db.$client);
      built.set(db.$client, value);
    }
    return value;
  };
}

/** Builds every bundle registered by the modules imported so far on one connection, uncached; returns their number. */
export function buildEveryBundle(sqlite: Database.Database): number {
  for (const build of builds) build(sqlite);
  return builds.length;
}
