import type { User } from '../../server/access/principals.ts';
import { createUser } from '../../server/accounts/users.ts';
import type { Role } from '../../shared/schemas/dashboard.ts';
import { makeReport, projector } from './reports.ts';
import type { TestContext } from './server.ts';

/*
 * A small browser for dashboard tests: keeps cookies, reads the CSRF token from the last page it got,
 * and never follows redirects (tests assert them). Drives app.request() or a real server alike.
 */
export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

export const PASSWORD = 'correct horse battery staple';

/** The usual cast of the authorization matrix over testRoster. */
export async function createDashboardUsers(ctx: TestContext) {
  const make = (username: string, role: Role, scope: { divisionCode?: string; schoolCode?: string } = {}) =>
    createUser(ctx.store, { username, password: PASSWORD, role, ...scope }, ctx.clock(), {
      actor: 'test',
      reason: 'test account',
    });
  return {
    bureau: await make('bureau', 'bureau'),
    countyA: await make('county-a', 'county', { divisionCode: '622921' }),
    countyB: await make('county-b', 'county', { divisionCode: '622922' }),
    school: await make('school-a1', 'school', { schoolCode: '6229210001' }),
  };
}

export class DashboardClient {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(private readonly fetcher: Fetcher) {}

  /** A client over an app without a socket. */
  static forApp(ctx: TestContext) {
    return new DashboardClient((path, init) => Promise.resolve(ctx.app.request(path, init)));
  }

  /** A client over a real listening server. */
  static forUrl(url: string) {
    return new DashboardClient((path, init) => fetch(url + path, { ...init, redirect: 'manual' }));
  }

  private remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestInit = {}) {
    const response = await this.fetcher(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    this.remember(response);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return {
      status: response.status,
      headers: response.headers,
      location: response.headers.get('location'),
      text,
      bytes,
    };
  }

  get(path: string) {
    return this.request(path);
  }

  /** Posts a form; the CSRF token of the last page is added unless the fields carry their own. */
  post(path: string, fields: Record<string, string>, options: { csrf?: boolean } = {}) {
    const body = new URLSearchParams({
      ...(options.csrf === false || !this.csrf ? {} : { _csrf: this.csrf }),
      ...fields,
    });
    return this.request(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Signs in through the login form, as a person would. */
  async signIn(user: User | string, password = PASSWORD) {
    await this.get('/login');
    const response = await this.post('/login', { username: typeof user === 'string' ? user : user.username, password });
    if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
    return response;
  }
}

const DAY = 86_400_000;

/** Enrolls a PC through the real enroll route. */
export async function enrollDevice(
  ctx: TestContext,
  schoolCode: string,
  hostname: string,
  uuid: string,
  classroom?: string,
) {
  const response = await ctx.app.request('/api/v1/enroll', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: await ctx.enrollmentToken(schoolCode),
      hostname,
      hardware: { uuid },
      ...(classroom ? { classroom } : {}),
    }),
  });
  if (response.status !== 201) throw new Error(`enroll ${hostname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { deviceId: string; deviceKey: string };
}

/** Delivers reports through the real report route. */
export async function sendReports(ctx: TestContext, deviceKey: string, reports: ReturnType<typeof makeReport>[]) {
  const response = await ctx.app.request('/api/v1/reports', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceKey}` },
    body: JSON.stringify({ reports }),
  });
  if (response.status !== 200) throw new Error(`reports: ${response.status} ${await response.text()}`);
}

/**
 * Devices in both test counties, through the real enroll and report routes: a live classroom PC with
 * a projector at 6229210001 (a1-pc); silent PCs at 6229210002 (a2-silent, which never reached the
 * internet, so its school is not connected) and 6229220001 (b1-silent); and a1-pc's hardware enrolled
 * again at 6229220001 (b-dup), which flags a hardware conflict.
 */
export async function seedDevices(ctx: TestContext) {
  const now = ctx.clock();
  const a1 = await enrollDevice(ctx, '6229210001', 'a1-pc', 'uuid-a1', '1');
  await sendReports(ctx, a1.deviceKey, [
    makeReport({ at: now - 2 * DAY, downMbps: 80 }),
    makeReport({ at: now - 60_000, downMbps: 120, upMbps: 30, displays: [projector] }),
  ]);
  const a2 = await enrollDevice(ctx, '6229210002', 'a2-silent', 'uuid-a2');
  await sendReports(ctx, a2.deviceKey, [makeReport({ at: now - 20 * DAY, reachable: false })]);
  const b1 = await enrollDevice(ctx, '6229220001', 'b1-silent', 'uuid-b1');
  await sendReports(ctx, b1.deviceKey, [makeReport({ at: now - 21 * DAY })]);
  const dup = await enrollDevice(ctx, '6229220001', 'b-dup', 'uuid-a1');
  return { a1: a1.deviceId, a2: a2.deviceId, b1: b1.deviceId, dup: dup.deviceId };
}
