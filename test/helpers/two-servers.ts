import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store, type StoreLocation } from '../../server/db/store.ts';
import { usePostgres } from './postgres.ts';

/*
 * Two stores on one new database of a dialect, as two santong servers share one (issue 14 item 2): a SQLite file
 * opened twice, or a database on the test file's own PostgreSQL server. Call at the top of a test file; what it
 * opens is closed (and removed) after each test.
 */
export function useTwoServers(): {
  twoServers: (dialect: Store['dialect']) => Promise<[Store, Store]>;
  newPostgresUrl: () => Promise<string>;
} {
  const postgres = usePostgres();
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  const newPostgresUrl = async () => {
    const { host, port, user, database } = await postgres().createDatabase();
    return `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`;
  };
  const twoServers = async (dialect: Store['dialect']): Promise<[Store, Store]> => {
    let location: StoreLocation;
    if (dialect === 'sqlite') {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-two-'));
      closers.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      location = { dataDir };
    } else location = { databaseUrl: await newPostgresUrl() };
    const first = await openStore(location);
    closers.push(() => first.close());
    const second = await openStore(location);
    closers.push(() => second.close());
    return [first, second];
  };
  return { twoServers, newPostgresUrl };
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
