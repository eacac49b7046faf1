import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/accounts/passwords.ts';
import { signIn } from '../../server/accounts/login.ts';
import {
  ACCOUNT_MAX_FAILURES,
  lockedUntil,
  MAX_FAILURES,
  MAX_LOCK_MS,
  recordFailure,
} from '../../server/accounts/throttle.ts';
import { IDLE_MS } from '../../server/accounts/sessions.ts';
import { sessions } from '../../server/db/schema.ts';
import { santong, santongServe } from '../helpers/cli.ts';
import { createDashboardUsers, DashboardClient, PASSWORD } from '../helpers/dashboard.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await ctx?.cleanup();
  cleanups.splice(0).forEach((f) => f());
});

describe('passwords', () => {
  it('stores scrypt with a per-user salt and accepts only the right password', async () => {
    const [one, two] = [await hashPassword('same password!'), await hashPassword('same password!')];
    expect(one).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(one).not.toBe(two);
    expect(await verifyPassword('same password!', one)).toBe(true);
    expect(await verifyPassword('same password?', one)).toBe(false);
    expect(await verifyPassword('same password!', 'plain')).toBe(false);
  });
});

describe('sessions', () => {
  it('sets an HttpOnly SameSite=Lax cookie, stores only its SHA-256, and ends on sign-out', async () => {
    ctx = await createTestContext();
    const { countyA } = await createDashboardUsers(ctx);
    const browser = DashboardClient.forApp(ctx);
    const signedIn = await browser.signIn(countyA);
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('santong_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const id = browser.cookies.get('santong_session')!;
    expect(
      ctx.db
        .select()
        .from(sessions)
        .all()
        .map((s) => s.idHash),
    ).toEqual([createHash('sha256').update(id).digest('hex')]);

    expect((await browser.get('/counties/622921')).status).toBe(200);
    expect((await browser.post('/logout', {})).location).toBe('/login');
    expect(ctx.db.select().from(sessions).all()).toEqual([]);
    // The old cookie is worth nothing now, even replayed by hand.
    const replay = await ctx.app.request('/counties/622921', { headers: { cookie: `santong_session=${id}` } });
    expect(replay.status).toBe(302);
  });

  it('marks the cookie Secure over HTTPS', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const browser = new DashboardClient((p, init) =>
      Promise.resolve(ctx.app.request(`https://santong.example${p}`, init)),
    );
    const signedIn = await browser.signIn('bureau');
    expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('santong_session='))).toMatch(/Secure/);
  });

  it('ends a session left idle too long', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z') });
    await createDashboardUsers(ctx);
    const browser = DashboardClient.forApp(ctx);
    await browser.signIn('bureau');
    ctx.clock.advance(IDLE_MS - 60_000);
    expect((await browser.get('/')).status).toBe(200);
    ctx.clock.advance(IDLE_MS + 1);
    expect((await browser.get('/')).location).toBe('/login?next=%2F');
  });
});

describe('CSRF', () => {
  it('refuses a form post without the token, or with another session’s token, and changes nothing', async () => {
    ctx = await createTestContext();
    const { countyA, countyB } = await createDashboardUsers(ctx);
    const officer = DashboardClient.forApp(ctx);
    await officer.signIn(countyA);
    await officer.get('/enrollment');
    const without = await officer.post('/enrollment', { schoolCode: '6229210001' }, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.text).not.toContain('ste_');

    const other = DashboardClient.forApp(ctx);
    await other.signIn(countyB);
    await other.get('/enrollment');
    const stolen = await officer.post('/enrollment', { schoolCode: '6229210001', _csrf: other.csrf! });
    expect(stolen.status).toBe(403);
    expect((await officer.get('/enrollment/tokens.csv')).text.trim().split('\r\n')).toHaveLength(1);

    const withToken = await officer.post('/enrollment', { schoolCode: '6229210001' });
    expect(withToken.status).toBe(201);
    expect(withToken.text).toMatch(/ste_[\w-]{43}/);
  });

  it('protects the login form too', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const browser = DashboardClient.forApp(ctx);
    await browser.get('/login');
    const response = await browser.post('/login', { username: 'bureau', password: PASSWORD }, { csrf: false });
    expect(response.status).toBe(403);
    expect(browser.cookies.has('santong_session')).toBe(false);
  });
});

describe('login throttling', () => {
  it(`makes a username wait at one address after ${MAX_FAILURES} failures, even for the right password, until the wait ends`, async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z') });
    await createDashboardUsers(ctx);
    const guesser = DashboardClient.forApp(ctx);
    await guesser.get('/login');
    for (let i = 0; i < MAX_FAILURES; i++)
      expect((await guesser.post('/login', { username: 'county-a', password: `guess ${i}` })).status).toBe(401);
    const locked = await guesser.post('/login', { username: 'county-a', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(guesser.cookies.has('santong_session')).toBe(false);
    // Another account is not locked by this one's failures.
    expect((await DashboardClient.forApp(ctx).signIn('county-b')).status).toBe(303);
    ctx.clock.advance(MAX_LOCK_MS + 1);
    expect((await guesser.post('/login', { username: 'county-a', password: PASSWORD })).status).toBe(303);
  });

  it('lets nobody behind the same address keep a teacher out for more than a minute at a time', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z') });
    await createDashboardUsers(ctx);
    // A pupil in the school's computer room (same NAT address as the teacher) guesses all lesson long,
    // failing again the moment each wait ends (recorded as the sign-in route records a wrong password).
    const address = 'unknown'; // app.request() has no socket: every client shares this address, as behind a NAT
    for (let i = 0; i < 40; i++) {
      const until = await lockedUntil(ctx.store, 'county-a', address, ctx.clock());
      if (until !== null) ctx.clock.advance(until - ctx.clock());
      await recordFailure(ctx.store, 'county-a', address, ctx.clock());
    }
    expect(await lockedUntil(ctx.store, 'county-a', address, ctx.clock())).toBeLessThanOrEqual(
      ctx.clock() + MAX_LOCK_MS,
    );
    const teacher = DashboardClient.forApp(ctx);
    await teacher.get('/login');
    expect((await teacher.post('/login', { username: 'county-a', password: PASSWORD })).status).toBe(429);
    ctx.clock.advance(MAX_LOCK_MS + 1); // one wait at worst, never the 15 minutes of a hard lock
    expect((await teacher.post('/login', { username: 'county-a', password: PASSWORD })).status).toBe(303);
  });

  it(`slows a guesser spread over many addresses after ${ACCOUNT_MAX_FAILURES} failures on one name`, async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z') });
    await createDashboardUsers(ctx);
    for (let i = 0; i < ACCOUNT_MAX_FAILURES; i++)
      await recordFailure(ctx.store, 'county-a', `198.51.100.${i}`, ctx.clock());
    const guess = (address: string, password: string) =>
      signIn(ctx.store, { username: 'county-a', password, address }, ctx.clock());
    await expect(guess('198.51.100.200', PASSWORD)).rejects.toMatchObject({ code: 'login_locked' });
    ctx.clock.advance(MAX_LOCK_MS + 1);
    await expect(guess('198.51.100.200', PASSWORD)).resolves.toMatchObject({ user: { username: 'county-a' } });
  });

  it('says the same thing for an unknown username as for a wrong password', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const browser = DashboardClient.forApp(ctx);
    await browser.get('/login');
    const unknown = await browser.post('/login', { username: 'nobody-here', password: PASSWORD });
    const wrong = await browser.post('/login', { username: 'bureau', password: 'not the password' });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    const message = (text: string) => /role="alert">([^<]+)</.exec(text)?.[1];
    expect(message(unknown.text)).toBe(message(wrong.text));
  });
});

describe('santong user create', () => {
  it('reads the password from stdin, and the account signs in to a served dashboard', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-user-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const created = await santong(
      ['user', 'create', '--username', 'Officer.Ma', '--role', 'county', '--county', '622921', '--data-dir', dataDir],
      { stdin: `${PASSWORD}\n` },
    );
    expect(created).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('officer.ma created: county, county 622921'),
    });
    const refused = await santong(
      ['user', 'create', '--username', 'short', '--role', 'county', '--data-dir', dataDir],
      { stdin: 'short\n' },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('at least 10 characters');
    expect(refused.stderr).toContain('a county account needs its county');

    const server = await santongServe(['--data-dir', dataDir]);
    cleanups.push(() => server.child.kill('SIGTERM'));
    const browser = DashboardClient.forUrl(server.url);
    const signedIn = await browser.signIn('officer.ma');
    expect(signedIn.location).toBe('/');
    expect((await browser.get('/')).location).toBe('/counties/622921');
    expect(server.output()).not.toContain(PASSWORD);
  });
});

describe('santong user create and api-token create --division (issue 13 item 5)', () => {
  it('confine a bureau account and a token to a division under the root, and refuse one outside it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-division-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const where = ['--data-dir', dataDir, '--root', '620000'];
    const officer = await santong(
      ['user', 'create', '--username', 'linxia', '--role', 'bureau', '--division', '622900', ...where],
      { stdin: `${PASSWORD}\n` },
    );
    expect(officer).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('linxia created: bureau, division 622900'),
    });
    const provincial = await santong(
      ['user', 'create', '--username', 'gansu', '--role', 'bureau', '--division', '620000', ...where],
      { stdin: `${PASSWORD}\n` },
    );
    expect(provincial.stdout).toContain('gansu created: bureau, the whole deployment');
    const outside = await santong(
      ['user', 'create', '--username', 'qinghai', '--role', 'bureau', '--division', '630100', ...where],
      { stdin: `${PASSWORD}\n` },
    );
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain("no division 630100 under this deployment's root 620000 (甘肃省)");
    const notCounty = await santong(
      ['user', 'create', '--username', 'wrongrole', '--role', 'county', '--division', '622900', ...where],
      { stdin: `${PASSWORD}\n` },
    );
    expect(notCounty.stderr).toContain('622900 is a prefecture: give it to a bureau account');

    const token = await santong(['api-token', 'create', '--name', 'lanzhou', '--division', '620100', ...where]);
    expect(token).toMatchObject({ code: 0, stdout: expect.stringContaining('"lanzhou" (division 620100 only)') });
    const alias = await santong(['api-token', 'create', '--name', 'county', '--county', '622921', ...where]);
    expect(alias.stdout).toContain('(division 622921 only)');
    const refused = await santong(['api-token', 'create', '--name', 'x', '--division', '110000', ...where]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('API token: no division 110000');
  }, 300_000); // seven CLI processes: on two shared cores under load each takes seconds to start
});
