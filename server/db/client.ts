import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
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
  fs.mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(path.join(dataDir, DATABASE_FILE));
}

export function openDatabaseFile(file: string): Db {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

/**
 * Runs fn in one write transaction (BEGIN IMMEDIATE, so it never fails half-way on a lock upgrade).
 * Nested calls become savepoints. fn must be synchronous: better-sqlite3 commits when it returns.
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate();
}
