import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../server/db/store.ts';

/** What a test runs after each case, last first: closing stores, removing their directories. */
export type Closers = Array<() => Promise<void> | void>;

/** A store over a fresh SQLite file in a temp dir of its own; `closers` gets its closing and the dir's removal. */
export async function openSqliteTestStore(closers: Closers, prefix = 'santong-store-'): Promise<Store> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const store = await openStore({ dataDir });
  closers.push(
    () => fs.rmSync(dataDir, { recursive: true, force: true }),
    () => store.close(),
  );
  return store;
}
