import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { signIn } from '../../server/accounts/login.ts';
import { SESSION_COOKIE } from '../../server/accounts/sessions.ts';
import { createUser } from '../../server/accounts/users.ts';
import { createApp } from '../../server/app.ts';
import { createApiToken } from '../../server/auth/api-tokens.ts';
import type { Store } from '../../server/db/store.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { rosterRow } from '../helpers/roster.ts';
import { reportingWorld } from '../helpers/store-world.ts';
import { byTest } from '../helpers/server.ts';

/*
 * Issue 14: the coverage reads (server/coverage/read.ts) run on the store, so the top read, a county's view and a
 * school's detail answer through createApp alike over a SQLite file and a real PostgreSQL server (decision 196).
 * The same world is built on each; every answer must hold the expected figures and be equal across the two, before
 * and after the evidence has left the window (the read's own sweep re-evaluates the schools on either dialect).
 */
const open = useEachDialect();
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
const NOW = T0 + 5 * DAY;
const COUNTY = '622921';

/** Two schools in 临夏县 (one with two PCs reporting, one with none) and one in 康乐县 with a PC; five days of reports. */
async function smallWorld(store: Store): Promise<void> {
  await reportingWorld(store, T0, [
    rosterRow(2, '6229210001', COUNTY, { name: '临夏县第一小学', township: '韩集镇' }),
    rosterRow(3, '6229210002', COUNTY, { name: 'Lianhua School', township: '莲花镇' }),
    rosterRow(4, '6229220001', '622922', { classroom_count: '3' }),
  ]);
}

/** Every filter of a county's school list at once: the statement that names every column a filter can name. */
const everyFilter =
  'connected=true&meetsStandard=true&hasSilentDevices=false&noAgent=false&declaredConnected=false' +
  '&conflict=false&flagged=false&typeCode=211&township=韩集镇&q=第一';

interface Answers {
  top: unknown;
  topGzipped: unknown;
  county: { schools: { total: number; rows: { code: string; connected: boolean }[] } } & Record<string, unknown>;
  filtered: { schools: { total: number; rows: { code: string }[] } };
  searched: { schools: { total: number; rows: { code: string }[] } };
  csv: string;
  school: { school: unknown; classrooms: unknown; devices: { id?: string; state: string }[] };
  page: { status: number; text: string };
}

/** The reads as a client makes them, at `now`, through the app over `store`. */
async function answersOf(store: Store, now: number): Promise<Answers> {
  const app = createApp({ store, logger: pino({ level: 'silent' }), clock: () => now, maxReportBodyBytes: 1 << 20 });
  const { token } = await createApiToken(store, { name: `reader ${now}`, divisionCode: null }, now, byTest);
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } });
    expect(response.status, path).toBe(200);
    return response;
  };
  const json = async <T>(path: string) => (await (await get(path)).json()) as T;
  const gzipped = await get('/api/v1/coverage', { 'accept-encoding': 'gzip' });
  expect(gzipped.headers.get('content-encoding')).toBe('gzip');
  const username = `bureau${now}`;
  const password = 'a long enough password 1';
  await createUser(store, { username, password, role: 'bureau' }, now, byTest);
  const { session } = await signIn(store, { username, password, address: '10.0.0.1' }, now);
  const page = await app.request(`/counties/${COUNTY}`, { headers: { cookie: `${SESSION_COOKIE}=${session.id}` } });
  return {
    top: await json('/api/v1/coverage'),
    topGzipped: JSON.parse(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString('utf8')),
    county: await json(`/api/v1/coverage/counties/${COUNTY}`),
    filtered: await json(`/api/v1/coverage/counties/${COUNTY}?${everyFilter}`),
    searched: await json(`/api/v1/coverage/counties/${COUNTY}?q=lianhua&page=1&pageSize=1`),
    csv: await (await get(`/api/v1/coverage/counties/${COUNTY}?format=csv`)).text(),
    school: await json('/api/v1/schools/6229210001'),
    page: { status: page.status, text: await page.text() },
  };
}

/** An answer without what differs by construction between two worlds: the PCs' generated ids. */
const withoutIds = (a: Answers) => ({
  ...a,
  school: { ...a.school, devices: a.school.devices.map(({ id: _id, ...device }) => device) },
  page: a.page.status,
});

describe('coverage reads through the app on SQLite and PostgreSQL', () => {
  it('answer the top read, a county view and a school with the same figures on both, now and after the window', async () => {
    const answers: Record<Store['dialect'], Answers[]> = { sqlite: [], postgres: [] };
    // PostgreSQL first: the SQLite run gives the pool's sockets time to close before the server stops.
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const store = await open(dialect);
      await smallWorld(store);
      answers[dialect].push(await answersOf(store, NOW), await answersOf(store, NOW + 40 * DAY));
    }
    const [now, later] = answers.sqlite as [Answers, Answers];
    // The figures themselves, so two dialects equally wrong would not pass.
    expect(now.top).toMatchObject({ schools: { registered: 3, connected: 2 }, devices: { enrolled: 3, live: 3 } });
    expect(now.topGzipped).toEqual(now.top);
    expect(now.county.schools.total).toBe(2);
    expect(now.county.schools.rows.map((r) => [r.code, r.connected])).toEqual([
      ['6229210001', true],
      ['6229210002', false],
    ]);
    expect(now.filtered.schools.rows.map((r) => r.code)).toEqual(['6229210001']);
    // Matched whatever its case on both dialects (SQLite's like ignores ASCII case, PostgreSQL's does not).
    expect(now.searched.schools).toMatchObject({ total: 1, rows: [{ code: '6229210002' }] });
    expect(now.csv.split('\n').filter((line) => line.trim() !== '')).toHaveLength(3);
    expect(now.school.devices.map((d) => d.state)).toEqual(['live', 'live']);
    expect(now.page.status).toBe(200);
    expect(now.page.text).toContain('临夏县第一小学');
    expect(later.top).toMatchObject({ schools: { registered: 3, connected: 0 }, devices: { live: 0 } });
    expect(later.filtered.schools.total).toBe(0);
    expect(later.school.devices.map((d) => d.state)).toEqual(['silent', 'silent']);

    expect(answers.postgres.map(withoutIds)).toEqual(answers.sqlite.map(withoutIds));
  });
});
