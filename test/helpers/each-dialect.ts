import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store } from '../../server/db/store.ts';
import { usePostgres } from './postgres.ts';

/*
 * Fresh, migrated stores of either dialect for tests that hold domain code moved onto the store (issue 14) to
 * one contract on both: a SQLite file in a temp dir, or a new database on the file's own PostgreSQL server.
 * Call at the top of a test file; everything opened is closed (and removed) after each test.
 */
export function useEachDialect(): (dialect: Store['dialect']) => Promise<Store> {
  const postgres = usePostgres();
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return async (dialect) => {
    if (dialect === 'sqlite') {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-dialect-'));
      closers.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const store = await openStore({ dataDir });
      closers.push(() => store.close());
      return store;
    }
    const { host, port, user, database } = await postgres().createDatabase();
    const store = await openStore({
      databaseUrl: `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`,
    });
    closers.push(() => store.close());
    return store;
  };
}
