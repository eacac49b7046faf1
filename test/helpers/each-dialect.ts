import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store, type StoreLocation } from '../../server/db/store.ts';
import { usePostgres } from './postgres.ts';

/** Opens a fresh, migrated store of a dialect; `sharing` opens several on one database, as servers share it. */
export interface EachDialect {
  (dialect: Store['dialect']): Promise<Store>;
  /** `count` stores on one new database of the dialect: as many santong servers sharing it. */
  sharing(dialect: Store['dialect'], count: number): Promise<Store[]>;
  /** Two stores on one new database: two santong servers sharing it. */
  twoServers(dialect: Store['dialect']): Promise<[Store, Store]>;
  /** A new, empty database of the dialect, not opened (a SQLite data dir, a PostgreSQL URL); removed after the test. */
  location(dialect: Store['dialect']): Promise<StoreLocation>;
}

/*
 * Fresh, migrated stores of either dialect for tests that hold domain code moved onto the store (issue 14) to
 * one contract on both: a SQLite file in a temp dir, or a new database on the file's own PostgreSQL server.
 * Call at the top of a test file; everything opened is closed (and removed) after each test.
 */
export function useEachDialect(): EachDialect {
  const postgres = usePostgres();
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  const newLocation = async (dialect: Store['dialect']): Promise<StoreLocation> => {
    if (dialect === 'sqlite') {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-dialect-'));
      closers.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      return { dataDir };
    }
    const { host, port, user, database } = await postgres().createDatabase();
    return { databaseUrl: `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}` };
  };
  const sharing = async (dialect: Store['dialect'], count: number) => {
    const location = await newLocation(dialect);
    const stores: Store[] = [];
    for (let i = 0; i < count; i++) {
      const store = await openStore(location);
      closers.push(() => store.close());
      stores.push(store);
    }
    return stores;
  };
  return Object.assign(async (dialect: Store['dialect']) => (await sharing(dialect, 1))[0]!, {
    sharing,
    twoServers: async (dialect: Store['dialect']) => (await sharing(dialect, 2)) as [Store, Store],
    location: newLocation,
  });
}
