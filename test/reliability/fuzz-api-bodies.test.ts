import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { hostileRawBody, hostileValue, mutate } from './hostile-values.ts';
import {
  CaseCounter,
  createFuzzWorld,
  expectSafeApiAnswer,
  fingerprint,
  fuzzParameters,
  type FuzzWorld,
} from './fuzz-world.ts';

/*
 * Hostile bodies for every API route that takes one (issue 7, item 2). The routes come from routeDocs,
 * so a new write route fails this test until it has a valid base body here to mutate.
 * Replay: SANTONG_SEED=<printed seed>; longer: SANTONG_LONG=1.
 */
type Base = (
  w: FuzzWorld,
) => { path: string; bearer?: string; body?: unknown } | Promise<{ path: string; bearer?: string; body?: unknown }>;

const reason = 'checked on site by the county office';
const bases: Record<string, Base> = {
  'post /api/v1/enroll': (w) => ({
    path: '/api/v1/enroll',
    body: {
      token: w.enrollmentToken,
      hostname: 'pc-1',
      hardware: { uuid: 'u-1', serial: 's-1', macs: ['00:1a:2b:3c:4d:5e'] },
      classroom: '1',
    },
  }),
  'post /api/v1/reports': (w) => ({
    path: '/api/v1/reports',
    bearer: w.deviceKey,
    body: {
      reports: [
        {
          ...makeReport({ at: w.ctx.clock() - 1000, downMbps: 50, upMbps: 10, displays: [projector] }),
          device: { hostname: 'pc', os: { platform: 'win32' } },
        },
      ],
    },
  }),
  'post /api/v1/speedtest/slot': (w) => ({ path: '/api/v1/speedtest/slot', bearer: w.deviceKey, body: {} }),
  'post /api/v1/speedtest/upload': (w) => ({
    path: '/api/v1/speedtest/upload',
    bearer: w.deviceKey,
    body: 'x'.repeat(100),
  }),
  'post /api/v1/declarations': (w) => ({
    path: '/api/v1/declarations',
    bearer: w.bureauToken,
    body: { schoolCode: '6229210001', indicator: 'equipped', classroomCode: '2', reason },
  }),
  'post /api/v1/declarations/:id/withdraw': (w) => ({
    path: `/api/v1/declarations/${w.ids.declaration}/withdraw`,
    bearer: w.bureauToken,
    body: { reason },
  }),
  'post /api/v1/closures': (w) => ({
    path: '/api/v1/closures',
    bearer: w.bureauToken,
    body: { name: '暑假', countyCode: '622922', startsOn: '2027-07-10', endsOn: '2027-08-31', reason },
  }),
  'post /api/v1/closures/:id/remove': (w) => ({
    path: `/api/v1/closures/${w.ids.closure}/remove`,
    bearer: w.bureauToken,
    body: { reason },
  }),
  'post /api/v1/inspections': (w) => ({
    path: '/api/v1/inspections',
    bearer: w.bureauToken,
    body: { perCounty: 1, seed: 'spring-2027' },
  }),
  'post /api/v1/inspections/:id/results': (w) => ({
    path: `/api/v1/inspections/${w.ids.inspection}/results`,
    bearer: w.bureauToken,
    body: { schoolCode: '6229210001', result: 'discrepancy', note: 'projector missing in room 2' },
  }),
  'put /api/v1/schools/:code/teacher-spaces': (w) => ({
    path: '/api/v1/schools/6229210001/teacher-spaces',
    bearer: w.bureauToken,
    body: { teachers: 40, spacesOpened: 30, spacesVerified: 20, reason },
  }),
  'post /api/v1/platforms': (w) => ({
    path: '/api/v1/platforms',
    bearer: w.bureauToken,
    body: {
      kind: 'management',
      level: 'county',
      ownerCode: '622921',
      name: '临夏县管理平台',
      url: 'https://gl.example.cn/',
      builtOn: '2018-06-30',
      reason,
    },
  }),
  'patch /api/v1/platforms/:id': (w) => ({
    path: `/api/v1/platforms/${w.ids.platform}`,
    bearer: w.bureauToken,
    body: { name: '新名字', builtOn: null, reason },
  }),
  // A platform of its own each time, so a delete that succeeds leaves the next case one to delete.
  'delete /api/v1/platforms/:id': async (w) => {
    const made = await w.app.request('/api/v1/platforms', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${w.bureauToken}` },
      body: JSON.stringify({
        kind: 'resource',
        level: 'county',
        ownerCode: '622922',
        name: 'to delete',
        url: 'http://127.0.0.1:9/',
        reason,
      }),
    });
    return {
      path: `/api/v1/platforms/${((await made.json()) as { id: number }).id}?reason=${encodeURIComponent(reason)}`,
      bearer: w.bureauToken,
    };
  },
};

const writeRoutes = routeDocs.filter((d) => d.method !== 'get').map((d) => `${d.method} ${d.path}`);

const shape = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      pick: fc.nat(),
      action: fc.constantFrom('replace' as const, 'delete' as const, 'extra' as const),
      value: hostileValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('value' as const), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw' as const), bytes: hostileRawBody }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('content-type' as const),
      type: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        '',
      ),
    }),
  },
);

let world: FuzzWorld;
beforeAll(async () => {
  world = await createFuzzWorld();
});
afterAll(() => world.ctx.cleanup());

describe('hostile request bodies', () => {
  it('every API route that takes a body has a base here to mutate', () => {
    expect(writeRoutes.filter((r) => !bases[r])).toEqual([]);
  });

  it('no 5xx, rejections are 4xx JSON naming the problem, and a rejection changes nothing', async () => {
    const counter = new CaseCounter();
    const parameters = fuzzParameters(10_000, 600_000);
    const property = fc.asyncProperty(
      fc.constantFrom(...writeRoutes),
      shape,
      fc.constantFrom('right', 'right', 'right', 'right', 'right', 'right', 'none', 'wrong'),
      async (route, body, auth) => {
        const base = await bases[route]!(world);
        const method = route.split(' ')[0]!.toUpperCase();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (base.bearer && auth !== 'none')
          headers.authorization = `Bearer ${auth === 'wrong' ? 'std_not-a-key' : base.bearer}`;
        let payload: string | Uint8Array | undefined;
        if (body.kind === 'mutated')
          payload = JSON.stringify(mutate(base.body ?? {}, body.pick, body.action, body.value));
        else if (body.kind === 'value') payload = JSON.stringify(body.value) ?? 'null';
        else if (body.kind === 'raw') payload = body.bytes;
        else {
          payload = JSON.stringify(base.body ?? {});
          headers['content-type'] = body.type;
        }
        const before = fingerprint(world.ctx.db);
        const response = await world.app.request(base.path, { method, headers, body: payload });
        const text = await response.text();
        counter.add(route, response.status);
        expectSafeApiAnswer(
          `${route} (${body.kind}, auth ${auth})`,
          response.status,
          response.headers.get('content-type'),
          text,
          before,
          fingerprint(world.ctx.db),
        );
      },
    );
    try {
      await fc.assert(property, parameters);
    } finally {
      counter.print('fuzz-api-bodies', parameters.seed);
    }
    expect(counter.total()).toBeGreaterThan(100);
  }, 700_000);
});
