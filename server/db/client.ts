import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { registerReportJson } from './report-body.ts';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export const DATABASE_FILE = 'santong.sqlite';

/**
 * The one place that opens SQLite. WAL lets readers run beside the single writer. synchronous=FULL
 * fsyncs the WAL at every commit, so an acknowledged report survives a power cut too, not only a
 * process crash (docs/decisions/005-durable-acknowledgement.md).
 * Migrations run on every open, so every command works on a database no server has opened yet.
 */
export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  ownerOnly(dataDir, 0o700);
  return openDatabaseFile(path.join(dataDir, DATABASE_FILE));
}

/**
 * The database holds device, token and session hashes, accounts and the audit log: readable by the
 * server's user only (0600 in a 0700 data dir), whatever the umask. SQLite gives its -wal and -shm files
 * the database file's mode, so the file is made 0600 before SQLite first opens it.
 */
export function openDatabaseFile(file: string): Db {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) ownerOnly(f, 0o600);
  const sqlite = new Database(file);
  registerReportJson(sqlite);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Db;
  // Migrations run with foreign keys off, as SQLite's documented way to change a table's shape (a new table,
  // copy, drop, rename) requires: dropping a table that others reference would otherwise delete through them.
  // The whole database is checked before they are turned on again; a violation refuses to start.
  sqlite.pragma('foreign_keys = OFF');
  migrate(db, { migrationsFolder });
  const violations = sqlite.pragma('foreign_key_check') as unknown[];
  if (violations.length > 0)
    throw new Error(
      `the database breaks ${violations.length} foreign key(s) after migrating: ${JSON.stringify(violations.slice(0, 5))}`,
    );
  sqlite.pragma('foreign_keys = ON');
  return db;
}

/** Sets a file's or directory's mode when it exists; on a file another user owns, leaves it as it is. */
export function ownerOnly(file: string, mode: number): void {
  try {
    if ((fs.statSync(file).mode & 0o777) !== mode) fs.chmodSync(file, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw error;
  }
}

/**
 * Runs fn in one write transaction (BEGIN IMMEDIATE, so it never fails half-way on a lock upgrade).
 * Nested calls become savepoints. fn must be synchronous: better-sqlite3 commits when it returns.
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate();
}
