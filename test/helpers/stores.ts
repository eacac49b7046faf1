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

/** One enrolled PC of one school, as the registry and enrolment leave them. */
export async function enrolledDevice(store: Store) {
  const { divisions, schools, devices, deviceStatus } = store.t;
  await store.q.insert(divisions).values([
    { code: '622900', name: '临夏回族自治州', level: 'prefecture' },
    { code: '622921', name: '临夏县', level: 'county', parentCode: '622900' },
  ]);
  const school = { code: '6229210001', countyCode: '622921', typeCode: '211', urbanRuralCode: '220' };
  await store.q.insert(schools).values({ ...school, name: '学校', createdAt: 1, updatedAt: 1 });
  await store.q
    .insert(devices)
    .values({ id: 'pc-1', schoolCode: school.code, hostname: 'pc', keyHash: 'h', enrolledAt: 1 });
  await store.q.insert(deviceStatus).values({ deviceId: 'pc-1', schoolCode: school.code, state: 'never' });
  return { id: 'pc-1', schoolCode: school.code };
}
