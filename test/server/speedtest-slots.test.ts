import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSecret, hashSecret } from '../../server/access/secrets.ts';
import { createApp } from '../../server/app.ts';
import type { Store } from '../../server/db/store.ts';
import { establishRoot } from '../../server/divisions/deployment.ts';
import { parsePlanFile } from '../../server/plan/plan.ts';
import { defaultSpeedtestPolicy, SpeedtestSlots } from '../../server/speedtest/slots.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';

/*
 * Speed-test slots shared by every server process on one database (issue 14, decision 195): two stores on one
 * SQLite file or one PostgreSQL database stand for two `santong serve` processes behind one address.
 */
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const { plan: linxia } = parsePlanFile(new URL('../../server/plan/linxia-2015-2020.json', import.meta.url));
const NOW = Date.parse('2027-03-01T02:00:00Z');
const SCHOOL = '6229210001';

const open = useEachDialect();

/** One school with three enrolled PCs, and a second school with one, written straight through the store. */
async function schoolsWithPcs(store: Store): Promise<Record<'a' | 'b' | 'c' | 'elsewhere', string>> {
  const { devices, schools } = store.t;
  await establishRoot(store, undefined, NOW); // Linxia's tree
  const school = (code: string) => ({
    code,
    name: `学校${code}`,
    countyCode: '622921',
    typeCode: '211',
    urbanRuralCode: '121',
    createdAt: NOW,
    updatedAt: NOW,
  });
  await store.q.insert(schools).values([school(SCHOOL), school('6229210002')]);
  // A measured download moves the school's figures, which are judged against the plan in force.
  await store.q.insert(store.t.plans).values({ document: linxia!, importedAt: NOW, source: 'test' });
  const keys = {
    a: generateSecret('device'),
    b: generateSecret('device'),
    c: generateSecret('device'),
    elsewhere: generateSecret('device'),
  };
  await store.q.insert(devices).values(
    Object.entries(keys).map(([id, key]) => ({
      id,
      schoolCode: id === 'elsewhere' ? '6229210002' : SCHOOL,
      hostname: `pc-${id}`,
      keyHash: hashSecret(key),
      enrolledAt: NOW,
    })),
  );
  return keys;
}

const pc = (id: string, schoolCode = SCHOOL) => ({ id, schoolCode });

describe.each(['sqlite', 'postgres'] as const)('speed-test slots on two servers sharing one %s database', (dialect) => {
  it('grant one slot per school between them, count the daily cap across both, and hand a download timed by one to the other', async () => {
    const [store1, store2] = await open.twoServers(dialect);
    await schoolsWithPcs(store1);
    const slots1 = new SpeedtestSlots({ ...defaultSpeedtestPolicy, maxPerDevicePerDay: 2 });
    const slots2 = new SpeedtestSlots({ ...defaultSpeedtestPolicy, maxPerDevicePerDay: 2 });

    // Three PCs of one school ask both servers at once: one slot is granted. (Two SQLite connections in one
    // process cannot wait for each other's transactions, as two processes do: there they ask in turn.)
    const asks = [
      () => slots1.request(store1, pc('a'), NOW),
      () => slots2.request(store2, pc('b'), NOW),
      () => slots1.request(store1, pc('c'), NOW),
    ];
    const asked =
      dialect === 'postgres'
        ? await Promise.all(asks.map((ask) => ask()))
        : [await asks[0]!(), await asks[1]!(), await asks[2]!()];
    expect(asked.filter((s) => s.granted)).toHaveLength(1);
    const holder = ['a', 'b', 'c'][asked.findIndex((s) => s.granted)]!;
    const other = holder === 'a' ? 'b' : 'a';
    expect(asked.find((s) => !s.granted)).toMatchObject({ reason: expect.stringContaining('another device') });
    expect((await slots2.request(store2, pc('elsewhere', '6229210002'), NOW)).granted).toBe(true);

    // Its download is started and timed by server 1, its upload ends the slot on server 2.
    expect(await slots1.startTransfer(store1, pc(holder), 'download', 3_000_000, NOW)).toBeNull();
    expect(await slots2.startTransfer(store2, pc(holder), 'download', 3_000_000, NOW)).toMatchObject({
      code: 'speedtest_transfer_taken',
    });
    await slots1.endDownload(store1, pc(holder), 3_000_000, true);
    expect(await slots2.startTransfer(store2, pc(holder), 'upload', 0, NOW)).toBeNull();
    const download = await slots2.release(store2, pc(holder));
    expect(download).toMatchObject({ sent: 3_000_000, done: true });
    expect(download!.startedAt).toBeGreaterThan(Date.now() - 60_000);

    // Freed: another PC of the school gets it from either server; the holder's cap counts grants made by both.
    expect((await slots1.request(store1, pc(other), NOW + 1_000)).granted).toBe(true);
    await slots1.release(store1, pc(other));
    expect((await slots2.request(store2, pc(holder), NOW + 2_000)).granted).toBe(true);
    await slots2.release(store2, pc(holder));
    expect(await slots1.request(store1, pc(holder), NOW + 3_000)).toMatchObject({
      granted: false,
      reason: expect.stringContaining('already ran 2 tests today'),
    });
    // An expired slot is free without a release.
    expect((await slots1.request(store1, pc('c'), NOW + 4_000)).granted).toBe(true);
    expect((await slots2.request(store2, pc(other), NOW + 4_000 + defaultSpeedtestPolicy.slotMs)).granted).toBe(true);
  });

  it('over HTTP: a download served by one server and the upload by the other give the server’s own measurement', async () => {
    const [store1, store2] = await open.twoServers(dialect);
    const keys = await schoolsWithPcs(store1);
    const urls: string[] = [];
    for (const store of [store1, store2]) {
      const app = createApp({
        store,
        logger: pino({ level: 'silent' }),
        clock: () => NOW,
        maxReportBodyBytes: 1 << 20,
      });
      const server: ServerType = await new Promise((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    const call = (server: number, key: string, route: string, init: RequestInit = {}) =>
      fetch(urls[server]! + route, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });

    const slot = await call(0, keys.a, '/api/v1/speedtest/slot', { method: 'POST' });
    expect(await slot.json()).toMatchObject({ granted: true });
    const refused = await call(1, keys.b, '/api/v1/speedtest/slot', { method: 'POST' });
    expect(await refused.json()).toMatchObject({ granted: false });

    const download = await call(0, keys.a, '/api/v1/speedtest/download?bytes=3000000');
    expect((await download.arrayBuffer()).byteLength).toBe(3_000_000);
    const upload = await call(1, keys.a, '/api/v1/speedtest/upload', {
      method: 'POST',
      body: new Uint8Array(2_000_000),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(upload.status, await upload.clone().text()).toBe(200);
    const [measured] = await store2.q.select().from(store2.t.speedtests);
    expect(measured).toMatchObject({ deviceId: 'a', downBytes: 3_000_000, upBytes: 2_000_000 });
    expect(measured!.downMbps).toBeGreaterThan(0);
    // The slot is free on both.
    const next = await call(0, keys.b, '/api/v1/speedtest/slot', { method: 'POST' });
    expect(await next.json()).toMatchObject({ granted: true });
  });

  it('counts tests per China Standard Time day, and says when the next day begins there', async () => {
    const store = await open(dialect);
    await schoolsWithPcs(store);
    const slots = new SpeedtestSlots({ ...defaultSpeedtestPolicy, maxPerDevicePerDay: 1 });
    // 23:00 and 01:00 Beijing are one UTC day (15:00Z, 17:00Z) but two school days.
    expect((await slots.request(store, pc('a'), Date.parse('2026-03-01T23:00:00+08:00'))).granted).toBe(true);
    expect((await slots.request(store, pc('a'), Date.parse('2026-03-02T01:00:00+08:00'))).granted).toBe(true);
    const refused = await slots.request(store, pc('a'), Date.parse('2026-03-02T09:00:00+08:00'));
    expect(refused).toMatchObject({ granted: false, retryAfterSeconds: 15 * 3600 });
    // Only the current day's count is kept per device.
    expect(await store.q.select().from(store.t.speedtestGrants)).toEqual([
      { deviceId: 'a', day: '2026-03-02', grants: 1 },
    ]);
  });
});
