import { randomUUID } from 'node:crypto';
import { makeReport } from '../helpers/reports.ts';
import { principals, SCHOOL_X, type ApiWorld, type Principal } from './api-principals.ts';

/*
 * The API authorization matrix (issue 7, item 4): for every /api/v1 route, what each principal gets.
 * A cell is a status, or a 2xx with text that must appear. Beyond that, every 2xx answer to a scoped
 * principal is searched for the other scopes' codes and names (`outOfScope`), unless the row is the
 * same for everyone. Reads come first; writes are ordered so each row's targets exist and are live.
 */
export type Cell = number | { status: number; has: string[] };

export interface ApiCase {
  /** The route as app.routes lists it, e.g. "GET /api/v1/schools/:code". */
  route: string;
  /** `{name}` is replaced by world.ids[name]; a function when principals need their own targets. */
  path: string | ((who: Principal) => string);
  /** Sent as JSON (a string is sent as it is). */
  body?: (who: Principal, world: ApiWorld) => unknown;
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  expect: Record<Principal, Cell>;
  /** The same answer for everyone (plan, OpenAPI, enroll): not searched for other scopes' codes. */
  unscoped?: true;
}

/** What a principal confined to a county or school must never be shown. */
export const outOfScope: Partial<Record<Principal, string[]>> = {
  deviceX: ['622922', '6229210002', 'b1-silent', '康乐'],
  schoolUser: ['6229210002', '622922', 'a2-silent', 'b1-silent', 'b-dup', '测试教学点', '康乐'],
  countyA: ['622922', 'b1-silent', 'b-dup', '康乐'],
  countyAToken: ['622922', 'b1-silent', 'b-dup', '康乐'],
  countyB: ['622921', 'a1-pc', 'a2-silent', 'x-pc', '测试第一小学', '测试教学点', '临夏县'],
};

/** One report id per principal: only deviceX's may be stored, and on X's device. */
export const reportIds = Object.fromEntries(principals.map((p) => [p, randomUUID()])) as Record<Principal, string>;

const A = ['622921'];
const B = ['622922'];
const AB = [...A, ...B];
const ok = (...has: string[]): Cell => ({ status: 200, has });
const everyone = (cell: Cell) => Object.fromEntries(principals.map((p) => [p, cell])) as Record<Principal, Cell>;
const noEntry = { anonymous: 401, deviceX: 401, revokedKey: 401, revokedToken: 401, expiredSession: 401 } as const;
/** A bureau API read: sessions and tokens alike, by scope; a device key is not an API token. */
const read = (c: { school: Cell; countyA: Cell; countyB: Cell; bureau: Cell }): Record<Principal, Cell> => ({
  ...noEntry,
  schoolUser: c.school,
  countyA: c.countyA,
  countyAToken: c.countyA,
  countyB: c.countyB,
  bureauUser: c.bureau,
  bureauToken: c.bureau,
});
/** A bureau API write: a session cookie never writes (no bearer token: 401), so only the tokens get a say. */
const write = (countyAToken: Cell, bureauToken: Cell): Record<Principal, Cell> => ({
  ...noEntry,
  schoolUser: 401,
  countyA: 401,
  countyB: 401,
  bureauUser: 401,
  countyAToken,
  bureauToken,
});
/** Agent routes: the device key of a live device and nothing else. */
const agent = (deviceX: Cell): Record<Principal, Cell> => ({ ...everyone(401), deviceX });
const countyWide = (a: string[], b: string[], both: string[]) =>
  read({ school: 403, countyA: ok(...a), countyB: ok(...b), bureau: ok(...both) });
/** The bureau token's target in own-scope rows is county B's, the county token's county A's. */
const pick = <T>(who: Principal, forCountyA: T, forBureau: T) => (who === 'bureauToken' ? forBureau : forCountyA);
const reason = 'checked by the authorization matrix';

export const apiMatrix: ApiCase[] = [
  { route: 'GET /api/v1/openapi.json', path: '/api/v1/openapi.json', expect: everyone(200), unscoped: true },
  { route: 'GET /api/v1/public/coverage', path: '/api/v1/public/coverage', expect: everyone(404), unscoped: true },
  {
    route: 'GET /api/v1/plan',
    path: '/api/v1/plan',
    expect: read({ school: 200, countyA: 200, countyB: 200, bureau: 200 }),
    unscoped: true,
  },
  { route: 'GET /api/v1/coverage', path: '/api/v1/coverage', expect: countyWide(A, B, AB) },
  { route: 'GET /api/v1/divisions', path: '/api/v1/divisions', expect: countyWide(A, B, AB) },
  {
    route: 'GET /api/v1/divisions/:code',
    path: '/api/v1/divisions/622921',
    expect: read({ school: 403, countyA: ok('临夏县'), countyB: 403, bureau: ok('临夏县') }),
  },
  {
    route: 'GET /api/v1/coverage',
    path: '/api/v1/coverage?division=622922&format=xlsx',
    expect: read({ school: 403, countyA: 403, countyB: 200, bureau: 200 }),
  },
  {
    route: 'GET /api/v1/coverage/counties/:code',
    path: '/api/v1/coverage/counties/622921',
    expect: read({ school: 403, countyA: ok(SCHOOL_X, '6229210002'), countyB: 403, bureau: ok(SCHOOL_X) }),
  },
  {
    route: 'GET /api/v1/coverage/counties/:code',
    path: '/api/v1/coverage/counties/622922?format=csv',
    expect: read({ school: 403, countyA: 403, countyB: ok('6229220001'), bureau: ok('6229220001') }),
  },
  {
    route: 'GET /api/v1/schools/:code',
    path: `/api/v1/schools/${SCHOOL_X}`,
    expect: read({ school: ok(SCHOOL_X, 'x-pc'), countyA: ok(SCHOOL_X), countyB: 403, bureau: ok(SCHOOL_X) }),
  },
  {
    route: 'GET /api/v1/schools/:code',
    path: '/api/v1/schools/6229210002',
    expect: read({ school: 403, countyA: ok('6229210002'), countyB: 403, bureau: 200 }),
  },
  {
    route: 'GET /api/v1/schools/:code',
    path: '/api/v1/schools/6229220001',
    expect: read({ school: 403, countyA: 403, countyB: ok('6229220001'), bureau: 200 }),
  },
  {
    route: 'GET /api/v1/schools/:code',
    path: '/api/v1/schools/0000000000',
    expect: read({ school: 404, countyA: 404, countyB: 404, bureau: 404 }),
  },
  {
    route: 'GET /api/v1/schools/:code/classrooms',
    path: '/api/v1/schools/6229220001/classrooms',
    expect: read({ school: 403, countyA: 403, countyB: 200, bureau: 200 }),
  },
  {
    route: 'GET /api/v1/schools/:code/classrooms',
    path: `/api/v1/schools/${SCHOOL_X}/classrooms?format=csv`,
    expect: read({ school: 200, countyA: 200, countyB: 403, bureau: 200 }),
  },
  {
    route: 'GET /api/v1/schools/:code/devices',
    path: `/api/v1/schools/${SCHOOL_X}/devices?format=csv`,
    expect: read({ school: ok('a1-pc', 'x-pc'), countyA: ok('x-pc'), countyB: 403, bureau: ok('x-pc') }),
  },
  {
    route: 'GET /api/v1/schools/:code/devices',
    path: '/api/v1/schools/6229220001/devices',
    expect: read({ school: 403, countyA: 403, countyB: ok('b1-silent'), bureau: ok('b1-silent') }),
  },
  {
    route: 'GET /api/v1/declarations',
    path: '/api/v1/declarations',
    expect: countyWide(['6229210002'], ['6229220001'], ['6229210002', '6229220001']),
  },
  {
    route: 'GET /api/v1/declarations',
    path: '/api/v1/declarations?format=csv&status=all',
    expect: countyWide(['6229210002'], ['6229220001'], ['6229210002', '6229220001']),
  },
  // A county sees its own closures and the prefecture-wide ones (国庆).
  { route: 'GET /api/v1/closures', path: '/api/v1/closures', expect: countyWide([...A, '国庆'], [...B, '国庆'], AB) },
  { route: 'GET /api/v1/history', path: '/api/v1/history', expect: countyWide(A, B, AB) },
  {
    route: 'GET /api/v1/history',
    path: '/api/v1/history?division=622922',
    expect: read({ school: 403, countyA: 403, countyB: ok(...B), bureau: ok(...B) }),
  },
  {
    route: 'GET /api/v1/audit',
    path: '/api/v1/audit',
    expect: read({ school: 403, countyA: 403, countyB: 403, bureau: ok('declaration.create') }),
  },
  {
    route: 'GET /api/v1/inspections/:id',
    path: '/api/v1/inspections/{inspection}',
    expect: countyWide([SCHOOL_X], ['6229220001'], [SCHOOL_X, '6229220001']),
  },
  {
    route: 'GET /api/v1/inspections/:id/checklist',
    path: '/api/v1/inspections/{inspection}/checklist',
    expect: countyWide([SCHOOL_X], ['6229220001'], [SCHOOL_X, '6229220001']),
  },
  { route: 'GET /api/v1/teacher-spaces', path: '/api/v1/teacher-spaces', expect: countyWide(A, B, AB) },
  {
    route: 'GET /api/v1/platforms',
    path: '/api/v1/platforms',
    expect: countyWide(['临夏县资源平台', '临夏州管理平台'], ['康乐县资源平台'], ['临夏县资源平台', '康乐县资源平台']),
  },
  // Aggregates per level, no county rows: the scope line says whose figures they are.
  {
    route: 'GET /api/v1/platforms/coverage',
    path: '/api/v1/platforms/coverage',
    expect: countyWide(['"code":"622921"'], ['"code":"622922"'], ['"code":"622900"']),
  },

  // Agent routes. Every principal sends a report of its own id; the test then checks only X's landed, on X.
  {
    route: 'POST /api/v1/reports',
    method: 'POST',
    path: '/api/v1/reports',
    body: (who, w) => ({ reports: [makeReport({ at: w.server.clock() - 30_000, id: reportIds[who] })] }),
    expect: agent(ok('"accepted":1')),
  },
  {
    route: 'POST /api/v1/speedtest/slot',
    method: 'POST',
    path: '/api/v1/speedtest/slot',
    body: () => ({}),
    expect: agent(ok('"granted":true')),
  },
  { route: 'GET /api/v1/speedtest/download', path: '/api/v1/speedtest/download?bytes=1024', expect: agent(200) },
  {
    route: 'POST /api/v1/speedtest/upload',
    method: 'POST',
    path: '/api/v1/speedtest/upload',
    body: () => 'x'.repeat(1024),
    expect: agent(ok('"bytes":1024')),
  },
  // Nothing is published on this server: a 404 is the handler's answer, past authentication.
  { route: 'GET /api/v1/agent/releases/latest', path: '/api/v1/agent/releases/latest', expect: agent(404) },
  {
    route: 'GET /api/v1/agent/releases/:version/bundle',
    path: '/api/v1/agent/releases/0.1.0/bundle',
    expect: agent(404),
  },
  // Enrollment authenticates by its enrollment token alone: no other credential helps or hinders.
  {
    route: 'POST /api/v1/enroll',
    method: 'POST',
    path: '/api/v1/enroll',
    body: (who, w) => ({ token: w.enrollmentToken, hostname: `pc-${who}`, hardware: { uuid: `uuid-${who}` } }),
    expect: everyone({ status: 201, has: ['6229210002'] }),
    unscoped: true,
  },
  {
    route: 'POST /api/v1/enroll',
    method: 'POST',
    path: '/api/v1/enroll',
    body: (who, w) => ({ token: w.revokedEnrollmentToken, hostname: `pc-${who}`, hardware: { uuid: `uuid-r-${who}` } }),
    expect: everyone(401),
    unscoped: true,
  },

  // Writes. Own scope: county A's token in county A, the bureau token in county B.
  {
    route: 'POST /api/v1/declarations',
    method: 'POST',
    path: '/api/v1/declarations',
    body: (who) =>
      pick(
        who,
        { schoolCode: SCHOOL_X, indicator: 'equipped', classroomCode: '2', reason },
        { schoolCode: '6229220001', indicator: 'equipped', classroomCode: '1', reason },
      ),
    expect: write(201, 201),
  },
  {
    route: 'POST /api/v1/declarations',
    method: 'POST',
    path: '/api/v1/declarations',
    body: (who) =>
      pick(
        who,
        { schoolCode: '6229220001', indicator: 'equipped', classroomCode: '1', reason },
        { schoolCode: SCHOOL_X, indicator: 'equipped', classroomCode: '3', reason },
      ),
    expect: write(403, 201),
  },
  {
    route: 'POST /api/v1/declarations/:id/withdraw',
    method: 'POST',
    path: (who) => pick(who, '/api/v1/declarations/{declB}/withdraw', '/api/v1/declarations/{declA2}/withdraw'),
    body: () => ({ reason }),
    expect: write(403, 200),
  },
  {
    route: 'POST /api/v1/declarations/:id/withdraw',
    method: 'POST',
    path: (who) => pick(who, '/api/v1/declarations/{declA}/withdraw', '/api/v1/declarations/{declB}/withdraw'),
    body: () => ({ reason }),
    expect: write(200, 200),
  },
  {
    route: 'POST /api/v1/closures',
    method: 'POST',
    path: '/api/v1/closures',
    body: (who) => ({
      name: '停电',
      countyCode: pick(who, '622921', '622922'),
      startsOn: '2027-11-01',
      endsOn: '2027-11-02',
      reason,
    }),
    expect: write(201, 201),
  },
  {
    route: 'POST /api/v1/closures',
    method: 'POST',
    path: '/api/v1/closures',
    body: () => ({ name: '停电', countyCode: '622922', startsOn: '2027-11-03', endsOn: '2027-11-04', reason }),
    expect: write(403, 201),
  },
  {
    route: 'POST /api/v1/closures',
    method: 'POST',
    path: '/api/v1/closures',
    body: () => ({ name: '全州停课', startsOn: '2027-11-05', endsOn: '2027-11-06', reason }),
    expect: write(403, 201),
  },
  {
    route: 'POST /api/v1/closures/:id/remove',
    method: 'POST',
    path: (who) => pick(who, '/api/v1/closures/{closureA}/remove', '/api/v1/closures/{closureB}/remove'),
    body: () => ({ reason }),
    expect: write(200, 200),
  },
  {
    route: 'POST /api/v1/closures/:id/remove',
    method: 'POST',
    path: '/api/v1/closures/{closureB2}/remove',
    body: () => ({ reason }),
    expect: write(403, 200),
  },
  {
    route: 'POST /api/v1/closures/:id/remove',
    method: 'POST',
    path: '/api/v1/closures/{closureAll}/remove',
    body: () => ({ reason }),
    expect: write(403, 200),
  },
  {
    route: 'POST /api/v1/closures/:id/remove',
    method: 'POST',
    path: '/api/v1/closures/9999/remove',
    body: () => ({ reason }),
    expect: write(404, 404),
  },
  {
    route: 'POST /api/v1/inspections',
    method: 'POST',
    path: '/api/v1/inspections',
    body: () => ({ perCounty: 1, seed: 'matrix-2' }),
    expect: write(403, 201),
  },
  {
    route: 'POST /api/v1/inspections/:id/results',
    method: 'POST',
    path: '/api/v1/inspections/{inspection}/results',
    body: (who) => ({ schoolCode: pick(who, SCHOOL_X, '6229220001'), result: 'confirmed' }),
    expect: write(ok(SCHOOL_X), ok('6229220001')),
  },
  {
    route: 'POST /api/v1/inspections/:id/results',
    method: 'POST',
    path: '/api/v1/inspections/{inspection}/results',
    body: () => ({ schoolCode: '6229220001', result: 'discrepancy', note: 'no projector in room 1' }),
    expect: write(403, 200),
  },
  {
    route: 'PUT /api/v1/schools/:code/teacher-spaces',
    method: 'PUT',
    path: (who) => `/api/v1/schools/${pick(who, SCHOOL_X, '6229220001')}/teacher-spaces`,
    body: () => ({ teachers: 30, spacesOpened: 25, spacesVerified: 10, reason }),
    expect: write(200, 200),
  },
  {
    route: 'PUT /api/v1/schools/:code/teacher-spaces',
    method: 'PUT',
    path: '/api/v1/schools/6229220001/teacher-spaces',
    body: () => ({ teachers: 31, spacesOpened: 25, spacesVerified: 10, reason }),
    expect: write(403, 200),
  },
  // The platform registry is prefecture-wide: a county token may not change it, not even its own county's entry.
  {
    route: 'POST /api/v1/platforms',
    method: 'POST',
    path: '/api/v1/platforms',
    body: () => ({
      kind: 'management',
      level: 'county',
      ownerCode: '622921',
      name: '临夏县管理平台',
      url: 'http://127.0.0.1:9/m',
      reason,
    }),
    expect: write(403, 201),
  },
  {
    route: 'PATCH /api/v1/platforms/:id',
    method: 'PATCH',
    path: '/api/v1/platforms/{platformA}',
    body: () => ({ name: '临夏县资源平台二期', reason }),
    expect: write(403, 200),
  },
  {
    route: 'DELETE /api/v1/platforms/:id',
    method: 'DELETE',
    path: `/api/v1/platforms/{platformA}?reason=${encodeURIComponent(reason)}`,
    expect: write(403, 200),
  },
];
