import { afterEach, describe, expect, it } from 'vitest';
import { measureThroughput } from '../../agent/collect/throughput.ts';
import { mbps } from '../../shared/schemas/speedtest.ts';
import { createDispatcher } from '../../agent/http.ts';
import { throughputSchema } from '../../shared/schemas/report.ts';
import { startScriptedServer } from './http-fixture.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('throughput', () => {
  it('converts bytes and milliseconds to Mbps', () => {
    expect(mbps(12_500_000, 1000)).toBe(100);
    expect(mbps(0, 1000)).toBeNull();
    expect(mbps(100, 0)).toBeNull();
  });

  it('measures down and up against speed-test endpoints on 127.0.0.1 when a slot is granted', async () => {
    const server = await startScriptedServer((req) => {
      if (req.url === '/api/v1/speedtest/slot')
        return {
          status: 200,
          body: { granted: true, bytes: 2_000_000, expiresAt: null, retryAfterSeconds: null, reason: null },
        };
      if (req.url.startsWith('/api/v1/speedtest/download'))
        return { status: 200, body: 'x'.repeat(Number(new URL(req.url, 'http://h').searchParams.get('bytes'))) };
      return { status: 200, body: { bytes: Number(req.headers['content-length']), ms: 160 } };
    });
    const dispatcher = createDispatcher({});
    closers.push(server.close, () => dispatcher.close());
    const result = await measureThroughput({ serverUrl: server.url, deviceKey: 'std_k', dispatcher }, 5_000_000);
    expect(result).toMatchObject({ bytesDown: 2_000_000, bytesUp: 2_000_000 });
    expect(result?.downMbps).toBeGreaterThan(0);
    expect(result?.upMbps).toBe(100); // 2 MB in the 160 ms the server counted
    expect(throughputSchema.safeParse(result).success).toBe(true);
    const upload = server.requests.find((r) => r.url === '/api/v1/speedtest/upload');
    expect(upload?.headers['content-length']).toBe('2000000');
    expect(upload?.headers.authorization).toBe('Bearer std_k');
  });

  it('does not test without a slot', async () => {
    const server = await startScriptedServer(() => ({
      status: 200,
      body: {
        granted: false,
        bytes: 0,
        expiresAt: null,
        retryAfterSeconds: 600,
        reason: 'another device of this school is testing now',
      },
    }));
    const dispatcher = createDispatcher({});
    closers.push(server.close, () => dispatcher.close());
    expect(await measureThroughput({ serverUrl: server.url, deviceKey: 'k', dispatcher }, 1000)).toBeNull();
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/speedtest/slot']);
  });
});
