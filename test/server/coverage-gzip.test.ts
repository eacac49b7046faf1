import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptsGzip } from '../../server/http/accept-encoding.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { requestJson } from '../helpers/http.ts';
import { startTestServer, testClock, testRoster, type TestServer } from '../helpers/server.ts';

/*
 * The top read gzipped for clients that accept it (decision 194), over a real socket: the bytes on the wire, not
 * what a client library makes of them.
 */
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Raw {
  status: number;
  encoding: string | undefined;
  vary: string | undefined;
  body: Buffer;
}

async function get(path: string, headers: Record<string, string>): Promise<Raw> {
  const { url } = server!;
  return new Promise((resolve, reject) => {
    http
      .get(`${url}${path}`, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            encoding: response.headers['content-encoding'],
            vary: response.headers.vary,
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject);
  });
}

describe('the top read, compressed', () => {
  it('is sent gzipped to a client that accepts gzip, the same JSON as the plain answer, and follows every write', async () => {
    const started = await startTestServer({
      clock: testClock('2026-03-02T08:00:00Z'),
      root: '000000',
      roster: [
        { ...testRoster[0]!, code: '6229210001', county_code: '622921' },
        { ...testRoster[0]!, code: '1101010001', county_code: '110101' },
      ],
    });
    server = started;
    const auth = { authorization: `Bearer ${await started.apiToken()}` };
    const path = '/api/v1/coverage?counties=true&pageSize=500';

    const plain = await get(path, auth);
    expect(plain.status).toBe(200);
    expect(plain.encoding).toBeUndefined();
    expect(plain.vary).toBe('accept-encoding');
    const zipped = await get(path, { ...auth, 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.encoding).toBe('gzip');
    expect(zipped.vary).toBe('accept-encoding');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    // The national answer with its 2,800-odd county rows: JSON compresses well.
    expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
    // Kept: the next read sends the very same bytes.
    expect((await get(path, { ...auth, 'accept-encoding': 'gzip' })).body.equals(zipped.body)).toBe(true);

    // Refused or not asked: the plain answer.
    expect((await get(path, { ...auth, 'accept-encoding': 'gzip;q=0, identity' })).encoding).toBeUndefined();
    expect((await get(path, { ...auth, 'accept-encoding': 'br' })).encoding).toBeUndefined();
    expect((await get(path, { ...auth, 'accept-encoding': '*' })).encoding).toBe('gzip');

    // A report moves the read model: the gzipped answer is made again from the new figures.
    const before = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    const enrolled = await requestJson(started.app, 'POST', '/api/v1/enroll', {
      body: {
        token: await started.enrollmentToken('6229210001'),
        hostname: 'class-pc',
        hardware: { uuid: '8f2d6a52-1f7e-4b7b-9d55-622921000100' },
        classroom: '1',
      },
    });
    expect(enrolled.status).toBe(201);
    const sent = await requestJson(started.app, 'POST', '/api/v1/reports', {
      bearer: enrolled.body.deviceKey,
      body: { reports: [makeReport({ at: started.clock() - 60_000, downMbps: 120, displays: [projector] })] },
    });
    expect(sent.status).toBe(200);
    const after = JSON.parse(
      gunzipSync((await get(path, { ...auth, 'accept-encoding': 'gzip' })).body).toString('utf8'),
    );
    expect(after.schools.connected).toBe(before.schools.connected + 1);
  });
});

describe('Accept-Encoding', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['*', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['gzip;q=0', false],
    ['gzip; q=0.000', false],
    ['*;q=0', false],
    ['*, gzip;q=0', false],
    ['identity', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
  ])('%s accepts gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
