import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
afterEach(async () => server?.close());

async function device(schoolCode: string) {
  const response = await fetch(`${server.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: await server.enrollmentToken(schoolCode),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
    }),
  });
  const { deviceKey } = (await response.json()) as { deviceKey: string };
  const call = (path: string, init: RequestInit = {}) =>
    fetch(server.url + path, { ...init, headers: { authorization: `Bearer ${deviceKey}`, ...init.headers } });
  return { deviceKey, call };
}

describe('speed-test slots and transfers', () => {
  it('lets one device of a school test at a time, and frees the slot when its upload ends', async () => {
    server = await startTestServer();
    const a = await device('6229210001');
    const b = await device('6229210001');
    const elsewhere = await device('6229220001');
    const slotA = (await (await a.call('/api/v1/speedtest/slot', { method: 'POST' })).json()) as {
      granted: boolean;
      bytes: number;
    };
    expect(slotA).toMatchObject({ granted: true, bytes: 25_000_000 });
    const slotB = (await (await b.call('/api/v1/speedtest/slot', { method: 'POST' })).json()) as {
      granted: boolean;
      retryAfterSeconds: number;
      reason: string;
    };
    expect(slotB.granted).toBe(false);
    expect(slotB.retryAfterSeconds).toBeGreaterThan(0);
    expect(slotB.reason).toContain('another device');
    expect((await (await elsewhere.call('/api/v1/speedtest/slot', { method: 'POST' })).json()) as object).toMatchObject(
      { granted: true },
    );

    const download = await a.call('/api/v1/speedtest/download?bytes=3000000');
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(3_000_000);
    const upload = await a.call('/api/v1/speedtest/upload', {
      method: 'POST',
      body: new Uint8Array(2_000_000),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(await upload.json()).toMatchObject({ bytes: 2_000_000 });

    expect((await (await b.call('/api/v1/speedtest/slot', { method: 'POST' })).json()) as object).toMatchObject({
      granted: true,
    });
  });

  it('refuses transfers without a slot, bad sizes and unknown keys', async () => {
    server = await startTestServer();
    const a = await device('6229210001');
    const noSlot = await a.call('/api/v1/speedtest/download?bytes=1000');
    expect(noSlot.status).toBe(409);
    expect(((await noSlot.json()) as { code: string }).code).toBe('no_speedtest_slot');
    await a.call('/api/v1/speedtest/slot', { method: 'POST' });
    const tooBig = await requestJson(server.app, 'GET', '/api/v1/speedtest/download?bytes=999999999', {
      bearer: a.deviceKey,
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.issues[0].path).toBe('bytes');
    expect((await fetch(`${server.url}/api/v1/speedtest/slot`, { method: 'POST' })).status).toBe(401);
  });

  it('allows one download and one upload per slot, of at most the granted bytes', async () => {
    server = await startTestServer();
    const a = await device('6229210001');
    await a.call('/api/v1/speedtest/slot', { method: 'POST' });
    const tooMuch = await a.call('/api/v1/speedtest/download?bytes=64000000');
    expect(tooMuch.status).toBe(409);
    expect(await tooMuch.json()).toMatchObject({
      code: 'speedtest_bytes_over_grant',
      error: expect.stringContaining('at most 25000000'),
    });
    const first = await a.call('/api/v1/speedtest/download?bytes=25000000');
    expect(first.status).toBe(200);
    // The attack: more downloads while the slot lasts, each another 25 MB through the school's link.
    const parallel = await Promise.all([1, 2, 3].map(() => a.call('/api/v1/speedtest/download?bytes=25000000')));
    expect(parallel.map((r) => r.status)).toEqual([409, 409, 409]);
    expect(await parallel[0]!.json()).toMatchObject({
      code: 'speedtest_transfer_taken',
      error: expect.stringContaining('already started'),
    });
    expect((await first.arrayBuffer()).byteLength).toBe(25_000_000);
    await Promise.all(parallel.slice(1).map((r) => r.body?.cancel()));
    const tooBigUpload = await a.call('/api/v1/speedtest/upload', { method: 'POST', body: new Uint8Array(25_000_001) });
    expect(tooBigUpload.status).toBe(413);
  });

  it('grants a device at most four tests a day', async () => {
    server = await startTestServer();
    const a = await device('6229210001');
    const grants: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      grants.push(
        ((await (await a.call('/api/v1/speedtest/slot', { method: 'POST' })).json()) as { granted: boolean }).granted,
      );
      await a.call('/api/v1/speedtest/upload', { method: 'POST', body: new Uint8Array(10) });
    }
    expect(grants).toEqual([true, true, true, true, false]);
  });
});
