import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { DomainError } from '../errors.ts';
import { DATABASE_FILE, openDatabase } from './client.ts';
import { endOfLocalDay, localDay } from '../../shared/time/china-time.ts';
import { ensureReportPartitions } from './report-partitions.ts';
import { openStore } from './store.ts';

/*
 * Moves a SQLite deployment into an empty, migrated PostgreSQL (issue 14 item 4, decision 193): every table of the
 * SQLite schema, its twin on PostgreSQL (decision 120), row for row with the same ids and the same bytes, read from
 * one SQLite read transaction and written in one PostgreSQL transaction, so the copy is one moment of the source and
 * the target is either whole or untouched. Rows stream through in batches: no table is held in memory.
 */

/** One table's rows on each side once the copy is done. */
export interface CopiedTable {
  table: string;
  sqlite: number;
  postgres: number;
}

/** SQLite's own tables, with no twin to copy into: PostgreSQL's servers learn of read-model changes by notice (decision 199). */
const SQLITE_ONLY = new Set(['read_model_version']);
/** PostgreSQL takes at most 65,535 parameters a statement. */
const MAX_PARAMETERS = 60_000;
const MAX_BATCH_ROWS = 1_000;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Copies the SQLite database under dataDir into the PostgreSQL database at databaseUrl; refuses one that holds data. */
export async function copySqliteToPostgres(
  dataDir: string,
  databaseUrl: string,
  now: number,
  progress: (line: string) => void = () => undefined,
): Promise<CopiedTable[]> {
  const file = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(file))
    throw new DomainError(
      'not-found',
      'no_database',
      `no SQLite database at ${file}; give the deployment's --data-dir`,
    );
  // Migrated to this version's schema first, as the server would, so its tables are the twin's.
  const sqlite = openDatabase(dataDir).$client;
  // Opening the store migrates PostgreSQL (and makes the coming days' report partitions, decision 192); the days the
  // copy will write get theirs first too, so their reports go straight in rather than through reports_default, whose
  // rows moved out later would leave as many dead pages behind.
  const store = await openStore({ databaseUrl });
  try {
    await ensureReportPartitions(store, now, 0, reportDays(sqlite));
  } finally {
    await store.close();
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = copyOrder(sqlite).filter((table) => !SQLITE_ONLY.has(table));
    await refuseNonEmpty(client);
    const types = await columnTypes(client);
    // One read transaction: every table is read as of one moment, even while a server writes to the file.
    sqlite.exec('BEGIN');
    const counts = new Map<string, number>();
    try {
      await client.query('BEGIN');
      try {
        for (const table of tables) {
          const copied = await copyTable(sqlite, client, table, types.get(table));
          counts.set(table, copied);
          progress(`${table}: ${copied} rows`);
        }
        await setIdentitiesPastCopiedIds(client);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      sqlite.exec('ROLLBACK');
    }
    // Reports copied into days with no partition yet wait in the default partition: each day gets its own.
    const partitioned = await openStore({ databaseUrl });
    try {
      await ensureReportPartitions(partitioned, now);
    } finally {
      await partitioned.close();
    }
    const result: CopiedTable[] = [];
    for (const table of tables) {
      const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${quoted(table)}`);
      result.push({ table, sqlite: counts.get(table)!, postgres: Number(rows[0]!.n) });
    }
    return result;
  } finally {
    await client.end();
    sqlite.close();
  }
}

/** Every local day from the oldest raw report's to the newest's. */
export function reportDays(sqlite: Database.Database): string[] {
  const { first, last } = sqlite
    .prepare('select min(collected_at) as first, max(collected_at) as last from reports')
    .get() as { first: number | null; last: number | null };
  if (first === null || last === null) return [];
  const days: string[] = [];
  for (let day = localDay(first); day <= localDay(last); day = localDay(endOfLocalDay(day))) days.push(day);
  return days;
}

/**
 * The SQLite schema's tables, each after those its foreign keys name; the tables triggers write (the read-model
 * version, the division tree's version) go last, since copying the others would move them on a target that has them.
 */
export function copyOrder(sqlite: Database.Database): string[] {
  const master = sqlite
    .prepare(`select type, name, sql from sqlite_master where type in ('table', 'trigger') order by name`)
    .all() as { type: string; name: string; sql: string }[];
  const tables = master
    .filter((m) => m.type === 'table' && !m.name.startsWith('sqlite_') && !m.name.startsWith('__'))
    .map((m) => m.name);
  const written = new Set(
    master
      .filter((m) => m.type === 'trigger')
      .flatMap((m) => [...m.sql.matchAll(/\b(?:update|insert\s+into)\s+[`"]?(\w+)[`"]?/gi)].map((x) => x[1]!)),
  );
  const references = new Map(
    tables.map((t) => [
      t,
      (sqlite.pragma(`foreign_key_list(${quoted(t)})`) as { table: string }[])
        .map((fk) => fk.table)
        .filter((r) => r !== t),
    ]),
  );
  const ordered: string[] = [];
  const visit = (table: string, path: string[]) => {
    if (ordered.includes(table)) return;
    if (path.includes(table)) throw new Error(`foreign keys form a cycle: ${[...path, table].join(' → ')}`);
    for (const referenced of references.get(table) ?? []) visit(referenced, [...path, table]);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return [...ordered.filter((t) => !written.has(t)), ...ordered.filter((t) => written.has(t))];
}

/** Refuses a target that holds any row (a fresh migration seeds none). */
async function refuseNonEmpty(client: pg.Client): Promise<void> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
  );
  const holding: string[] = [];
  for (const { name } of tables) {
    const { rowCount } = await client.query(`select 1 from ${quoted(name)} limit 1`);
    if (rowCount) holding.push(name);
  }
  if (holding.length > 0)
    throw new DomainError(
      'conflict',
      'target_not_empty',
      `the PostgreSQL database already holds data (${holding.join(', ')}): migrate-to-postgres copies only into an ` +
        'empty database; create a new one (createdb) and give its URL',
    );
}

/** Every public column's PostgreSQL type, by table and column. */
async function columnTypes(client: pg.Client): Promise<Map<string, Map<string, string>>> {
  const { rows } = await client.query<{ table: string; column: string; type: string }>(
    `select table_name as table, column_name as column, data_type as type from information_schema.columns
     where table_schema = 'public'`,
  );
  const types = new Map<string, Map<string, string>>();
  for (const r of rows) {
    if (!types.has(r.table)) types.set(r.table, new Map());
    types.get(r.table)!.set(r.column, r.type);
  }
  return types;
}

/**
 * A SQLite value as PostgreSQL's column takes it. bytea: SQLite's text in a blob column (report bodies and ids stored
 * before decision 181) as its UTF-8 bytes, as PostgreSQL's own migration converted them; a string would be read as
 * bytea's escape format. jsonb: the JSON text, parsed by PostgreSQL.
 */
const toPostgres = (type: string | undefined) =>
  type === 'bytea'
    ? (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
    : (value: unknown) => value;

/** A table's columns, and the statement that reads its rows as arrays in that order. */
export function tableReader(sqlite: Database.Database, table: string) {
  const columns = (sqlite.pragma(`table_info(${quoted(table)})`) as { name: string }[]).map((c) => c.name);
  const rows = sqlite.prepare(`select ${columns.map(quoted).join(', ')} from ${quoted(table)}`).raw(true);
  return { columns, rows };
}

/** Streams one table across in multi-row inserts; returns the rows copied. */
async function copyTable(
  sqlite: Database.Database,
  client: pg.Client,
  table: string,
  types: Map<string, string> | undefined,
): Promise<number> {
  if (!types) throw new Error(`table ${table} has no twin on PostgreSQL: is the database migrated by this version?`);
  const { columns, rows: read } = tableReader(sqlite, table);
  const missing = columns.filter((c) => !types.has(c));
  if (missing.length > 0) throw new Error(`${table}.${missing.join(', ')} has no twin on PostgreSQL`);
  const convert = columns.map((c) => toPostgres(types.get(c)));
  const batchRows = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
  const insert = (rows: number) => {
    let n = 0;
    const tuples = Array.from({ length: rows }, () => `(${columns.map(() => `$${++n}`).join(', ')})`);
    return `insert into ${quoted(table)} (${columns.map(quoted).join(', ')}) values ${tuples.join(', ')}`;
  };
  const fullBatch = insert(batchRows);
  let batch: unknown[] = [];
  let rows = 0;
  let copied = 0;
  const flush = async () => {
    if (rows === 0) return;
    // A full batch is one statement PostgreSQL parses once per table; the last, shorter one is parsed alone.
    await client.query(
      rows === batchRows
        ? { name: `copy_${table}`, text: fullBatch, values: batch }
        : { text: insert(rows), values: batch },
    );
    copied += rows;
    batch = [];
    rows = 0;
  };
  for (const row of read.iterate() as Iterable<unknown[]>) {
    for (let i = 0; i < row.length; i++) batch.push(convert[i]!(row[i]));
    if (++rows === batchRows) await flush();
  }
  await flush();
  return copied;
}

/** Identity columns ("generated by default", so copied rows kept their ids): their sequences continue past the copy. */
async function setIdentitiesPastCopiedIds(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ table: string; column: string }>(
    `select table_name as table, column_name as column from information_schema.columns
     where table_schema = 'public' and is_identity = 'YES'`,
  );
  for (const { table, column } of rows)
    await client.query(
      `select setval(pg_get_serial_sequence($1, $2), coalesce(max(${quoted(column)}), 0) + 1, false)
       from ${quoted(table)}`,
      [quoted(table), column],
    );
}
