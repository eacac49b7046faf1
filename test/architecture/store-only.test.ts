import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Issue 14 moves the server onto the Store (decisions 180, 186) file by file. A file on the store reaches the
 * data only through it: no SQLite connection (server/db/client.ts's Db, inTransaction), no statements prepared
 * per connection (per-connection.ts), no legacyDb and no c.get('db'). The files not yet moved are listed here;
 * the list only shrinks, and a file that has moved must leave it, so progress is visible and cannot slide back.
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The SQLite layer itself, SQLite's own backup (PostgreSQL's is pg_dump) and the wipe of the release key only
 * SQLite deployments ever held (releases/legacy-key.ts): they are the connection.
 */
const theConnection = [
  'server/db/client.ts',
  'server/db/per-connection.ts',
  'server/db/store.ts',
  'server/db/backup.ts',
  'server/releases/legacy-key.ts',
  'server/db/sqlite-to-postgres.ts', // migrate-to-postgres reads the SQLite file itself, like backup
  'server/http/app-env.ts',
];

/** Not yet on the store (issue 14): none since session 9; a file reaching for the connection again fails here. */
export const onTheConnection: string[] = [];

const usesTheConnection = /db\/client\.ts'|from '\.\/client\.ts'|per-connection\.ts'|\blegacyDb|\.get\('db'\)/;

function serverFiles(dir = 'server'): string[] {
  return fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return serverFiles(file);
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

describe('the server on the store (issue 14)', () => {
  const using = serverFiles().filter((f) => usesTheConnection.test(fs.readFileSync(path.join(repo, f), 'utf8')));

  it('reaches the data through the store in every file not listed as still on the connection', () => {
    expect(using.filter((f) => !theConnection.includes(f) && !onTheConnection.includes(f))).toEqual([]);
  });

  it('lists only files still on the connection, so the list shrinks as files move', () => {
    expect(
      onTheConnection.filter((f) => !using.includes(f)),
      'remove these from onTheConnection',
    ).toEqual([]);
  });
});
