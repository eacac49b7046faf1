import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';
import { matrix, visitors, type Cell, type Visitor } from './matrix-cases.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** Every route the app serves, as "METHOD /path", read from the app itself (middleware entries excluded). */
function servedRoutes(context: TestContext): Set<string> {
  return new Set(context.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
}

/** What went wrong with one cell, or null when the response is what the cell says. */
function mismatch(cell: Cell, response: { status: number; location: string | null; text: string }): string | null {
  if (cell === 'login') {
    return response.status === 302 && response.location?.startsWith('/login?next=')
      ? null
      : `expected a redirect to /login, got ${response.status} ${response.location ?? ''}`;
  }
  const expected = typeof cell === 'number' ? { status: cell } : cell;
  if (response.status !== expected.status)
    return `expected ${expected.status}, got ${response.status}: ${response.text.slice(0, 200)}`;
  if (expected.location !== undefined && response.location !== expected.location)
    return `expected location ${expected.location}, got ${response.location}`;
  const missing = (expected.has ?? []).filter((s) => !response.text.includes(s));
  if (missing.length > 0) return `missing ${JSON.stringify(missing)}`;
  const leaked = (expected.lacks ?? []).filter((s) => response.text.includes(s));
  if (leaked.length > 0) return `shows out-of-scope ${JSON.stringify(leaked)}`;
  return null;
}

describe('authorization matrix', () => {
  it('has a row for every route the app serves, and no row for a route it does not serve', () => {
    ctx = createTestContext();
    const served = servedRoutes(ctx);
    const listed = new Set(matrix.map((c) => c.route));
    expect(
      [...served].filter((r) => !listed.has(r)),
      'routes missing from test/dashboard/matrix-cases.ts',
    ).toEqual([]);
    expect(
      [...listed].filter((r) => !served.has(r)),
      'matrix rows for routes the app no longer serves',
    ).toEqual([]);
  });

  // Some 600 requests, refused forms now rendering their whole page: 30 s was too tight on a busy machine.
  it(
    'gives anonymous, school, county A, county B and bureau visitors exactly their cell on every route',
    {
      timeout: 120_000,
    },
    async () => {
      ctx = createTestContext();
      const users = await createDashboardUsers(ctx);
      const devices = await seedDevices(ctx);
      const clients = {} as Record<Visitor, DashboardClient>;
      for (const who of visitors) {
        clients[who] = DashboardClient.forApp(ctx);
        if (who === 'anonymous') await clients[who].get('/login');
        else await clients[who].signIn(users[who]);
      }
      const failures: string[] = [];
      for (const row of matrix) {
        for (const who of visitors) {
          const client = clients[who];
          const path = (typeof row.path === 'function' ? row.path(who) : row.path).replace(
            /\{(\w+)\}/g,
            (_, k: keyof typeof devices) => devices[k],
          );
          const response = row.json
            ? await client.request(path, {
                method: row.json.method,
                body: JSON.stringify(row.json.body),
                headers: { 'content-type': 'application/json' },
              })
            : row.form
              ? await client.post(path, row.form)
              : await client.get(path);
          const problem = mismatch(row.expect[who], response);
          if (problem) failures.push(`${row.route} as ${who} (${path}): ${problem}`);
        }
      }
      expect(failures).toEqual([]);
    },
  );
});
