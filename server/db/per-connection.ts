import type Database from 'better-sqlite3';
import type { Db } from './client.ts';

/**
 * Something built once per SQLite connection, typically prepared statements: `perConnection(build)`
 * returns a getter that builds on a connection's first use and hands back the same value afterwards.
 * The server, the worker thread and each CLI command have their own connection, hence their own value.
 */
export function perConnection<T>(build: (sqlite: Database.Database) => T): (db: Db) => T {
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
