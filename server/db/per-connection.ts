import type Database from 'better-sqlite3';
import type { Db } from './client.ts';
import type { Param, Statement } from './store.ts';

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

/** A statement() run synchronously on the SQLite connection. */
export interface ConnectionRunner {
  rows<Row, Params extends Param[]>(statement: Statement<Row, Params>, ...params: Params): Row[];
  row<Row, Params extends Param[]>(statement: Statement<Row, Params>, ...params: Params): Row | undefined;
  execute<Params extends Param[]>(statement: Statement<unknown, Params>, ...params: Params): number;
}

const runners = new WeakMap<Database.Database, ConnectionRunner>();

/**
 * Runs the store's raw statements (`statement()`, written once for both dialects) synchronously on the SQLite
 * connection, for code whose callers still run it inside their synchronous transactions (issue 14): its SQL is
 * already the store's, checked on both dialects, and moving it onto the store changes only how it is run.
 * Each statement is prepared once per connection.
 */
export function onConnection(db: Db): ConnectionRunner {
  const sqlite = db.$client;
  let runner = runners.get(sqlite);
  if (runner) return runner;
  const prepared = new Map<Statement<any, any>, Database.Statement>();
  const prepare = (s: Statement<any, any>) => {
    let p = prepared.get(s);
    if (!p) prepared.set(s, (p = sqlite.prepare(s.sql)));
    return p;
  };
  runner = {
    rows: (s, ...params) => prepare(s).all(...params) as never[],
    row: (s, ...params) => prepare(s).get(...params) as never,
    execute: (s, ...params) => prepare(s).run(...params).changes,
  };
  runners.set(sqlite, runner);
  return runner;
}
