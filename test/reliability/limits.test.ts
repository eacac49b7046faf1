import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { parseServerConfig } from '../../server/config.ts';
import { defaultRequestLimits, type RequestLimits } from '../../server/config.ts';
import { REPORT_BATCH_BURST } from '../../server/http/request-limits.ts';
import { MAX_SPEEDTEST_BYTES } from '../../shared/schemas/speedtest.ts';
import { makeReport } from '../helpers/reports.ts';
import { conformToDocument, type Conformance } from '../helpers/openapi-conformance.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Limits (issue 7, item 3): a body over the limit is refused with 413 before parsing on every write
 * route; enroll, login and reports are rate-limited per client address, report batches per device key;
 * a limited client gets 429 with Retry-After while everyone else carries on.
 */
let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext({ clock: testClock('2027-03-01T08:00:00Z') });
});
// The apps a test builds with other limits are held to the OpenAPI document too (429s included).
const otherApps: Conformance[] = [];
afterEach(async () => {
  await ctx.cleanup();
  for (const app of otherApps.splice(0)) app.assertNone();
});

/** An app over the test's database with these limits (the test context's own app has the defaults). */
function appWith(limits: Partial<RequestLimits>): App {
  const app = createApp({
    store: ctx.store,
    logger: pino({ level: 'silent' }),
    clock: ctx.clock,
    maxReportBodyBytes: 1024 * 1024,
    limits: { ...defaultRequestLimits, ...limits },
  });
  otherApps.push(conformToDocument(app));
  return app;
}

/** A request as if from `address`: @hono/node-server's conninfo reads the socket from the env. */
function from(app: App, address: string, path: string, init: RequestInit = {}) {
  return app.request(path, init, {
    incoming: { socket: { remoteAddress: address, remotePort: 40_000, remoteFamily: 'IPv4' } },
  });
}

const json = (body: unknown, bearer?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
  body: JSON.stringify(body),
});

async function enroll(app: App, hostname: string) {
  const response = await from(
    app,
    '10.0.0.1',
    '/api/v1/enroll',
    json({ token: await ctx.enrollmentToken('6229210001'), hostname, hardware: { uuid: hostname } }),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { deviceKey: string }).deviceKey;
}

async function expectLimited(response: Response) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(await response.json()).toMatchObject({ code: 'rate_limited', error: expect.stringContaining('try again') });
  // Refused before its body was read: the connection closes rather than read a flood's bodies.
  expect(response.headers.get('connection')).toBe('close');
  return retryAfter;
}

describe('body size limits', () => {
  it('every write route refuses an oversized body with a 413 JSON error before parsing it', async () => {
    const bearer = await ctx.apiToken();
    const deviceKey = await enroll(ctx.app, 'pc-1');
    const writes = [
      ...new Set(
        ctx.app.routes
          .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ];
    expect(writes.length).toBeGreaterThan(10);
    for (const route of writes) {
      const [method, pattern] = route.split(' ') as [string, string];
      const path = pattern.replace(/:\w+/g, '1');
      const limit =
        path === '/api/v1/reports'
          ? 1024 * 1024
          : path === '/api/v1/speedtest/upload'
            ? MAX_SPEEDTEST_BYTES
            : defaultRequestLimits.maxBodyBytes;
      if (path === '/api/v1/speedtest/upload')
        await ctx.app.request('/api/v1/speedtest/slot', {
          method: 'POST',
          headers: { authorization: `Bearer ${deviceKey}` },
        });
      const bearerFor = path.startsWith('/api/v1/reports') || path.startsWith('/api/v1/speedtest') ? deviceKey : bearer;
      const response = await ctx.app.request(path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearerFor}` },
        body: `{"x":"${'a'.repeat(limit)}"}`,
      });
      expect(response.status, route).toBe(413);
      expect(await response.json(), route).toMatchObject({ code: 'body_too_large', error: expect.any(String) });
    }
  });
});

describe('rate limits', () => {
  it('enroll: per address, 429 with Retry-After, other addresses unaffected, allowed again after the wait', async () => {
    const app = appWith({ enrollPerIpPerMinute: 3 });
    const attempt = (address: string) =>
      from(app, address, '/api/v1/enroll', json({ token: 'ste_guess', hostname: 'pc', hardware: { uuid: 'u' } }));
    for (let i = 0; i < 3; i++) expect((await attempt('10.0.0.1')).status).toBe(401);
    const wait = await expectLimited(await attempt('10.0.0.1'));
    expect((await attempt('10.0.0.2')).status).toBe(401);
    ctx.clock.advance(wait * 1000);
    expect((await attempt('10.0.0.1')).status).toBe(401);
  });

  it('login: per address, 429 with Retry-After', async () => {
    const app = appWith({ loginPerIpPerMinute: 2 });
    const attempt = (address: string) =>
      from(app, address, '/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=a&password=b',
      });
    for (let i = 0; i < 2; i++) expect((await attempt('10.0.0.1')).status).not.toBe(429);
    await expectLimited(await attempt('10.0.0.1'));
    expect((await attempt('10.0.0.9')).status).not.toBe(429);
  });

  it('reports: batches per device per hour; another device behind the same address carries on', async () => {
    const app = appWith({ reportBatchesPerDevicePerHour: 3 });
    const [flooder, neighbour] = [await enroll(app, 'pc-flood'), await enroll(app, 'pc-quiet')];
    const send = (key: string) =>
      from(app, '10.0.0.1', '/api/v1/reports', json({ reports: [makeReport({ at: ctx.clock() - 60_000 })] }, key));
    for (let i = 0; i < 3; i++) expect((await send(flooder)).status).toBe(200);
    const wait = await expectLimited(await send(flooder));
    expect(wait).toBeGreaterThan(60); // an hour's budget refills one batch every 20 minutes
    expect((await send(neighbour)).status).toBe(200);
    ctx.clock.advance(wait * 1000);
    expect((await send(flooder)).status).toBe(200);
  });

  it('reports: a device spends its hourly budget at most REPORT_BATCH_BURST batches at a time', async () => {
    const app = appWith({ reportBatchesPerDevicePerHour: 60 });
    const key = await enroll(app, 'pc-catching-up');
    const send = () =>
      from(app, '10.0.0.1', '/api/v1/reports', json({ reports: [makeReport({ at: ctx.clock() - 60_000 })] }, key));
    for (let i = 0; i < REPORT_BATCH_BURST; i++) expect((await send()).status).toBe(200);
    const wait = await expectLimited(await send());
    expect(wait).toBe(60); // 60 an hour: one more a minute after the burst
    ctx.clock.advance(wait * 1000);
    expect((await send()).status).toBe(200);
    await expectLimited(await send());
  });

  it('reports: per address, whatever the keys', async () => {
    const app = appWith({ reportsPerIpPerMinute: 5 });
    const key = await enroll(app, 'pc-1');
    const send = (address: string, bearer: string) =>
      from(app, address, '/api/v1/reports', json({ reports: [makeReport({ at: ctx.clock() - 60_000 })] }, bearer));
    for (let i = 0; i < 5; i++) expect((await send('10.0.0.1', `std_made-up-${i}`)).status).toBe(401);
    await expectLimited(await send('10.0.0.1', key));
    expect((await send('10.0.0.2', key)).status).toBe(200);
  });

  it('reports: a device over its own budget spends none of its address budget, so PCs behind the same NAT carry on', async () => {
    const app = appWith({ reportBatchesPerDevicePerHour: 2, reportsPerIpPerMinute: 4 });
    const [flooder, neighbour, third] = [
      await enroll(app, 'pc-flood'),
      await enroll(app, 'pc-quiet'),
      await enroll(app, 'pc-third'),
    ];
    const send = (key: string) =>
      from(app, '10.0.0.1', '/api/v1/reports', json({ reports: [makeReport({ at: ctx.clock() - 60_000 })] }, key));
    for (let i = 0; i < 2; i++) expect((await send(flooder)).status).toBe(200);
    for (let i = 0; i < 20; i++)
      expect(await (await send(flooder)).json()).toMatchObject({ error: expect.stringContaining('from this device') });
    for (let i = 0; i < 2; i++) expect((await send(neighbour)).status).toBe(200); // 2 + 2: the address's 4 are spent only now
    expect(await (await send(third)).json()).toMatchObject({ error: expect.stringContaining('from this address') });
  });

  it('a batch holds at most 500 reports', async () => {
    const key = await enroll(ctx.app, 'pc-1');
    const reports = Array.from({ length: 501 }, () => makeReport({ at: ctx.clock() - 60_000 }));
    const response = await ctx.app.request('/api/v1/reports', json({ reports }, key));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain('reports');
    expect(ctx.db.$client.prepare('select count(*) as n from reports').get()).toEqual({ n: 0 });
  });

  it('limits come from the environment, 0 turns one off, and a bad value stops the server starting', () => {
    const config = parseServerConfig(
      {},
      {
        SANTONG_ENROLL_PER_IP_PER_MINUTE: '0',
        SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '12',
        SANTONG_MAX_BODY_BYTES: '65536',
      },
    );
    expect(config).toMatchObject({
      enrollPerIpPerMinute: 0,
      reportBatchesPerDevicePerHour: 12,
      maxBodyBytes: 65536,
      loginPerIpPerMinute: defaultRequestLimits.loginPerIpPerMinute,
    });
    expect(() => parseServerConfig({}, { SANTONG_LOGIN_PER_IP_PER_MINUTE: '-1' })).toThrow(/loginPerIpPerMinute/);
  });
});

describe('limits behind a trusted reverse proxy', () => {
  it('count each forwarded client apart, not the proxy as one client', async () => {
    const app = createApp({
      store: ctx.store,
      logger: pino({ level: 'silent' }),
      clock: ctx.clock,
      maxReportBodyBytes: 1024 * 1024,
      limits: { ...defaultRequestLimits, enrollPerIpPerMinute: 1 },
      trustProxy: true,
    });
    const enrollFrom = async (client: string, hostname: string) =>
      from(app, '10.9.9.9', '/api/v1/enroll', {
        ...json({ token: await ctx.enrollmentToken('6229210001'), hostname, hardware: { uuid: hostname } }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
      });
    expect((await enrollFrom('198.51.100.7', 'pc-a')).status).toBe(201);
    expect((await enrollFrom('198.51.100.8', 'pc-b')).status).toBe(201);
    expect((await enrollFrom('198.51.100.7', 'pc-c')).status).toBe(429);
  });
});
