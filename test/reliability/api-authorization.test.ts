import { serve } from '@hono/node-server';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, routeDocs } from '../../server/app.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { createTestContext } from '../helpers/server.ts';
import { apiMatrix, outOfScope, reportIds, type ApiCase, type Cell } from './api-matrix-cases.ts';
import { createApiWorld, principals, type ApiWorld, type Principal } from './api-principals.ts';
import { inArray } from 'drizzle-orm';

/*
 * Issue 7, item 4: every /api/v1 route × every principal, against a real server on 127.0.0.1. The
 * route list comes from the app itself, so a new API route fails here until someone decides who may
 * call it (docs/decisions/022 for the dashboard's pages; this is the same promise for the API).
 */
const databases = useEachDialect();
let world: ApiWorld | null = null;
afterEach(async () => {
  await world?.server.close();
  world = null;
});

const apiRoute = (path: string) => path.startsWith('/api/v1/');

function concrete(row: ApiCase, who: Principal, w: ApiWorld): string {
  const path = typeof row.path === 'function' ? row.path(who) : row.path;
  return path.replace(/\{(\w+)\}/g, (_, name: keyof ApiWorld['ids']) => String(w.ids[name]));
}

/** Sends one cell's request with the principal's credentials; the answer's status and text. */
async function send(row: ApiCase, who: Principal, w: ApiWorld, baseUrl = w.server.url) {
  const body = row.body?.(who, w);
  const headers: Record<string, string> = { ...w.headers[who] };
  if (typeof body === 'string') headers['content-type'] = 'application/octet-stream';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + concrete(row, who, w), {
    method: row.method ?? 'GET',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  return { status: response.status, text: await response.text() };
}

/** What is wrong with an answer, or null when it is the cell. */
function mismatch(row: ApiCase, who: Principal, cell: Cell, answer: { status: number; text: string }): string | null {
  const expected = typeof cell === 'number' ? { status: cell, has: [] } : cell;
  if (answer.status !== expected.status)
    return `expected ${expected.status}, got ${answer.status}: ${answer.text.slice(0, 200)}`;
  const missing = expected.has.filter((s) => !answer.text.includes(s));
  if (missing.length > 0) return `missing ${JSON.stringify(missing)}: ${answer.text.slice(0, 200)}`;
  if (answer.status < 300 && !row.unscoped) {
    const leaked = (outOfScope[who] ?? []).filter((s) => answer.text.includes(s));
    if (leaked.length > 0) return `shows out-of-scope ${JSON.stringify(leaked)}`;
  }
  return null;
}

describe('API authorization matrix', () => {
  it('has a row for every /api/v1 route the app serves and documents, and none for a route that is gone', async () => {
    const ctx = await createTestContext();
    try {
      const served = new Set(
        ctx.app.routes.filter((r) => r.method !== 'ALL' && apiRoute(r.path)).map((r) => `${r.method} ${r.path}`),
      );
      const documented = routeDocs.filter((d) => apiRoute(d.path)).map((d) => `${d.method.toUpperCase()} ${d.path}`);
      const listed = new Set(apiMatrix.map((row) => row.route));
      expect(
        [...served].filter((r) => !listed.has(r)),
        'served API routes with no row in api-matrix-cases.ts',
      ).toEqual([]);
      expect(
        documented.filter((r) => !listed.has(r)),
        'documented API routes with no row',
      ).toEqual([]);
      expect(
        [...listed].filter((r) => !served.has(r)),
        'rows for routes the app no longer serves',
      ).toEqual([]);
    } finally {
      await ctx.cleanup();
    }
  });
});

// On PostgreSQL too (issue 14, decision 198): scope and credentials are checked by queries that run on either
// dialect. PostgreSQL first: the SQLite run gives the pool's sockets time to close before the file's server stops.
describe.each(['postgres', 'sqlite'] as const)('API authorization matrix on %s', (dialect) => {
  it('gives every principal exactly its cell on every API route, and 2xx answers only in its scope', async () => {
    const w = (world = await createApiWorld(await databases.location(dialect)));
    const failures: string[] = [];
    let cells = 0;
    for (const row of apiMatrix) {
      for (const who of principals) {
        const answer = await send(row, who, w);
        cells += 1;
        const problem = mismatch(row, who, row.expect[who], answer);
        if (problem) failures.push(`${row.method ?? 'GET'} ${concrete(row, who, w)} as ${who}: ${problem}`);
      }
    }
    console.log(
      `API authorization matrix: ${apiMatrix.length} rows over ${new Set(apiMatrix.map((r) => r.route)).size} routes × ${principals.length} principals = ${cells} cells`,
    );
    expect(failures).toEqual([]);

    // Reports carry no device id: the key decides. X's report is on X's device; nobody else's is stored.
    const { reports } = w.server.store.t;
    const stored = await w.server.store.q
      .select({ id: reports.id, deviceId: reports.deviceId })
      .from(reports)
      .where(
        inArray(
          reports.id,
          principals.map((p) => reportIds[p]!),
        ),
      );
    expect(stored).toEqual([{ id: reportIds.deviceX, deviceId: w.deviceX.id }]);
  });

  it('serves public coverage to everyone alike when disclosure is on, with no school, device or person in it', async () => {
    const w = (world = await createApiWorld(await databases.location(dialect)));
    const disclosing = createApp({
      store: w.server.store,
      logger: pino({ level: 'silent' }),
      clock: w.server.clock,
      maxReportBodyBytes: 1024 * 1024,
      publicDisclosure: true,
    });
    const listener = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: disclosing.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const address = listener.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const row = apiMatrix.find((r) => r.route === 'GET /api/v1/public/coverage')!;
      const schoolsAndDevices = [
        '6229210001',
        '6229210002',
        '6229220001',
        'x-pc',
        'a1-pc',
        'b1-silent',
        'county-a',
        'bureau',
      ];
      for (const who of principals) {
        const answer = await send(row, who, w, url);
        expect(answer.status, who).toBe(200);
        expect(answer.text, who).toContain('622922');
        expect(
          schoolsAndDevices.filter((s) => answer.text.includes(s)),
          who,
        ).toEqual([]);
      }
    } finally {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });
});
