import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../agent/outbox.ts';
import { backoffMs, deliverOutbox, judgeResponse, parseRetryAfter, type SendTarget } from '../../agent/send.ts';
import { createDispatcher } from '../../agent/http.ts';
import { makeReport, tempDir } from './report-fixture.ts';
import { hasOpenssl, loopbackCertificate, startProxy, startScriptedServer } from './http-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
let outbox: Outbox;
const closers: Array<() => Promise<void>> = [];
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  outbox = await Outbox.open(dir, { maxCount: 5000, maxBytes: 100_000_000 });
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await cleanup();
});

function target(serverUrl: string, proxy?: string): SendTarget {
  const dispatcher = createDispatcher({ proxy });
  closers.push(() => dispatcher.close());
  return { serverUrl, deviceKey: 'std_test', dispatcher, userAgent: 'santong-agent/test' };
}

async function fill(n: number) {
  for (let i = 0; i < n; i++) await outbox.add(makeReport());
}

const ok = (body: string) => {
  const n = (JSON.parse(body) as { reports: unknown[] }).reports.length;
  return { status: 200, body: { accepted: n, duplicates: 0, clamped: 0 } };
};

describe('sender', () => {
  it('sends the outbox in batches of at most 500 with the device key, and empties it on 200', async () => {
    const server = await startScriptedServer((req) => ok(req.body));
    closers.push(server.close);
    await fill(1200);
    const result = await deliverOutbox(outbox, target(server.url));
    expect(result).toMatchObject({ state: 'done', accepted: 1200, quarantined: 0 });
    expect(server.requests.map((r) => (JSON.parse(r.body) as { reports: unknown[] }).reports.length)).toEqual([
      500, 500, 200,
    ]);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/api/v1/reports' });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer std_test');
    expect(await outbox.list()).toEqual([]);
  }, 30_000);

  it('keeps everything and passes on Retry-After when the server is busy', async () => {
    const server = await startScriptedServer(() => ({
      status: 503,
      body: { error: 'busy', code: 'unavailable' },
      headers: { 'retry-after': '120' },
    }));
    closers.push(server.close);
    await fill(3);
    const result = await deliverOutbox(outbox, target(server.url));
    expect(result).toMatchObject({ state: 'retry', retryAfterMs: 120_000, accepted: 0 });
    expect(await outbox.list()).toHaveLength(3);
  });

  it('quarantines only the report the server names in a 400 and delivers the rest', async () => {
    const server = await startScriptedServer((req, i) =>
      i === 0
        ? {
            status: 400,
            body: {
              error: 'invalid report',
              code: 'invalid_input',
              issues: [{ path: 'reports.1.collectedAt', message: 'too old' }],
            },
          }
        : ok(req.body),
    );
    closers.push(server.close);
    await fill(3);
    const second = (await outbox.list())[1];
    const result = await deliverOutbox(outbox, target(server.url));
    expect(result).toMatchObject({ state: 'done', accepted: 2, quarantined: 1 });
    expect(await outbox.quarantined()).toEqual([second?.name]);
    expect(await outbox.list()).toEqual([]);
  });

  it('stops on 401 and keeps the queue for after re-enrollment', async () => {
    const server = await startScriptedServer(() => ({
      status: 401,
      body: { error: 'unknown device key', code: 'unauthorized' },
    }));
    closers.push(server.close);
    await fill(2);
    expect(await deliverOutbox(outbox, target(server.url))).toMatchObject({ state: 'unauthorized' });
    expect(await outbox.list()).toHaveLength(2);
    expect(await outbox.quarantined()).toEqual([]);
  });

  it("retries a proxy's HTML 403/404 page instead of quarantining the reports", async () => {
    const server = await startScriptedServer(() => ({ status: 404, body: '<html>blocked by school filter</html>' }));
    closers.push(server.close);
    await fill(2);
    expect(await deliverOutbox(outbox, target(server.url))).toMatchObject({
      state: 'retry',
      error: expect.stringContaining('blocked'),
    });
    expect(await outbox.list()).toHaveLength(2);
  });

  it('halves the batch on 413 until the server takes it', async () => {
    const server = await startScriptedServer((req) =>
      (JSON.parse(req.body) as { reports: unknown[] }).reports.length > 100
        ? { status: 413, body: { error: 'too large', code: 'too_large' } }
        : ok(req.body),
    );
    closers.push(server.close);
    await fill(300);
    expect(await deliverOutbox(outbox, target(server.url))).toMatchObject({ state: 'done', accepted: 300 });
    expect(await outbox.list()).toEqual([]);
  }, 30_000);

  it('reports an unreachable server as retry with the system error', async () => {
    const server = await startScriptedServer((req) => ok(req.body));
    await server.close(); // the port is now closed
    await fill(1);
    const result = await deliverOutbox(outbox, target(server.url));
    expect(result.state).toBe('retry');
    expect(result.error).toContain('ECONNREFUSED');
    expect(await outbox.list()).toHaveLength(1);
  });

  it('goes through the configured proxy', async () => {
    const server = await startScriptedServer((req) => ok(req.body));
    const proxy = await startProxy();
    closers.push(server.close, proxy.close);
    await fill(2);
    expect(await deliverOutbox(outbox, target(server.url, proxy.url))).toMatchObject({ state: 'done', accepted: 2 });
    expect(proxy.carried.join('\n')).toContain(new URL(server.url).host);
  });
});

describe('custom CA', () => {
  it.skipIf(!hasOpenssl)("trusts a bureau's own CA only when given its file", async () => {
    const { key, cert, certFile } = loopbackCertificate(dir);
    const server = createHttpsServer({ key, cert }, (req, res) => {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ accepted: 1, duplicates: 0, clamped: 0 })),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await fill(1);
    const untrusted = await deliverOutbox(outbox, target(url));
    expect(untrusted.state).toBe('retry');
    expect(untrusted.error).toMatch(/certificate/i);
    const dispatcher = createDispatcher({ caFile: certFile });
    closers.push(() => dispatcher.close());
    expect(await deliverOutbox(outbox, { serverUrl: url, deviceKey: 'k', dispatcher, userAgent: 't' })).toMatchObject({
      state: 'done',
      accepted: 1,
    });
  });
});

describe('response rules', () => {
  it('sorts statuses into acknowledge, retry, unauthorized, quarantine', () => {
    const apiError = JSON.stringify({ error: 'bad', code: 'invalid_input' });
    expect(judgeResponse(200, '{}').action).toBe('acknowledge');
    expect(judgeResponse(202, '').action).toBe('acknowledge');
    expect(judgeResponse(401, apiError).action).toBe('unauthorized');
    for (const status of [403, 404, 407, 408, 429, 500, 502, 503])
      expect(judgeResponse(status, apiError).action).toBe('retry');
    expect(judgeResponse(400, apiError).action).toBe('quarantine');
    expect(judgeResponse(422, apiError).action).toBe('quarantine');
    expect(judgeResponse(400, '<html>captive portal</html>').action).toBe('retry');
    expect(judgeResponse(413, '').action).toBe('split');
  });

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.parse('2026-03-01T08:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 08:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped at an hour', () => {
    expect(backoffMs(0, () => 0.999999)).toBe(29_999);
    expect(backoffMs(3, () => 0.5)).toBe(120_000);
    expect(backoffMs(40, () => 0.999999)).toBe(3_599_996);
    expect(backoffMs(5, () => 0)).toBe(0);
  });
});
