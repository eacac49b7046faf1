import { afterEach, describe, expect, it } from 'vitest';
import { makeReport, projector } from '../helpers/reports.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
afterEach(async () => server?.close());

async function post(path: string, body: unknown, key?: string) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function get(path: string, token: string) {
  const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
  // Decoded by hand: Response.text() would silently strip the BOM this API promises.
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    bytes,
    text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes),
  };
}

describe('a real server on 127.0.0.1: enroll → report → coverage', () => {
  it('counts the school as connected and the classroom as equipped, once', async () => {
    server = await startTestServer();
    const token = await server.enrollmentToken('6229210001');
    const enrolled = await post('/api/v1/enroll', {
      token,
      hostname: 'class-1-pc',
      hardware: { uuid: '8f2d6a52-1f7e-4b7b-9d55-2a0c2f1d7c11' },
      classroom: '1',
    });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({
      school: { code: '6229210001', name: '测试第一小学' },
      classroom: { code: '1' },
      reused: false,
    });

    const report = makeReport({ at: Date.now() - 60_000, downMbps: 120, upMbps: 40, displays: [projector] });
    const first = await post('/api/v1/reports', { reports: [report] }, enrolled.body.deviceKey);
    expect(first).toEqual({ status: 200, body: { accepted: 1, duplicates: 0, clamped: 0 } });
    const replay = await post('/api/v1/reports', { reports: [report] }, enrolled.body.deviceKey);
    expect(replay.body).toEqual({ accepted: 0, duplicates: 1, clamped: 0 });

    const apiToken = await server.apiToken();
    const coverage = JSON.parse((await get('/api/v1/coverage', apiToken)).text);
    expect(coverage.schools).toEqual({
      target: 1492,
      targetShare: null,
      registered: 3,
      connected: 1,
      meetingStandard: 1,
      declaredConnected: 0,
      declarationConflicts: 0,
    });
    expect(coverage.classrooms).toEqual({
      target: 8926,
      targetShare: null,
      registered: 6,
      equipped: 1,
      equippedBy: { projector: 1, interactivePanel: 0, largeDisplay: 0 },
      declaredEquipped: 0,
    });
    expect(coverage.devices).toMatchObject({ enrolled: 1, live: 1 });
    const county = coverage.counties.find((c: { code: string }) => c.code === '622921');
    expect(county.schools).toEqual({
      registered: 2,
      connected: 1,
      meetingStandard: 1,
      declaredConnected: 0,
      declarationConflicts: 0,
    });

    const school = JSON.parse((await get('/api/v1/schools/6229210001', apiToken)).text);
    expect(school.school).toMatchObject({ connected: true, bandwidthMbps: 120, meetsStandard: true });
    expect(school.classrooms.map((c: { code: string; equipped: boolean }) => [c.code, c.equipped])).toEqual([
      ['1', true],
      ['2', false],
      ['3', false],
    ]);
    expect(school.devices).toHaveLength(1);
    expect(school.devices[0]).toMatchObject({
      hostname: 'class-1-pc',
      classroom: '1',
      state: 'live',
      agentVersion: '0.1.0-test',
    });
  });

  it('serves county lists as CSV with a BOM for Excel', async () => {
    server = await startTestServer();
    const response = await get('/api/v1/coverage/counties/622921?format=csv', await server.apiToken());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect([...response.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = response.text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^code,name,township,/);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['测试第一小学', '测试教学点']);
  });

  it('answers /healthz without a token', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});
