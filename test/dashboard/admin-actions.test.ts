import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FAILURES } from '../../server/accounts/throttle.ts';
import { createApp } from '../../server/app.ts';
import { parseServerConfig } from '../../server/config.ts';
import { readAuditLog } from '../../server/audit/read.ts';
import { createDashboardUsers, DashboardClient, PASSWORD } from '../helpers/dashboard.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReleaseKey, trustReleaseKey } from '../helpers/release-keys.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

/* Issue 4's remaining admin actions, each audited, and the trust-proxy setting. */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const audit = (action: string) => readAuditLog(ctx.store, { action, page: 1, pageSize: 50 });

async function signedIn(username: string, password = PASSWORD) {
  const client = DashboardClient.forApp(ctx);
  await client.signIn(username, password);
  return client;
}

describe('tokens', () => {
  it('lets the bureau revoke an API token, which stops working at once', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const token = await ctx.apiToken('622921');
    expect((await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: token })).status).toBe(200);
    const bureau = await signedIn('bureau');
    await bureau.get('/admin/api-tokens');
    expect((await bureau.post('/admin/api-tokens/1/revoke', {})).location).toBe('/admin/api-tokens?done=revoked');
    expect((await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: token })).status).toBe(401);
    expect(await audit('api-token.revoke')).toEqual([expect.objectContaining({ actor: 'user:bureau', entityId: '1' })]);
    expect((await bureau.post('/admin/api-tokens/1/revoke', {})).status).toBe(409);
  });

  it('lets a county officer revoke their county’s enrollment tokens only', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const tokenA = await ctx.enrollmentToken('6229210001');
    await ctx.enrollmentToken('6229220001');
    const officer = await signedIn('county-b');
    await officer.get('/enrollment');
    expect((await officer.post('/enrollment/tokens/1/revoke', {})).status).toBe(403);
    const own = await signedIn('county-a');
    await own.get('/enrollment');
    expect((await own.post('/enrollment/tokens/1/revoke', {})).location).toBe('/enrollment?revoked=1');
    expect(await audit('enrollment-token.revoke')).toEqual([
      expect.objectContaining({ actor: 'user:county-a', entityId: '1' }),
    ]);
    const enroll = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: tokenA, hostname: 'pc', hardware: { uuid: 'u-1' } },
    });
    expect(enroll.status).toBe(401);
    expect((await own.post('/enrollment/tokens/99/revoke', {})).status).toBe(404);
  });
});

describe('release key fingerprints (issue 11)', () => {
  it('the enrollment page shows the fingerprint the agent prints when it pins the key, or says there is no key', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const officer = await signedIn('county-a');
    expect((await officer.get('/enrollment')).text).toContain('现在注册的电脑永远不会自动更新'); // Chinese by default
    const key = makeReleaseKey();
    await trustReleaseKey(ctx.store, key);
    const page = (await officer.get('/enrollment')).text;
    expect(page).toContain(`<code>${key.fingerprint}</code>`);
    const created = await officer.post('/enrollment', { schoolCode: '6229210001' });
    expect(created.text).toContain(`<code>${key.fingerprint}</code>`);
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: {
        token: /<code class="secret" id="new-token">([^<]+)</.exec(created.text)![1],
        hostname: 'pc',
        hardware: {},
      },
    });
    expect(enrolled.body.releaseKeys.map((k: { fingerprint: string }) => k.fingerprint)).toEqual([key.fingerprint]);
  });
});

describe('users', () => {
  it('disables an account (ending its sessions) and enables it again, audited; never the bureau’s own', async () => {
    ctx = await createTestContext();
    const { countyA, bureau: me } = await createDashboardUsers(ctx);
    const officer = await signedIn('county-a');
    const bureau = await signedIn('bureau');
    await bureau.get('/admin/users');
    expect((await bureau.post(`/admin/users/${countyA.id}/disable`, {})).location).toBe('/admin/users?done=disabled');
    expect((await officer.get('/counties/622921')).status).toBe(302);
    const refused = DashboardClient.forApp(ctx);
    await refused.get('/login');
    expect((await refused.post('/login', { username: 'county-a', password: PASSWORD })).status).toBe(401);
    expect(await audit('user.disable')).toEqual([
      expect.objectContaining({ actor: 'user:bureau', entityId: String(countyA.id), countyCode: '622921' }),
    ]);
    expect((await bureau.get('/admin/users')).text).toContain('已停用');

    expect((await bureau.post(`/admin/users/${countyA.id}/enable`, {})).location).toBe('/admin/users?done=enabled');
    expect((await signedIn('county-a')).cookies.has('santong_session')).toBe(true);
    expect(await audit('user.enable')).toHaveLength(1);

    const self = await bureau.post(`/admin/users/${me.id}/disable`, {});
    expect(self.status).toBe(400);
    expect(await audit('user.disable')).toHaveLength(1);
  });

  it('resets a password: the old one stops working, sessions end, and the log holds no password', async () => {
    ctx = await createTestContext();
    const { school } = await createDashboardUsers(ctx);
    const staff = await signedIn('school-a1');
    const bureau = await signedIn('bureau');
    await bureau.get('/admin/users');
    expect((await bureau.post(`/admin/users/${school.id}/password`, { password: 'short' })).status).toBe(400);
    expect(
      (await bureau.post(`/admin/users/${school.id}/password`, { password: 'a brand new password' })).location,
    ).toBe('/admin/users?done=password');
    expect((await staff.get('/schools/6229210001')).status).toBe(302);
    const old = DashboardClient.forApp(ctx);
    await old.get('/login');
    expect((await old.post('/login', { username: 'school-a1', password: PASSWORD })).status).toBe(401);
    expect((await signedIn('school-a1', 'a brand new password')).cookies.has('santong_session')).toBe(true);
    const entries = await audit('user.password-reset');
    expect(entries).toEqual([expect.objectContaining({ actor: 'user:bureau', entityId: String(school.id) })]);
    expect(JSON.stringify(entries)).not.toContain('a brand new password');
  });
});

describe('SANTONG_TRUST_PROXY', () => {
  it('is off unless set, and refuses a value it does not know', () => {
    expect(parseServerConfig({}, {}).trustProxy).toBe(false);
    expect(parseServerConfig({}, { SANTONG_TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(() => parseServerConfig({}, { SANTONG_TRUST_PROXY: 'yes' })).toThrow(/SANTONG_TRUST_PROXY takes 1 or 0/);
  });

  async function failFiveTimes(client: DashboardClient, forwardedFor: (i: number) => string) {
    for (let i = 0; i < MAX_FAILURES; i++) {
      const response = await client.request('/login', {
        method: 'POST',
        body: new URLSearchParams({ _csrf: client.csrf!, username: 'county-a', password: `guess ${i}` }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor(i) },
      });
      expect(response.status).toBe(401);
    }
  }

  it('keys login throttling on the address the proxy appended, and follows X-Forwarded-Proto for Secure', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const app = createApp({
      store: ctx.store,
      logger: pino({ level: 'silent' }),
      clock: ctx.clock,
      maxReportBodyBytes: 1024 * 1024,
      trustProxy: true,
    });
    const viaProxy = (headers: Record<string, string>) =>
      new DashboardClient((p, init) =>
        Promise.resolve(
          app.request(p, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
        ),
      );
    const guesser = viaProxy({});
    await guesser.get('/login');
    // A forged first entry does not matter: the last one (the proxy's) is 203.0.113.7 every time.
    await failFiveTimes(guesser, (i) => `10.9.9.${i}, 203.0.113.7`);
    const locked = await guesser.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ _csrf: guesser.csrf!, username: 'county-a', password: PASSWORD }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(locked.status).toBe(429);
    // The officer in another office (another address behind the same proxy) still signs in, over HTTPS.
    const office = viaProxy({ 'x-forwarded-for': '198.51.100.20', 'x-forwarded-proto': 'https' });
    const signedIn = await office.signIn('county-a');
    expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('santong_session='))).toMatch(/Secure/);
  });

  it('ignores forwarding headers when not behind a trusted proxy', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const guesser = DashboardClient.forApp(ctx);
    await guesser.get('/login');
    // Without the setting a client cannot dodge the lock by inventing addresses.
    await failFiveTimes(guesser, (i) => `10.0.0.${i}`);
    expect((await guesser.post('/login', { username: 'county-a', password: PASSWORD })).status).toBe(429);
    const spoofed = new DashboardClient((p, init) =>
      Promise.resolve(
        ctx.app.request(p, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-proto': 'https' },
        }),
      ),
    );
    const cookie = (await spoofed.signIn('bureau')).headers
      .getSetCookie()
      .find((c) => c.startsWith('santong_session='));
    expect(cookie).not.toMatch(/Secure/);
  });
});
