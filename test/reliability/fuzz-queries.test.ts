import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { injectionStrings, hostileDate, hugeString, injection } from './hostile-values.ts';
import {
  CaseCounter,
  createFuzzWorld,
  expectSafeApiAnswer,
  fingerprint,
  fuzzParameters,
  type FuzzWorld,
} from './fuzz-world.ts';

/*
 * Hostile path parameters and query strings for every GET route the app serves: the API's from
 * routeDocs (with their declared query keys), the dashboard's from the app's route table. A read must
 * never 5xx, never change what is stored, and never reflect an injection string unescaped into HTML.
 */
let world: FuzzWorld;
beforeAll(async () => {
  world = await createFuzzWorld();
});
afterAll(() => world.ctx.cleanup());

const hostileText = fc.oneof(
  injection,
  hostileDate,
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '1',
    '2',
    '99999999999999999999',
    '1e308',
    'NaN',
    'true',
    'csv',
    'json',
    'xlsx',
    'all',
    'active',
    'withdrawn',
    '622921',
    '622922',
    '6229210001',
    'en',
    'zh-CN',
    'connected',
    'equipped',
    '2026-01-01',
    '%00',
    '//evil.example',
    '/\\evil.example',
  ),
  fc.string({ maxLength: 30 }),
  hugeString.map((s) => s.slice(0, 20_000)),
);
const rawEscapes = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%ff%fe',
  '%C0%AF',
  '%ED%A0%80',
  '%%32%65',
  '..%2F..%2F',
  '%2e%2e',
  '%0d%0aX-Injected:%20yes',
);

/** Fills :params with a real value most of the time, else something hostile (percent-encoded, or raw escapes). */
function fillPath(path: string, valid: Record<string, string>, hostile: string[], raw: string | null): string {
  let i = 0;
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const h = hostile[i++];
    if (raw !== null && i === 1) return raw;
    return h === undefined ? (valid[name] ?? '1') : encodeURIComponent(h);
  });
}

describe('hostile path parameters and query strings', () => {
  it('GET routes: no 5xx, API rejections are 4xx JSON, nothing stored changes, nothing reflected unescaped', async () => {
    const apiGets = routeDocs.filter((d) => d.method === 'get');
    const documented = new Set(routeDocs.map((d) => `${d.method.toUpperCase()} ${d.path}`));
    const pageGets = [
      ...new Set(
        world.app.routes
          .filter((r) => r.method === 'GET' && !documented.has(`GET ${r.path}`) && r.path !== '/api/v1/openapi.json')
          .map((r) => r.path),
      ),
    ];
    const routes = [
      ...apiGets.map((d) => ({ path: d.path, keys: Object.keys(d.query?.shape ?? {}), auth: d.auth })),
      ...pageGets.map((path) => ({
        path,
        keys: ['next', 'back', 'sort', 'filter', 'county', 'revoked', 'status', 'from', 'to', 'q'],
        auth: 'session' as const,
      })),
    ];
    const valid = { code: '6229210001', id: String(world.ids.inspection), lang: 'en', version: '0.1.0' };
    const counter = new CaseCounter();
    const parameters = fuzzParameters(8_000, 300_000);
    const property = fc.asyncProperty(
      fc.constantFrom(...routes),
      fc.array(hostileText, { maxLength: 2 }),
      fc.option(rawEscapes, { freq: 5 }),
      fc.array(fc.tuple(fc.nat(), hostileText), { maxLength: 6 }),
      fc.option(rawEscapes, { freq: 6 }),
      async (route, params, rawParam, pairs, rawQuery) => {
        const path = fillPath(
          route.path,
          route.path.includes('counties') ? { ...valid, code: '622921' } : valid,
          params,
          rawParam,
        );
        const keys = [...route.keys, 'extra', '__proto__', 'format'];
        const query = pairs.map(([k, v]) => `${encodeURIComponent(keys[k % keys.length]!)}=${encodeURIComponent(v)}`);
        if (rawQuery !== null) query.push(`${keys[0] ?? 'q'}=${rawQuery}`);
        const url = `${path}${query.length ? `?${query.join('&')}` : ''}`;
        const headers: Record<string, string> =
          route.auth === 'api-token'
            ? { authorization: `Bearer ${world.bureauToken}` }
            : route.auth === 'device-key'
              ? { authorization: `Bearer ${world.deviceKey}` }
              : {};
        const before = fingerprint(world.ctx.db);
        let status: number;
        let type: string | null;
        let text: string;
        if (route.auth === 'session') {
          const page = await world.browser.get(url);
          [status, type, text] = [page.status, page.headers.get('content-type'), page.text];
        } else {
          const response = await world.app.request(url, { headers });
          [status, type, text] = [response.status, response.headers.get('content-type'), await response.text()];
        }
        const after = fingerprint(world.ctx.db);
        counter.add(`GET ${route.path}`, status);
        if (route.auth !== 'session' && route.path.startsWith('/api/'))
          expectSafeApiAnswer(`GET ${url.slice(0, 300)}`, status, type, text, before, after);
        else expect(status, `GET ${url.slice(0, 300)} → ${text.slice(0, 300)}`).toBeLessThan(500);
        expect(after, `GET ${url.slice(0, 300)} changed the database`).toEqual(before);
        if (/html/.test(type ?? ''))
          for (const s of injectionStrings.filter((x) => /[<>"]/.test(x)))
            expect(text.includes(s), `GET ${url.slice(0, 300)} reflected ${s} unescaped`).toBe(false);
      },
    );
    try {
      await fc.assert(property, parameters);
    } finally {
      counter.print('fuzz-queries', parameters.seed);
    }
    expect(counter.total()).toBeGreaterThan(100);
  }, 400_000);
});
