/*
 * The authorization matrix: for every route the app serves, what each kind of visitor gets. A cell is
 * 'login' (302 to /login), a bare status, or a status with text that must (has) and must not (lacks)
 * appear, which is how "only in-scope rows" is checked. County A is 临夏县 (622921) with schools
 * 6229210001 and 6229210002; county B is 康乐县 (622922) with 6229220001; the school user is 6229210001.
 */
export const visitors = ['anonymous', 'school', 'countyA', 'countyB', 'bureau'] as const;
export type Visitor = (typeof visitors)[number];

export type Cell = 'login' | number | { status: number; has?: string[]; lacks?: string[]; location?: string };

export interface MatrixCase {
  /** The route as the app lists it, e.g. "GET /counties/:code". */
  route: string;
  /** The concrete request; a function when each visitor needs its own target. */
  path: string | ((who: Visitor) => string);
  form?: Record<string, string>;
  /** For API writes: sent as JSON with this method and no bearer token, only the session cookie. */
  json?: { method: 'PUT' | 'PATCH' | 'DELETE' | 'POST'; body: unknown };
  expect: Record<Visitor, Cell>;
}

const A = ['测试第一小学', '测试教学点'];
const B = ['康乐测试中学'];
const all = (cell: Cell): Record<Visitor, Cell> => ({
  anonymous: cell,
  school: cell,
  countyA: cell,
  countyB: cell,
  bureau: cell,
});
const bureauOnly = (has: string[]): Record<Visitor, Cell> => ({
  anonymous: 'login',
  school: 403,
  countyA: 403,
  countyB: 403,
  bureau: { status: 200, has },
});
const countyAPage = (has: string[] = A): Record<Visitor, Cell> => ({
  anonymous: 'login',
  school: 403,
  countyA: { status: 200, has, lacks: B },
  countyB: 403,
  bureau: { status: 200, has },
});
const schoolA1 = (status = 200): Record<Visitor, Cell> => ({
  anonymous: 'login',
  school: status,
  countyA: status,
  countyB: 403,
  bureau: status,
});
const anyUser = (cell: Cell): Record<Visitor, Cell> => ({ ...all(cell), anonymous: 'login' });
/** Routes for agents (device key or enrollment token): a dashboard session alone gets nowhere. */
const agentOnly = all(401);

export const matrix: MatrixCase[] = [
  { route: 'GET /healthz', path: '/healthz', expect: all(200) },
  { route: 'GET /api/v1/openapi.json', path: '/api/v1/openapi.json', expect: all(200) },
  { route: 'GET /assets/app.css', path: '/assets/app.css', expect: all(200) },
  {
    route: 'GET /login',
    path: '/login',
    expect: { ...all({ status: 302, location: '/' }), anonymous: { status: 200, has: ['name="password"'] } },
  },
  { route: 'GET /lang/:lang', path: '/lang/zh-CN?back=/devices', expect: all({ status: 302, location: '/devices' }) },
  {
    route: 'GET /',
    path: '/',
    expect: {
      anonymous: 'login',
      school: { status: 302, location: '/schools/6229210001' },
      countyA: { status: 302, location: '/counties/622921' },
      countyB: { status: 302, location: '/counties/622922' },
      bureau: { status: 200, has: ['临夏县', '康乐县', '积石山保安族东乡族撒拉族自治县'] },
    },
  },
  ...['csv', 'xlsx'].map((f) => ({
    route: `GET /counties.${f}`,
    path: `/counties.${f}`,
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: f === 'csv' ? { status: 200, has: ['临夏县'], lacks: ['康乐县'] } : 200,
      countyB: 200,
      bureau: f === 'csv' ? { status: 200, has: ['临夏县', '康乐县'] } : 200,
    } as Record<Visitor, Cell>,
  })),
  // The drill-down (issue 13 item 6): the root's page is the overview, a county's its school list.
  {
    route: 'GET /divisions/:code',
    path: '/divisions/622900',
    expect: { ...bureauOnly([]), bureau: { status: 302, location: '/' } },
  },
  {
    route: 'GET /divisions/:code',
    path: '/divisions/622921',
    expect: {
      ...countyAPage(),
      countyA: { status: 302, location: '/counties/622921' },
      bureau: { status: 302, location: '/counties/622921' },
    },
  },
  ...['csv', 'xlsx'].map((f) => ({
    route: `GET /divisions/:code/children.${f}`,
    path: `/divisions/622900/children.${f}`,
    expect: bureauOnly(f === 'csv' ? ['临夏县', '康乐县'] : []),
  })),
  { route: 'GET /counties/:code', path: '/counties/622921', expect: countyAPage() },
  { route: 'GET /counties/:code/schools.csv', path: '/counties/622921/schools.csv', expect: countyAPage() },
  {
    route: 'GET /counties/:code/schools.xlsx',
    path: '/counties/622921/schools.xlsx',
    expect: { ...countyAPage(), countyA: 200, bureau: 200 },
  },
  {
    route: 'GET /schools/:code',
    path: '/schools/6229210001',
    expect: { ...schoolA1(), school: { status: 200, has: ['测试第一小学', 'a1-pc'] } },
  },
  { route: 'GET /schools/:code', path: '/schools/6229210002', expect: { ...schoolA1(), school: 403 } },
  {
    route: 'GET /schools/:code',
    path: '/schools/6229220001',
    expect: { anonymous: 'login', school: 403, countyA: 403, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /schools/:code',
    path: '/schools/0000000000',
    expect: { anonymous: 'login', school: 404, countyA: 404, countyB: 404, bureau: 404 },
  },
  { route: 'GET /schools/:code/classrooms.csv', path: '/schools/6229210001/classrooms.csv', expect: schoolA1() },
  { route: 'GET /schools/:code/classrooms.xlsx', path: '/schools/6229210001/classrooms.xlsx', expect: schoolA1() },
  {
    route: 'GET /schools/:code/devices.csv',
    path: '/schools/6229210001/devices.csv',
    expect: { ...schoolA1(), school: { status: 200, has: ['a1-pc'] } },
  },
  {
    route: 'GET /schools/:code/devices.xlsx',
    path: '/schools/6229210002/devices.xlsx',
    expect: { ...schoolA1(), school: 403 },
  },
  // The agent download: any signed-in account (nothing is published in the matrix's world, hence 404).
  { route: 'GET /agent/santong-agent.mjs', path: '/agent/santong-agent.mjs', expect: anyUser(404) },
  { route: 'GET /agent/santong-agent.mjs.sig', path: '/agent/santong-agent.mjs.sig', expect: anyUser(404) },
  // The installers and executables offered (none in the matrix's world); an enrollment token opens them too (decision 183).
  { route: 'GET /agent/:file', path: '/agent/santong-agent-linux-x64', expect: anyUser(404) },
  { route: 'GET /agent/SHA256SUMS', path: '/agent/SHA256SUMS', expect: anyUser(200) },
  {
    route: 'GET /devices',
    path: '/devices',
    expect: {
      anonymous: 'login',
      school: { status: 200, lacks: ['a2-silent', 'b1-silent', '/revoke'] },
      countyA: { status: 200, has: ['a2-silent', 'b-dup'], lacks: ['b1-silent'] },
      countyB: { status: 200, has: ['b1-silent', 'b-dup'], lacks: ['a2-silent'] },
      bureau: { status: 200, has: ['a2-silent', 'b1-silent', 'b-dup'] },
    },
  },
  {
    route: 'GET /devices/attention.csv',
    path: '/devices/attention.csv',
    expect: {
      anonymous: 'login',
      school: { status: 200, lacks: ['a2-silent', 'b1-silent'] },
      countyA: { status: 200, has: ['a2-silent'], lacks: ['b1-silent'] },
      countyB: { status: 200, has: ['b1-silent'], lacks: ['a2-silent'] },
      bureau: { status: 200, has: ['a2-silent', 'b1-silent'] },
    },
  },
  { route: 'GET /devices/attention.xlsx', path: '/devices/attention.xlsx', expect: anyUser(200) },
  {
    route: 'GET /devices/conflicts.csv',
    path: '/devices/conflicts.csv',
    expect: { ...anyUser({ status: 200, has: ['b-dup'] }) },
  },
  { route: 'GET /devices/conflicts.xlsx', path: '/devices/conflicts.xlsx', expect: anyUser(200) },
  { route: 'GET /devices/reenrollments.csv', path: '/devices/reenrollments.csv', expect: anyUser(200) },
  { route: 'GET /devices/reenrollments.xlsx', path: '/devices/reenrollments.xlsx', expect: anyUser(200) },
  {
    route: 'GET /enrollment',
    path: '/enrollment',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, has: ['6229210001', '6229210002'], lacks: ['6229220001'] },
      countyB: { status: 200, has: ['6229220001'], lacks: ['6229210001', '6229210002'] },
      bureau: { status: 200, has: ['6229210001', '6229210002', '6229220001'] },
    },
  },
  {
    route: 'GET /enrollment/tokens.csv',
    path: '/enrollment/tokens.csv',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, has: A, lacks: B },
      countyB: { status: 200, has: B, lacks: A },
      bureau: { status: 200, has: [...A, ...B] },
    },
  },
  {
    route: 'GET /enrollment/tokens.xlsx',
    path: '/enrollment/tokens.xlsx',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  { route: 'GET /admin/users', path: '/admin/users', expect: bureauOnly(['county-a', 'school-a1']) },
  { route: 'GET /admin/users.csv', path: '/admin/users.csv', expect: bureauOnly(['county-b']) },
  { route: 'GET /admin/users.xlsx', path: '/admin/users.xlsx', expect: bureauOnly([]) },
  { route: 'GET /admin/api-tokens', path: '/admin/api-tokens', expect: bureauOnly(['name="name"']) },
  { route: 'GET /admin/api-tokens.csv', path: '/admin/api-tokens.csv', expect: bureauOnly([]) },
  { route: 'GET /admin/api-tokens.xlsx', path: '/admin/api-tokens.xlsx', expect: bureauOnly([]) },
  // The bureau API with a session instead of a token: same scope as a county token, school accounts see their school.
  { route: 'GET /api/v1/plan', path: '/api/v1/plan', expect: { ...all(200), anonymous: 401 } },
  {
    route: 'GET /api/v1/coverage',
    path: '/api/v1/coverage',
    expect: {
      anonymous: 401,
      school: 403,
      countyA: { status: 200, has: ['622921'], lacks: ['622922'] },
      countyB: { status: 200, has: ['622922'], lacks: ['622921'] },
      bureau: { status: 200, has: ['622921', '622922'] },
    },
  },
  {
    route: 'GET /api/v1/divisions',
    path: '/api/v1/divisions',
    expect: {
      anonymous: 401,
      school: 403,
      countyA: { status: 200, has: ['"code":"622921"'], lacks: ['"code":"622922"'] },
      countyB: { status: 200, has: ['"code":"622922"'], lacks: ['"code":"622921"'] },
      bureau: { status: 200, has: ['"code":"622921"', '"code":"622922"'] },
    },
  },
  {
    route: 'GET /api/v1/divisions/:code',
    path: '/api/v1/divisions/622921',
    expect: { anonymous: 401, school: 403, countyA: { status: 200, has: ['临夏县'] }, countyB: 403, bureau: 200 },
  },
  {
    route: 'GET /api/v1/coverage/counties/:code',
    path: '/api/v1/coverage/counties/622921',
    expect: { anonymous: 401, school: 403, countyA: { status: 200, has: A }, countyB: 403, bureau: 200 },
  },
  {
    route: 'GET /api/v1/schools/:code',
    path: '/api/v1/schools/6229210001',
    expect: { anonymous: 401, school: 200, countyA: 200, countyB: 403, bureau: 200 },
  },
  {
    route: 'GET /api/v1/schools/:code',
    path: '/api/v1/schools/6229210002',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 403, bureau: 200 },
  },
  {
    route: 'GET /api/v1/schools/:code/classrooms',
    path: '/api/v1/schools/6229220001/classrooms',
    expect: { anonymous: 401, school: 403, countyA: 403, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /api/v1/schools/:code/devices',
    path: '/api/v1/schools/6229210001/devices?format=csv',
    expect: { anonymous: 401, school: { status: 200, has: ['a1-pc'] }, countyA: 200, countyB: 403, bureau: 200 },
  },
  // Declared figures and platforms (server core): reads are scoped like coverage; a session never writes.
  {
    route: 'GET /api/v1/teacher-spaces',
    path: '/api/v1/teacher-spaces',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /api/v1/platforms',
    path: '/api/v1/platforms',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /api/v1/platforms/coverage',
    path: '/api/v1/platforms/coverage',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'PUT /api/v1/schools/:code/teacher-spaces',
    path: '/api/v1/schools/6229210001/teacher-spaces',
    json: { method: 'PUT', body: { opened: 1 } },
    expect: all(401),
  },
  { route: 'POST /api/v1/platforms', path: '/api/v1/platforms', json: { method: 'POST', body: {} }, expect: all(401) },
  {
    route: 'PATCH /api/v1/platforms/:id',
    path: '/api/v1/platforms/1',
    json: { method: 'PATCH', body: {} },
    expect: all(401),
  },
  {
    route: 'DELETE /api/v1/platforms/:id',
    path: '/api/v1/platforms/1',
    json: { method: 'DELETE', body: {} },
    expect: all(401),
  },
  // Off unless the server is started with public disclosure on; the same for everyone either way.
  {
    route: 'GET /api/v1/declarations',
    path: '/api/v1/declarations',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'POST /api/v1/declarations',
    path: '/api/v1/declarations',
    json: { method: 'POST', body: {} },
    expect: all(401),
  },
  {
    route: 'POST /api/v1/declarations/:id/withdraw',
    path: '/api/v1/declarations/1/withdraw',
    json: { method: 'POST', body: {} },
    expect: all(401),
  },
  {
    route: 'GET /api/v1/closures',
    path: '/api/v1/closures',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  { route: 'POST /api/v1/closures', path: '/api/v1/closures', json: { method: 'POST', body: {} }, expect: all(401) },
  {
    route: 'POST /api/v1/closures/:id/remove',
    path: '/api/v1/closures/1/remove',
    json: { method: 'POST', body: {} },
    expect: all(401),
  },
  {
    route: 'GET /api/v1/history',
    path: '/api/v1/history?division=622921',
    expect: { anonymous: 401, school: 403, countyA: 200, countyB: 403, bureau: 200 },
  },
  // No inspection has been drawn in this data set: reading one is 404 for whoever may read inspections at all.
  {
    route: 'POST /api/v1/inspections',
    path: '/api/v1/inspections',
    json: { method: 'POST', body: {} },
    expect: all(401),
  },
  {
    route: 'GET /api/v1/inspections/:id',
    path: '/api/v1/inspections/1',
    expect: { anonymous: 401, school: 403, countyA: 404, countyB: 404, bureau: 404 },
  },
  {
    route: 'GET /api/v1/inspections/:id/checklist',
    path: '/api/v1/inspections/1/checklist',
    expect: { anonymous: 401, school: 403, countyA: 404, countyB: 404, bureau: 404 },
  },
  {
    route: 'POST /api/v1/inspections/:id/results',
    path: '/api/v1/inspections/1/results',
    json: { method: 'POST', body: {} },
    expect: all(401),
  },
  {
    route: 'GET /api/v1/audit',
    path: '/api/v1/audit',
    expect: { anonymous: 401, school: 403, countyA: 403, countyB: 403, bureau: 200 },
  },
  { route: 'GET /api/v1/public/coverage', path: '/api/v1/public/coverage', expect: all(404) },
  { route: 'GET /public', path: '/public', expect: all(404) },
  { route: 'POST /api/v1/enroll', path: '/api/v1/enroll', form: {}, expect: all(400) },
  { route: 'POST /api/v1/reports', path: '/api/v1/reports', form: {}, expect: agentOnly },
  { route: 'POST /api/v1/speedtest/slot', path: '/api/v1/speedtest/slot', form: {}, expect: agentOnly },
  { route: 'GET /api/v1/speedtest/download', path: '/api/v1/speedtest/download', expect: agentOnly },
  { route: 'POST /api/v1/speedtest/upload', path: '/api/v1/speedtest/upload', form: {}, expect: agentOnly },
  { route: 'GET /api/v1/agent/releases/latest', path: '/api/v1/agent/releases/latest', expect: agentOnly },
  {
    route: 'GET /api/v1/agent/releases/:version/bundle',
    path: '/api/v1/agent/releases/0.1.0/bundle',
    expect: agentOnly,
  },
  // Forms (each with a valid CSRF token; the CSRF test posts without one). Refusals change nothing, so order does not matter.
  {
    route: 'POST /login',
    path: '/login',
    form: { username: 'nobody', password: 'wrong password' },
    expect: all({ status: 401, has: ['name="password"'] }),
  },
  {
    route: 'POST /devices/:id/revoke',
    path: (who) => `/devices/${who === 'bureau' ? '{a2}' : who === 'school' ? '{a1}' : '{b1}'}/revoke`,
    form: {},
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: 403,
      countyB: { status: 303, location: '/devices?revoked=1' },
      bureau: { status: 303, location: '/devices?revoked=1' },
    },
  },
  {
    route: 'POST /enrollment',
    path: '/enrollment',
    form: { schoolCode: '6229220001', expiresInDays: '7' },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: 403,
      countyB: { status: 201, has: ['ste_', '康乐测试中学'] },
      bureau: { status: 201, has: ['ste_'] },
    },
  },
  {
    route: 'POST /admin/users',
    path: '/admin/users',
    form: { username: 'new-officer', password: 'another long password', role: 'county', countyCode: '622923' },
    expect: { ...bureauOnly(['new-officer']), bureau: { status: 201, has: ['new-officer'] } },
  },
  {
    route: 'POST /admin/api-tokens',
    path: '/admin/api-tokens',
    form: { name: 'statistics office', countyCode: '' },
    expect: { ...bureauOnly([]), bureau: { status: 201, has: ['sta_'] } },
  },
  // Issue 5 in the dashboard. Reads first (nothing declared, closed or drawn yet), then the forms in an order
  // where each row's writes set up the next: a 409 or 404 for a visitor let past the scope check is a pass.
  {
    route: 'GET /declarations',
    path: '/declarations',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, has: ['name="reason"', '6229210002'], lacks: ['6229220001'] },
      countyB: { status: 200, has: ['6229220001'], lacks: ['6229210002'] },
      bureau: { status: 200, has: ['6229210001', '6229220001'] },
    },
  },
  {
    route: 'GET /declarations.csv',
    path: '/declarations.csv?status=all',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /declarations.xlsx',
    path: '/declarations.xlsx',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /calendar',
    path: '/calendar',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, has: ['name="startsOn"', 'value="622921"'], lacks: ['value="622922"'] },
      countyB: { status: 200, has: ['value="622922"'], lacks: ['value="622921"'] },
      bureau: { status: 200, has: ['value="622921"', 'value="622922"'] },
    },
  },
  {
    route: 'GET /calendar.csv',
    path: '/calendar.csv',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /calendar.xlsx',
    path: '/calendar.xlsx',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /inspections',
    path: '/inspections',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, lacks: ['name="seed"'] },
      countyB: { status: 200, lacks: ['name="seed"'] },
      bureau: { status: 200, has: ['name="seed"'] },
    },
  },
  {
    route: 'GET /platforms',
    path: '/platforms',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, has: ['platform-level-table'] },
      countyB: 200,
      bureau: { status: 200, has: ['platform-level-table', 'platform-table'] },
    },
  },
  {
    route: 'GET /platforms.csv',
    path: '/platforms.csv',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'GET /platforms.xlsx',
    path: '/platforms.xlsx',
    expect: { anonymous: 'login', school: 403, countyA: 200, countyB: 200, bureau: 200 },
  },
  {
    route: 'POST /declarations',
    path: '/declarations',
    form: { schoolCode: '6229210002', indicator: 'connected', reason: 'fibre is in, no PC yet' },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 303, location: '/declarations?declared=1' },
      countyB: 403,
      bureau: { status: 409, has: ['此状态已有申报'] },
    },
  },
  {
    route: 'POST /declarations/:id/withdraw',
    path: '/declarations/1/withdraw',
    form: { reason: 'declared by mistake' },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 303, location: '/declarations?withdrawn=1&status=withdrawn' },
      countyB: 403,
      bureau: { status: 409, has: ['已经撤回'] },
    },
  },
  {
    route: 'POST /calendar',
    path: '/calendar',
    form: {
      name: '寒假',
      countyCode: '622921',
      startsOn: '2027-01-15',
      endsOn: '2027-02-25',
      reason: 'county school calendar',
    },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 303, location: '/calendar?added=1' },
      countyB: 403,
      bureau: { status: 303, location: '/calendar?added=2' },
    },
  },
  {
    route: 'POST /calendar/:id/remove',
    path: (who) => `/calendar/${who === 'countyA' ? 1 : 2}/remove`,
    form: { reason: 'entered twice' },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 303, location: '/calendar?removed=1' },
      countyB: 403,
      bureau: { status: 303, location: '/calendar?removed=2' },
    },
  },
  {
    route: 'POST /inspections',
    path: '/inspections',
    form: { perCounty: '1', seed: 'matrix' },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: 403,
      countyB: 403,
      bureau: { status: 303, location: '/inspections/1' },
    },
  },
  {
    route: 'GET /inspections/:id',
    path: '/inspections/1',
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 200, has: ['/api/v1/inspections/1/checklist'], lacks: B },
      countyB: { status: 200, has: B, lacks: A },
      bureau: { status: 200, has: B },
    },
  },
  {
    route: 'POST /inspections/:id/results',
    path: '/inspections/1/results',
    form: { schoolCode: '6229220001', result: 'confirmed' },
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: 403,
      countyB: { status: 303, location: '/inspections/1?recorded=6229220001' },
      bureau: { status: 303, location: '/inspections/1?recorded=6229220001' },
    },
  },
  // Issue 4's remaining forms; user 5 is new-officer (made above), API token 1 the statistics office's.
  {
    route: 'POST /admin/users/:id/disable',
    path: '/admin/users/5/disable',
    form: {},
    expect: { ...bureauOnly([]), bureau: { status: 303, location: '/admin/users?done=disabled' } },
  },
  {
    route: 'POST /admin/users/:id/enable',
    path: '/admin/users/5/enable',
    form: {},
    expect: { ...bureauOnly([]), bureau: { status: 303, location: '/admin/users?done=enabled' } },
  },
  {
    route: 'POST /admin/users/:id/password',
    path: '/admin/users/5/password',
    form: { password: 'a brand new password' },
    expect: { ...bureauOnly([]), bureau: { status: 303, location: '/admin/users?done=password' } },
  },
  {
    route: 'POST /admin/api-tokens/:id/revoke',
    path: '/admin/api-tokens/1/revoke',
    form: {},
    expect: { ...bureauOnly([]), bureau: { status: 303, location: '/admin/api-tokens?done=revoked' } },
  },
  {
    route: 'POST /enrollment/tokens/:id/revoke',
    path: (who) => `/enrollment/tokens/${who === 'countyA' ? 1 : who === 'bureau' ? 3 : 2}/revoke`,
    form: {},
    expect: {
      anonymous: 'login',
      school: 403,
      countyA: { status: 303, location: '/enrollment?revoked=1' },
      countyB: 403,
      bureau: { status: 303, location: '/enrollment?revoked=1' },
    },
  },
  // Last: it ends the session.
  {
    route: 'POST /logout',
    path: '/logout',
    form: {},
    expect: { ...all({ status: 303, location: '/login' }), anonymous: { status: 303, location: '/login' } },
  },
];
