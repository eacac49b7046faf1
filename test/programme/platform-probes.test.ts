import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { platformProbes } from '../../server/db/schema.ts';
import {
  PROBE_RETENTION_DAYS,
  probeUrl,
  recordProbe,
  runPlatformProbes,
} from '../../server/programme/platform-probe.ts';
import { addPlatform } from '../../server/programme/platform-registry.ts';
import { listPlatforms } from '../../server/programme/platforms.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Real HTTP servers on 127.0.0.1 only: up, slow (never answers), down (a closed port), redirecting on
 * the same host (followed) and off-host (to "localhost", a different host name: not followed).
 */
const servers: http.Server[] = [];
let ctx: TestContext | undefined;
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const ok: http.RequestListener = (_req, res) => res.end('<html>资源平台</html>');

describe('platform probes', () => {
  it('counts an answering server as up, a silent one as timed out and a closed port as down', async () => {
    const up = await serve(ok);
    const slowRequests: http.IncomingMessage[] = [];
    const slow = await serve((req) => slowRequests.push(req)); // never answers
    const down = await closedPort();

    const upResult = await probeUrl(`${up}/`, { timeoutMs: 2000 });
    expect(upResult).toMatchObject({ up: true, statusCode: 200, error: null });
    expect(upResult.latencyMs).toBeGreaterThanOrEqual(0);

    expect(await probeUrl(`${slow}/`, { timeoutMs: 300 })).toEqual({
      up: false,
      statusCode: null,
      latencyMs: null,
      error: 'no answer within 300 ms',
    });
    expect(slowRequests).toHaveLength(1);

    const downResult = await probeUrl(`${down}/`, { timeoutMs: 2000 });
    expect(downResult).toMatchObject({ up: false, statusCode: null, latencyMs: null });
    expect(downResult.error).toMatch(/ECONNREFUSED/);
  });

  it('follows redirects on the same host and refuses to follow one off-host', async () => {
    const target = await serve(ok);
    const sameHost = await serve((req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/login' }).end();
      else if (req.url === '/login')
        res.writeHead(301, { location: `${target}/portal` }).end(); // another port, same host name
      else res.writeHead(404).end();
    });
    const followed = await probeUrl(`${sameHost}/`, { timeoutMs: 2000 });
    expect(followed).toMatchObject({ up: true, statusCode: 200, error: null });

    const offHostHits: string[] = [];
    const offHostTarget = await serve((req, res) => {
      offHostHits.push(req.url!);
      res.end();
    });
    const offHost = await serve((_req, res) =>
      res.writeHead(302, { location: offHostTarget.replace('127.0.0.1', 'localhost') + '/elsewhere' }).end(),
    );
    const refused = await probeUrl(`${offHost}/`, { timeoutMs: 2000 });
    expect(refused).toMatchObject({ up: false, statusCode: 302 });
    expect(refused.error).toBe(
      `redirected off-host to ${offHostTarget.replace('127.0.0.1', 'localhost')}; not followed`,
    );
    expect(offHostHits).toEqual([]);

    const loop = await serve((_req, res) => res.writeHead(302, { location: '/again' }).end());
    expect((await probeUrl(`${loop}/`, { timeoutMs: 2000 })).error).toBe('more than 5 redirects');
  });

  it('counts a login wall as up and a missing page or server error as down', async () => {
    const statuses = await serve((req, res) => res.writeHead(Number(req.url!.slice(1))).end());
    const up = async (status: number) => (await probeUrl(`${statuses}/${status}`, { timeoutMs: 2000 })).up;
    expect([await up(204), await up(401), await up(403), await up(404), await up(500), await up(503)]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('records every platform’s probe, derives uptime and median latency, and prunes probes past retention', async () => {
    const clock = testClock('2026-03-01T08:00:00Z');
    ctx = await createTestContext({ clock });
    const up = await serve(ok);
    const down = await closedPort();
    const a = await addPlatform(
      ctx.store,
      {
        kind: 'resource',
        level: 'prefecture',
        ownerCode: '622900',
        name: '临夏州教育资源公共服务平台',
        url: `${up}/`,
        builtOn: '2017-10-01',
      },
      byTest,
      clock(),
    );
    const b = await addPlatform(
      ctx.store,
      {
        kind: 'management',
        level: 'county',
        ownerCode: '622921',
        name: '临夏县教育管理平台',
        url: `${down}/`,
        builtOn: null,
      },
      byTest,
      clock(),
    );

    // History written through the same function the probe job uses: 3 up (10, 20, 40 ms) and 1 down within 7 days, 1 down 20 days ago.
    const day = 86_400_000;
    await recordProbe(
      ctx.store,
      a.id,
      { up: false, statusCode: null, latencyMs: null, error: 'ECONNRESET' },
      clock() - 20 * day,
    );
    await recordProbe(ctx.store, a.id, { up: true, statusCode: 200, latencyMs: 10, error: null }, clock() - 3 * day);
    await recordProbe(
      ctx.store,
      a.id,
      { up: false, statusCode: 502, latencyMs: 5, error: 'HTTP 502' },
      clock() - 2 * day,
    );
    await recordProbe(ctx.store, a.id, { up: true, statusCode: 200, latencyMs: 20, error: null }, clock() - 1 * day);
    await recordProbe(ctx.store, a.id, { up: true, statusCode: 200, latencyMs: 40, error: null }, clock() - day / 2);
    // A probe older than retention, to be pruned by the next run.
    await recordProbe(
      ctx.store,
      b.id,
      { up: true, statusCode: 200, latencyMs: 1, error: null },
      clock() - (PROBE_RETENTION_DAYS + 1) * day,
    );

    const before = (await listPlatforms(ctx.store, null, clock())).find((p) => p.id === a.id)!.status!;
    expect(before).toMatchObject({
      up: true,
      reachable: true,
      uptime7d: 0.75,
      uptime30d: 0.6,
      medianLatencyMs: 20,
      probes30d: 5,
    });

    const results = await runPlatformProbes(ctx.store, { clock, timeoutMs: 2000 });
    expect(results.map((r) => [r.platformId, r.result.up])).toEqual([
      [a.id, true],
      [b.id, false],
    ]);
    const [statusA, statusB] = (await listPlatforms(ctx.store, null, clock())).map((p) => p.status!);
    expect(statusA).toMatchObject({
      lastProbeAt: new Date(clock()).toISOString(),
      up: true,
      reachable: true,
      statusCode: 200,
      uptime7d: 0.8,
      probes30d: 6,
    });
    expect(statusB).toMatchObject({
      up: false,
      reachable: false,
      statusCode: null,
      uptime7d: 0,
      uptime30d: 0,
      medianLatencyMs: null,
      probes30d: 1,
    });
    expect(statusB?.error).toMatch(/ECONNREFUSED/);
    expect(ctx.db.select().from(platformProbes).where(eq(platformProbes.platformId, b.id)).all()).toHaveLength(1);

    // A day and a bit without probes (the job stopped): up at the last probe, but no longer counted reachable.
    clock.advance(25 * 3_600_000);
    expect((await listPlatforms(ctx.store, null, clock())).find((p) => p.id === a.id)!.status).toMatchObject({
      up: true,
      reachable: false,
    });
  });
});
