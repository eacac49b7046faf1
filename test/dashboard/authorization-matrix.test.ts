import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { createUser } from '../../server/accounts/users.ts';
import { takeDailySnapshots } from '../../server/programme/history.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';
import { matrix, visitors, type Cell, type Visitor } from './matrix-cases.ts';
import {
  expectedStatus,
  provinceCounties,
  provincePrincipals,
  provinceReads,
  provinceRoster,
  sees,
  type ProvincePrincipal,
} from './province-matrix-cases.ts';

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
  it('has a row for every route the app serves, and no row for a route it does not serve', async () => {
    ctx = await createTestContext();
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
      ctx = await createTestContext();
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

  it('confines province, prefecture and county tokens and accounts of a province deployment to their subtree on every API read', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '620000', roster: provinceRoster });
    const read = async (p: ProvincePrincipal, client: DashboardClient | string, path: string) => {
      if (typeof client !== 'string') return client.get(path);
      const response = await ctx.app.request(path, { headers: { authorization: `Bearer ${client}` } });
      return { status: response.status, text: await response.text() };
    };
    // Something in every list, in every county, so a list that leaks shows it.
    const root = await ctx.apiToken();
    for (const school of provinceRoster) {
      const write = (method: string, path: string, body: unknown) =>
        ctx.app.request(path, {
          method,
          headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const reason = 'province matrix';
      expect(
        (await write('POST', '/api/v1/declarations', { schoolCode: school.code, indicator: 'connected', reason }))
          .status,
      ).toBe(201);
      const spaces = { teachers: 10, spacesOpened: 5, spacesVerified: 1, reason };
      expect((await write('PUT', `/api/v1/schools/${school.code}/teacher-spaces`, spaces)).status).toBe(200);
      const closure = {
        name: `假期 ${school.county_code}`,
        countyCode: school.county_code,
        startsOn: '2027-01-15',
        endsOn: '2027-02-25',
        reason,
      };
      expect((await write('POST', '/api/v1/closures', closure)).status).toBe(201);
    }
    await takeDailySnapshots(ctx.store, ctx.clock());
    const clients = new Map<ProvincePrincipal, DashboardClient | string>();
    for (const p of provincePrincipals) {
      if (p.via === 'token') {
        clients.set(p, await ctx.apiToken(p.division ?? undefined));
        continue;
      }
      const username = p.name.toLowerCase().replaceAll(' ', '-');
      await createUser(
        ctx.store,
        { username, password: 'correct horse battery staple', role: p.role!, divisionCode: p.division ?? undefined },
        ctx.clock(),
        { actor: 'test', reason: 'province matrix' },
      );
      const client = DashboardClient.forApp(ctx);
      await client.get('/login');
      await client.signIn(username);
      clients.set(p, client);
    }
    // Every API read the app serves that a division principal may make is in the table.
    const apiReads = [...servedRoutes(ctx)].filter(
      (r) => r.startsWith('GET /api/v1/') && !/openapi|public|speedtest|agent\/releases|inspections/.test(r),
    );
    expect(apiReads.filter((r) => !provinceReads.some((x) => x.route === r))).toEqual([]);

    const failures: string[] = [];
    for (const p of provincePrincipals) {
      const client = clients.get(p)!;
      const outside = [
        ...provinceCounties.filter((c) => !sees(p, c)),
        ...provinceRoster.filter((s) => !sees(p, s.county_code)).map((s) => s.code),
      ];
      for (const r of provinceReads) {
        const response = await read(p, client, r.path);
        const want = expectedStatus(p, r);
        if (response.status !== want) {
          failures.push(`${p.name} ${r.path}: expected ${want}, got ${response.status} ${response.text.slice(0, 160)}`);
          continue;
        }
        // The plan is the programme's reference (every division's name), not figures; the root's audit log is all.
        if (want !== 200 || r.route === 'GET /api/v1/plan' || p.division === null) continue;
        const leaked = outside.filter((code) => response.text.includes(code));
        if (leaked.length > 0) failures.push(`${p.name} ${r.path}: shows out-of-scope ${leaked.join(', ')}`);
      }
      // Its own division by default, with exactly the schools of its subtree (its county rows asked for: decision 162).
      const own = JSON.parse((await read(p, client, '/api/v1/coverage?pageSize=1000&counties=true')).text);
      expect(own.division.code, p.name).toBe(p.division ?? '620000');
      const withSchools = own.counties.filter((c: { schools: { registered: number } }) => c.schools.registered > 0);
      expect(
        withSchools.map((c: { code: string }) => c.code),
        p.name,
      ).toEqual(provinceCounties.filter((c) => sees(p, c)).sort());
    }
    expect(failures).toEqual([]);
  });
});
