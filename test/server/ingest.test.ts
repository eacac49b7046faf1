import { afterEach, describe, expect, it } from 'vitest';
import { revokeDevice } from '../../server/enrollment/enroll.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { byTest, testClock, useDialectContexts, type TestContext } from '../helpers/server.ts';

/*
 * Ingest's contract through the API, on SQLite and on PostgreSQL alike (issue 14, decision 198): a report is
 * stored exactly once however often and however concurrently it arrives, a bad batch stores nothing, the key
 * decides the device. Two servers sharing one database: test/server/ingest-store.test.ts.
 */
const createOn = useDialectContexts();
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

async function enrolledDevice(schoolCode = '6229210001', classroom?: string) {
  const response = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(schoolCode),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
      ...(classroom ? { classroom } : {}),
    },
  });
  return response.body as { deviceId: string; deviceKey: string };
}
const send = (key: string, body: unknown) => requestJson(ctx.app, 'POST', '/api/v1/reports', { body, bearer: key });
const storedReports = () => ctx.store.q.select().from(ctx.store.t.reports);

// PostgreSQL first: the SQLite run gives the pool's sockets time to close before the file's server stops.
describe.each(['postgres', 'sqlite'] as const)('report ingest on %s', (dialect) => {
  const createContext = async (options: Parameters<typeof createOn>[1] = {}) =>
    (ctx = await createOn(dialect, options));

  it('counts a report once across batches and within a batch', async () => {
    await createContext();
    const { deviceKey } = await enrolledDevice();
    const [a, b, c] = [0, 1, 2].map((i) => makeReport({ at: Date.now() - i * 3_600_000 }));
    expect((await send(deviceKey, { reports: [a, b] })).body).toEqual({ accepted: 2, duplicates: 0, clamped: 0 });
    expect((await send(deviceKey, { reports: [b, c, c] })).body).toEqual({ accepted: 1, duplicates: 2, clamped: 0 });
    expect(await storedReports()).toHaveLength(3);
  });

  it("keeps report ids per device: another device sending the same id cannot drop this one's report", async () => {
    await createContext();
    const victim = await enrolledDevice('6229210001', '1');
    const squatter = await enrolledDevice('6229210001', '2');
    const report = makeReport({ at: Date.now(), displays: [projector] });
    // The squatter sends the victim's id first (replayed or guessed), with nothing to show.
    expect((await send(squatter.deviceKey, { reports: [{ ...report, displays: [] }] })).body).toMatchObject({
      accepted: 1,
      duplicates: 0,
    });
    expect((await send(victim.deviceKey, { reports: [report] })).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await send(victim.deviceKey, { reports: [report] })).body).toMatchObject({ accepted: 0, duplicates: 1 }); // still exactly once
    expect((await storedReports()).filter((r) => r.deviceId === victim.deviceId)).toHaveLength(1);
    const school = await requestJson(ctx.app, 'GET', '/api/v1/schools/6229210001', { bearer: await ctx.apiToken() });
    expect(school.body.classrooms.find((c: { code: string }) => c.code === '1').equipped).toBe(true);
  });

  it('rejects a whole batch with one malformed report, naming each bad field, and stores nothing', async () => {
    await createContext();
    const { deviceKey } = await enrolledDevice();
    const bad = {
      ...makeReport({ at: Date.now() }),
      collectedAt: 'yesterday',
      network: { internet: { reachable: 'yes', latencyMs: null } },
    };
    const response = await send(deviceKey, { reports: [makeReport({ at: Date.now() }), bad] });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_input');
    expect(response.body.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'reports.1.collectedAt',
      'reports.1.network.internet.reachable',
    ]);
    expect(await storedReports()).toHaveLength(0);
  });

  it('refuses empty and oversized batches by count', async () => {
    await createContext();
    const { deviceKey } = await enrolledDevice();
    expect((await send(deviceKey, { reports: [] })).body.issues[0]).toMatchObject({
      path: 'reports',
      message: 'send at least one report',
    });
    const tooMany = Array.from({ length: 501 }, () => makeReport({ at: Date.now() }));
    expect((await send(deviceKey, { reports: tooMany })).body.issues[0]).toMatchObject({ path: 'reports' });
    expect(await storedReports()).toHaveLength(0);
  });

  it('answers 401 for a missing, unknown or revoked key', async () => {
    await createContext();
    const { deviceId, deviceKey } = await enrolledDevice();
    const batch = { reports: [makeReport({ at: Date.now() })] };
    expect((await requestJson(ctx.app, 'POST', '/api/v1/reports', { body: batch })).body.code).toBe(
      'device_key_missing',
    );
    expect((await send('std_unknown', batch)).body.code).toBe('device_key_invalid');
    await revokeDevice(ctx.store, deviceId, Date.now(), byTest);
    const revoked = await send(deviceKey, batch);
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('device_key_revoked');
    expect(await storedReports()).toHaveLength(0);
  });

  it('answers 413 for a body over the limit without parsing it', async () => {
    await createContext();
    const { deviceKey } = await enrolledDevice();
    // Not even JSON: a 413 proves the limit is checked before parsing.
    const response = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      rawBody: 'x'.repeat(1024 * 1024 + 1),
      bearer: deviceKey,
    });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('body_too_large');
  });

  it('answers 400 for a body that is not JSON', async () => {
    await createContext();
    const { deviceKey } = await enrolledDevice();
    const response = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      rawBody: '{"reports": [',
      bearer: deviceKey,
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/json/i);
  });

  it('clamps a collectedAt in the future to the receive time and flags it', async () => {
    await createContext({ clock: testClock('2026-03-02T08:00:00Z') });
    const { deviceKey } = await enrolledDevice();
    const response = await send(deviceKey, { reports: [makeReport({ at: '2026-03-05T08:00:00Z' })] });
    expect(response.body).toEqual({ accepted: 1, duplicates: 0, clamped: 1 });
    expect((await storedReports())[0]).toMatchObject({
      collectedAt: Date.parse('2026-03-02T08:00:00Z'),
      receivedAt: Date.parse('2026-03-02T08:00:00Z'),
      collectedAtClamped: true,
    });
  });

  it('accepts reports from newer agents: unknown fields dropped, unknown display kinds kept as unknown', async () => {
    await createContext();
    const { deviceKey } = await enrolledDevice('6229210001', '1');
    const newer = {
      ...makeReport({ at: Date.now(), displays: [projector, { kind: 'led-wall', vendor: 'XYZ' }] }),
      schemaVersion: 7,
      batteryHealth: 0.93,
    };
    expect((await send(deviceKey, { reports: [newer] })).status).toBe(200);
    const body = (await storedReports())[0]!.body as Record<string, any>;
    expect(body).not.toHaveProperty('batteryHealth');
    expect(body.displays.map((d: { kind: string }) => d.kind)).toEqual(['projector', 'unknown']);
  });
});
