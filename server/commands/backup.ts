import { parseServerConfig } from '../config.ts';
import { backupDatabase } from '../db/backup.ts';
import { DomainError } from '../errors.ts';
import { UsageError, type Command } from './command-line.ts';

/** `santong backup FILE`: an online copy of the SQLite database, safe while the server runs. */
export const backupCommand: Command = async ({ flags, sub: file, say }) => {
  if (!file) throw new UsageError('backup needs a FILE to write');
  const config = parseServerConfig(flags, process.env);
  // On PostgreSQL the data is not in the data dir: copying a SQLite file left there (after migrate-to-postgres)
  // would write a stale backup that looks whole. PostgreSQL's own tools back it up (decision 197).
  if (config.databaseUrl)
    throw new DomainError(
      'invalid',
      'backup_on_postgres',
      'santong backup copies the SQLite database, and this deployment is on PostgreSQL (SANTONG_DATABASE_URL or --database-url): ' +
        'back it up with pg_dump -Fc (a consistent copy while the servers run; pg_restore restores it), or with ' +
        'pg_basebackup and WAL archiving for point-in-time recovery; see the README, "Running on PostgreSQL"',
    );
  const result = await backupDatabase(config.dataDir, file);
  say(`backup written to ${result.file}: ${result.bytes} bytes, integrity ${result.integrity}`);
  return 0;
};
