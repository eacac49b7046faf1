import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.ts';
import { diffShapes, type SchemaShape } from './shape.ts';
import { postgresShape } from './shape-pg.ts';
import { sqliteShape } from './shape-sqlite.ts';

/*
 * The SQLite schema and its PostgreSQL twin (decision 120), each migrated from its own folder into a fresh
 * database and compared by introspection: tables, columns (storage class, nullability, default), primary
 * keys, indexes (unique, partial), foreign keys, triggers and seed rows.
 */

const postgres = usePostgres();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function migratedSqlite(): Database.Database {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-parity-'));
  const sqlite = new Database(path.join(dir, 'santong.sqlite'));
  cleanups.push(() => {
    sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  sqliteMigrate(sqliteDrizzle(sqlite), {
    migrationsFolder: fileURLToPath(new URL('../../migrations', import.meta.url)),
  });
  return sqlite;
}

async function migratedPostgres(): Promise<pg.Client> {
  const client = new pg.Client(await postgres().createDatabase());
  await client.connect();
  cleanups.push(() => client.end());
  await pgMigrate(pgDrizzle({ client }), {
    migrationsFolder: fileURLToPath(new URL('../../migrations/pg', import.meta.url)),
  });
  return client;
}

/**
 * What PostgreSQL does its own way, and nothing else: the servers learn of read-model changes by notice, not from a
 * version row (decision 199); partitioning raw reports by day (decision 192) adds the partition key to the primary
 * key, and exactly-once across partitions needs the trigger and its table of clamped reports.
 */
const postgresOwnWays = [
  'read_model_version: only in sqlite',
  'reports primary key: sqlite ["device_id","id"], postgres ["device_id","id","collected_at"]',
  'reports triggers: sqlite [], postgres ["reports_once_across_partitions"]',
  'clamped_reports: only in postgres',
];

describe('the PostgreSQL twin of the schema', () => {
  it('migrates to the same tables, columns, keys, indexes and triggers as SQLite', async () => {
    const sqlite: SchemaShape = sqliteShape(migratedSqlite());
    const postgres: SchemaShape = await postgresShape(await migratedPostgres());
    expect(Object.keys(sqlite).length).toBeGreaterThan(30);
    expect(diffShapes(sqlite, postgres)).toEqual(postgresOwnWays);
  });

  it('is told apart when one side has a column the other lacks', async () => {
    const sqlite = sqliteShape(migratedSqlite());
    const client = await migratedPostgres();
    await client.query('alter table schools add column motto text');
    expect(diffShapes(sqlite, await postgresShape(client))).toEqual([
      ...postgresOwnWays.slice(0, 3),
      'schools.motto: only in postgres',
      ...postgresOwnWays.slice(3),
    ]);
  });
});
