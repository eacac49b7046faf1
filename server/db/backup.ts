import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '../errors.ts';
import { DATABASE_FILE, ownerOnly } from './client.ts';

export interface BackupResult {
  file: string;
  bytes: number;
  integrity: string;
}

/**
 * `santong backup FILE`: an online copy of the data dir's database through SQLite's backup API, safe
 * while the server ingests (the copy is one consistent snapshot, WAL included). It is written beside
 * FILE and renamed into place only after its integrity check passes, so a FILE that exists is whole.
 * The copy is readable by its owner only (0600), like the database.
 */
export async function backupDatabase(dataDir: string, file: string): Promise<BackupResult> {
  const sourceFile = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(sourceFile))
    throw new DomainError('not-found', 'no_database', `no database at ${sourceFile}; give the server's --data-dir`);
  const source = new Database(sourceFile, { fileMustExist: true });
  const partial = `${file}.partial`;
  try {
    source.pragma('busy_timeout = 5000');
    fs.rmSync(partial, { force: true });
    // A copy is as secret as the database: 0600 before SQLite writes a byte into it, whatever the umask.
    fs.closeSync(fs.openSync(partial, 'wx', 0o600));
    ownerOnly(partial, 0o600);
    await source.backup(partial);
  } finally {
    source.close();
  }
  const copy = new Database(partial);
  let integrity: string;
  try {
    // A restored copy is one self-contained file: no -wal beside it to lose.
    copy.pragma('journal_mode = DELETE');
    integrity = String(copy.pragma('integrity_check', { simple: true }));
  } finally {
    copy.close();
  }
  if (integrity !== 'ok') {
    fs.rmSync(partial, { force: true });
    throw new Error(`the backup copy failed its integrity check: ${integrity}`);
  }
  fs.renameSync(partial, file);
  return { file, bytes: fs.statSync(file).size, integrity };
}
