import { createUser } from '../../server/accounts/users.ts';
import { IDLE_MS, SESSION_COOKIE } from '../../server/accounts/sessions.ts';
import { createApiToken, revokeApiToken } from '../../server/auth/api-tokens.ts';
import { revokeDevice } from '../../server/enrollment/enroll.ts';
import { createEnrollmentToken, revokeEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { takeDailySnapshots } from '../../server/programme/history.ts';
import { createDashboardUsers, DashboardClient, PASSWORD, seedDevices } from '../helpers/dashboard.ts';
import { makeReport } from '../helpers/reports.ts';
import type { StoreLocation } from '../../server/db/store.ts';
import { byTest, startTestServer, testClock, type TestServer } from '../helpers/server.ts';

/*
 * Everyone who can knock on the API (issue 7, item 4), each with real credentials obtained the way a
 * real caller gets them: sessions by signing in through the login form, device keys by enrolling,
 * API tokens as `santong api-token create` makes them. Order matters: for writes, the county token
 * goes before the bureau token, so a row can give the bureau a target the county token left alone.
 */
export const principals = [
  'anonymous',
  'deviceX',
  'schoolUser',
  'countyA',
  'countyB',
  'countyAToken',
  'bureauUser',
  'bureauToken',
  'revokedKey',
  'revokedToken',
  'expiredSession',
] as const;
export type Principal = (typeof principals)[number];

/** School X is 6229210001 (county A, 临夏县 622921); county B is 康乐县 622922 with 6229220001. */
export const SCHOOL_X = '6229210001';

export interface ApiWorld {
  server: TestServer;
  /** The headers that carry each principal's credentials. */
  headers: Record<Principal, Record<string, string>>;
  deviceX: { id: string; key: string };
  /** Things :id routes name, made through the API by the bureau token; B2 is a spare for a cross-county row. */
  ids: {
    declA: number;
    declA2: number;
    declB: number;
    closureA: number;
    closureB: number;
    closureB2: number;
    closureAll: number;
    inspection: number;
    platformA: number;
    platformB: number;
  };
  /** An unlimited enrollment token for 6229210002, and one that was revoked. */
  enrollmentToken: string;
  revokedEnrollmentToken: string;
}

/** A JSON call to the test server as the bureau token; throws unless it succeeds. */
async function made(
  url: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ id: number } & Record<string, unknown>> {
  const response = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { id: number };
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function enroll(url: string, token: string, hostname: string, uuid: string) {
  const response = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, hostname, hardware: { uuid } }),
  });
  if (response.status !== 201) throw new Error(`enroll ${hostname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { deviceId: string; deviceKey: string };
}

async function sessionOf(url: string, username: string): Promise<string> {
  const browser = DashboardClient.forUrl(url);
  await browser.signIn(username, PASSWORD);
  const id = browser.cookies.get(SESSION_COOKIE);
  if (!id) throw new Error(`no session cookie for ${username}`);
  return id;
}

const reason = 'set up for the authorization matrix';

/**
 * A real server on 127.0.0.1 over a fresh database (a SQLite temp dir, or the empty database at `location`), with
 * data in both counties for every kind of read and a credential for every principal. The clock is fixed so the
 * expired session stays expired and the others stay alive for the whole run.
 */
export async function createApiWorld(location?: StoreLocation): Promise<ApiWorld> {
  // 20:00 in Linxia: 12 hours of idleness later it is the next local day, so yesterday has a snapshot.
  const clock = testClock('2027-03-10T20:00:00+08:00');
  const server = await startTestServer({ clock, ...(location ? { location } : {}) });
  const { url, store } = server;
  await createDashboardUsers(server);
  await createUser(server.store, { username: 'bureau-idle', password: PASSWORD, role: 'bureau' }, clock(), byTest);
  const idle = await sessionOf(url, 'bureau-idle');
  const before = await fetch(`${url}/api/v1/plan`, { headers: { cookie: `${SESSION_COOKIE}=${idle}` } });
  if (before.status !== 200) throw new Error(`the idle session did not work while fresh: ${before.status}`);
  // Sessions end after IDLE_MS without a request (docs/decisions/021); the clock, not a sleep, ages it.
  clock.advance(IDLE_MS + 60_000);

  const sessions = {
    schoolUser: await sessionOf(url, 'school-a1'),
    countyA: await sessionOf(url, 'county-a'),
    countyB: await sessionOf(url, 'county-b'),
    bureauUser: await sessionOf(url, 'bureau'),
  };
  const bureauToken = await server.apiToken();
  const countyAToken = await server.apiToken('622921');
  const revoked = await createApiToken(server.store, { name: 'leaked', divisionCode: null }, clock(), byTest);
  await revokeApiToken(server.store, revoked.id, clock(), byTest);

  await seedDevices(server);
  const x = await enroll(url, await server.enrollmentToken(SCHOOL_X), 'x-pc', 'uuid-x');
  const leaked = await enroll(url, await server.enrollmentToken(SCHOOL_X), 'leaked-pc', 'uuid-leaked');
  await revokeDevice(server.store, leaked.deviceId, clock(), byTest);
  const withdrawn = await createEnrollmentToken(
    server.store,
    { schoolCode: '6229210002', expiresAt: null, maxUses: null },
    clock(),
    byTest,
  );
  await revokeEnrollmentToken(server.store, withdrawn.id, clock(), byTest);
  // A live report from X, so X's school shows evidence.
  const first = await fetch(`${url}/api/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${x.deviceKey}` },
    body: JSON.stringify({ reports: [makeReport({ at: clock() - 60_000 })] }),
  });
  if (first.status !== 200) throw new Error(`seed report: ${first.status}`);

  const post = (path: string, body: unknown, method = 'POST') => made(url, bureauToken, method, path, body);
  const ids = {
    declA: (await post('/api/v1/declarations', { schoolCode: '6229210002', indicator: 'connected', reason })).id,
    declA2: (await post('/api/v1/declarations', { schoolCode: SCHOOL_X, indicator: 'connected', reason })).id,
    declB: (await post('/api/v1/declarations', { schoolCode: '6229220001', indicator: 'connected', reason })).id,
    closureA: (
      await post('/api/v1/closures', {
        name: '寒假 A',
        countyCode: '622921',
        startsOn: '2027-07-10',
        endsOn: '2027-08-31',
        reason,
      })
    ).id,
    closureB: (
      await post('/api/v1/closures', {
        name: '寒假 B',
        countyCode: '622922',
        startsOn: '2027-07-10',
        endsOn: '2027-08-31',
        reason,
      })
    ).id,
    closureB2: (
      await post('/api/v1/closures', {
        name: '暑假 B',
        countyCode: '622922',
        startsOn: '2027-09-10',
        endsOn: '2027-09-12',
        reason,
      })
    ).id,
    closureAll: (await post('/api/v1/closures', { name: '国庆', startsOn: '2027-10-01', endsOn: '2027-10-07', reason }))
      .id,
    inspection: (await post('/api/v1/inspections', { perCounty: 2, seed: 'matrix' })).id,
    platformA: (
      await post('/api/v1/platforms', {
        kind: 'resource',
        level: 'county',
        ownerCode: '622921',
        name: '临夏县资源平台',
        url: 'http://127.0.0.1:9/a',
        reason,
      })
    ).id,
    platformB: (
      await post('/api/v1/platforms', {
        kind: 'resource',
        level: 'county',
        ownerCode: '622922',
        name: '康乐县资源平台',
        url: 'http://127.0.0.1:9/b',
        reason,
      })
    ).id,
  };
  await post('/api/v1/platforms', {
    kind: 'management',
    level: 'prefecture',
    ownerCode: '622900',
    name: '临夏州管理平台',
    url: 'http://127.0.0.1:9/p',
    reason,
  });
  await post(
    `/api/v1/schools/${SCHOOL_X}/teacher-spaces`,
    { teachers: 40, spacesOpened: 30, spacesVerified: 20, reason },
    'PUT',
  );
  await post(
    '/api/v1/schools/6229220001/teacher-spaces',
    { teachers: 20, spacesOpened: 10, spacesVerified: 5, reason },
    'PUT',
  );
  if ((await takeDailySnapshots(store, clock())).length === 0)
    throw new Error('no daily snapshot taken: history would be empty');

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const cookie = (id: string) => ({ cookie: `${SESSION_COOKIE}=${id}` });
  const headers: Record<Principal, Record<string, string>> = {
    anonymous: {},
    deviceX: bearer(x.deviceKey),
    schoolUser: cookie(sessions.schoolUser),
    countyA: cookie(sessions.countyA),
    countyB: cookie(sessions.countyB),
    countyAToken: bearer(countyAToken),
    bureauUser: cookie(sessions.bureauUser),
    bureauToken: bearer(bureauToken),
    revokedKey: bearer(leaked.deviceKey),
    revokedToken: bearer(revoked.token),
    expiredSession: cookie(idle),
  };
  return {
    server,
    headers,
    deviceX: { id: x.deviceId, key: x.deviceKey },
    ids,
    enrollmentToken: await server.enrollmentToken('6229210002'),
    revokedEnrollmentToken: withdrawn.token,
  };
}
