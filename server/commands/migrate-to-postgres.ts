import { parseServerConfig } from '../config.ts';
import { copySqliteToPostgres } from '../db/sqlite-to-postgres.ts';
import { UsageError, type Command } from './command-line.ts';

/**
 * `santong migrate-to-postgres --database-url postgres://…`: the SQLite deployment under --data-dir copied into an
 * empty PostgreSQL database (decision 193), then every table's rows counted on both sides and printed; exit 1 when
 * any count differs.
 */
export const migrateToPostgresCommand: Command = async ({ flags, now, say }) => {
  const config = parseServerConfig(flags, process.env);
  if (!config.databaseUrl)
    throw new UsageError(
      'migrate-to-postgres needs --database-url postgres://USER@HOST[:PORT]/DATABASE (an empty database)',
    );
  say(`copying ${config.dataDir} into PostgreSQL …`);
  const tables = await copySqliteToPostgres(config.dataDir, config.databaseUrl, now);
  const width = Math.max(...tables.map((t) => t.table.length));
  say(`${'table'.padEnd(width)}  ${'sqlite'.padStart(10)}  ${'postgres'.padStart(10)}`);
  for (const t of tables)
    say(
      `${t.table.padEnd(width)}  ${String(t.sqlite).padStart(10)}  ${String(t.postgres).padStart(10)}${t.sqlite === t.postgres ? '' : '  DIFFERS'}`,
    );
  const differing = tables.filter((t) => t.sqlite !== t.postgres);
  if (differing.length > 0) {
    process.stderr.write(`santong: row counts differ in ${differing.map((t) => t.table).join(', ')}\n`);
    return 1;
  }
  say(
    `every table has the same rows on both sides: ${tables.reduce((n, t) => n + t.sqlite, 0)} rows in ${tables.length} tables;`,
  );
  say('serve from PostgreSQL with SANTONG_DATABASE_URL (or --database-url) set, the SQLite file left as it was');
  return 0;
};
