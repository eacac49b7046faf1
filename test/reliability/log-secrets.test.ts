import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../server/accounts/users.ts';
import { createApiToken } from '../../server/auth/api-tokens.ts';
import { openDatabase } from '../../server/db/client.ts';
import { runAgent } from '../agent/agent-process.ts';
import { DashboardClient } from '../helpers/dashboard.ts';
import { makeReport } from '../helpers/reports.ts';
import { byTest } from '../helpers/server.ts';
import { killHard, prepareDataDir, spawnServer, type ServerProcess } from './server-process.ts';

/*
 * Issue 7, item 5: nothing secret reaches the logs. A real `santong serve` at LOG_LEVEL=debug goes
 * through a whole working day (enrollment, reports, an agent, API tokens, dashboard sign-ins, a wrong
 * password, tokens created and revoked in the dashboard); every secret the scenario made or typed is
 * then looked for in everything the server wrote, whole and in 16-character pieces (a truncated token
 * is still a leak). The log must also show the requests, so a silent server cannot pass.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const X = '6229210001';
const secretWord = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;

/** Every 16-character piece of a secret's random part (its kind prefix is public). */
function pieces(secret: string): string[] {
  const body = secret.replace(/^st[ead]_/, '');
  const out: string[] = [];
  for (let i = 0; i + 16 <= body.length; i++) out.push(body.slice(i, i + 16));
  return out;
}

async function json(
  url: string,
  method: string,
  route: string,
  options: { bearer?: string; cookie?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url + route, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.text()) as string };
}

describe('no secrets in logs', () => {
  it('a full scenario at debug level logs its requests and none of the tokens, keys, passwords or session ids', async () => {
    const prepared = await prepareDataDir('santong-logs-');
    cleanups.push(() => prepared.remove());
    const passwords = {
      bureau: secretWord('pw-bureau'),
      wrong: secretWord('pw-wrong'),
      newUser: secretWord('pw-new'),
      reset: secretWord('pw-reset'),
    };
    const db = openDatabase(prepared.dataDir);
    await createUser(db, { username: 'bureau', password: passwords.bureau, role: 'bureau' }, Date.now(), byTest);
    const countyToken = createApiToken(db, { name: 'county office', divisionCode: '622921' }, Date.now(), byTest);
    db.$client.close();

    const server: ServerProcess = spawnServer(prepared.dataDir, { LOG_LEVEL: 'debug' });
    cleanups.push(() => killHard(server));
    // Our own copy of everything it writes (the helper keeps only a tail).
    let log = '';
    server.child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    server.child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const url = await server.listening;
    const secrets: Record<string, string> = {
      bureauToken: prepared.apiToken,
      countyToken: countyToken.token,
      ...passwords,
    };
    for (const [school, token] of prepared.tokens) secrets[`enrollment ${school}`] = token;

    // A PC enrolls and reports; a wrong enrollment token is refused.
    const enrolled = await json(url, 'POST', '/api/v1/enroll', {
      body: { token: prepared.tokens.get(X), hostname: 'pc-1', hardware: { uuid: 'u-1' } },
    });
    expect(enrolled.status).toBe(201);
    const device = JSON.parse(enrolled.body) as { deviceId: string; deviceKey: string };
    secrets.deviceKey = device.deviceKey;
    secrets.wrongEnrollment = `ste_${randomBytes(32).toString('base64url')}`;
    expect(
      (
        await json(url, 'POST', '/api/v1/enroll', {
          body: { token: secrets.wrongEnrollment, hostname: 'pc-2', hardware: { uuid: 'u-2' } },
        })
      ).status,
    ).toBe(401);
    for (let i = 0; i < 2; i++) {
      expect(
        (
          await json(url, 'POST', '/api/v1/reports', {
            bearer: device.deviceKey,
            body: { reports: [makeReport({ at: Date.now() - 1000 })] },
          })
        ).status,
      ).toBe(200);
    }

    // The real agent: enroll with a token, one cycle; its own output is checked too.
    const configPath = path.join(prepared.dataDir, 'agent.json');
    const agentEnroll = await runAgent([
      'enroll',
      '--server',
      url,
      '--token',
      prepared.tokens.get('6229210002')!,
      '--target',
      `${url}/healthz`,
      '--config',
      configPath,
    ]);
    expect(agentEnroll.code, agentEnroll.stderr).toBe(0);
    secrets.agentDeviceKey = (JSON.parse(await readFile(configPath, 'utf8')) as { deviceKey: string }).deviceKey;
    const agentOnce = await runAgent(['once', '--config', configPath]);
    expect(agentOnce.code, agentOnce.stderr).toBe(0);

    // API reads with tokens, a made-up token, and a token put in a query string where it does not belong.
    expect((await json(url, 'GET', '/api/v1/coverage', { bearer: prepared.apiToken })).status).toBe(200);
    expect((await json(url, 'GET', '/api/v1/coverage/counties/622921', { bearer: countyToken.token })).status).toBe(
      200,
    );
    secrets.madeUpToken = `sta_${randomBytes(32).toString('base64url')}`;
    expect((await json(url, 'GET', '/api/v1/plan', { bearer: secrets.madeUpToken })).status).toBe(401);
    expect((await json(url, 'GET', `/api/v1/plan?access_token=${prepared.apiToken}`)).status).toBe(401);

    // The dashboard: a wrong password, a password typed into the name field, then a real sign-in.
    const stranger = DashboardClient.forUrl(url);
    await stranger.get('/login');
    for (const value of stranger.cookies.values()) secrets[`pre-login cookie ${value.slice(0, 4)}`] = value;
    expect((await stranger.post('/login', { username: 'bureau', password: passwords.wrong })).status).toBe(401);
    expect((await stranger.post('/login', { username: passwords.bureau, password: passwords.bureau })).status).toBe(
      401,
    );
    const browser = DashboardClient.forUrl(url);
    await browser.signIn('bureau', passwords.bureau);
    const session = browser.cookies.get('santong_session')!;
    secrets.session = session;
    expect((await json(url, 'GET', '/api/v1/coverage', { cookie: `santong_session=${session}` })).status).toBe(200);
    await browser.get('/admin/api-tokens');
    secrets.csrf = browser.csrf!;
    const madeToken = await browser.post('/admin/api-tokens', { name: 'statistics office', countyCode: '' });
    secrets.dashboardApiToken = /id="new-token">([^<]+)</.exec(madeToken.text)![1]!;
    await browser.get('/enrollment');
    const madeEnrollment = await browser.post('/enrollment', { schoolCode: X, expiresInDays: '7' });
    secrets.dashboardEnrollmentToken = /id="new-token">([^<]+)</.exec(madeEnrollment.text)![1]!;
    await browser.get('/admin/users');
    expect(
      (
        await browser.post('/admin/users', {
          username: 'new-officer',
          password: passwords.newUser,
          role: 'county',
          countyCode: '622921',
        })
      ).status,
    ).toBe(201);
    const users = await browser.get('/admin/users');
    const newUserId = /action="\/admin\/users\/(\d+)\/password"/.exec(users.text)![1]!;
    expect((await browser.post(`/admin/users/${newUserId}/password`, { password: passwords.reset })).status).toBe(303);

    // Revocations: the device key and the county token stop working, and say so.
    await browser.get('/devices');
    expect((await browser.post(`/devices/${device.deviceId}/revoke`, {})).status).toBe(303);
    expect(
      (
        await json(url, 'POST', '/api/v1/reports', {
          bearer: device.deviceKey,
          body: { reports: [makeReport({ at: Date.now() })] },
        })
      ).status,
    ).toBe(401);
    await browser.get('/admin/api-tokens');
    expect((await browser.post(`/admin/api-tokens/${countyToken.id}/revoke`, {})).status).toBe(303);
    expect((await json(url, 'GET', '/api/v1/coverage', { bearer: countyToken.token })).status).toBe(401);
    expect((await browser.post('/logout', {})).status).toBe(303);

    // Stop it so everything it buffered is written, then read the whole log.
    server.child.kill('SIGTERM');
    await server.exited;

    const entries = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) => JSON.parse(line) as { level: number; msg: string; method?: string; path?: string; status?: number },
      );
    const requests = new Set(
      entries.filter((e) => e.msg === 'request').map((e) => `${e.method} ${e.path} ${e.status}`),
    );
    for (const seen of [
      'POST /api/v1/enroll 201',
      'POST /api/v1/enroll 401',
      'POST /api/v1/reports 200',
      'POST /api/v1/reports 401',
      'GET /api/v1/coverage 200',
      'GET /api/v1/coverage 401',
      'GET /api/v1/plan 401',
      'POST /login 303',
      'POST /login 401',
      'POST /admin/api-tokens 201',
      'POST /enrollment 201',
      `POST /devices/${device.deviceId}/revoke 303`,
    ]) {
      expect(requests, `the log lacks ${seen}`).toContain(seen);
    }
    // The agent's internet check hits /healthz, which is logged at debug level only: debug was on.
    expect(entries.some((e) => e.msg === 'request' && e.path === '/healthz' && e.level === 20)).toBe(true);
    expect(entries.map((e) => e.msg)).toEqual(expect.arrayContaining(['device enrolled', 'signed in']));
    // A refused sign-in names a real account, and only a real one.
    const refusals = entries
      .filter((e) => e.msg === 'sign-in refused')
      .map((e) => (e as { username?: string }).username);
    expect(refusals).toEqual(['bureau', '[no such account]']);

    const lowerLog = log.toLowerCase();
    const agentOutput = [agentEnroll, agentOnce].map((r) => r.stdout + r.stderr).join('\n');
    const leaks = Object.entries(secrets).flatMap(([label, secret]) => [
      // Case-insensitive: the log may lower-case what it records (user names are).
      ...(lowerLog.includes(secret.toLowerCase()) || pieces(secret).some((p) => lowerLog.includes(p.toLowerCase()))
        ? [`server log: ${label}`]
        : []),
      ...(agentOutput.includes(secret) ? [`agent output: ${label}`] : []),
    ]);
    console.log(
      `log-secrets: ${Object.keys(secrets).length} secrets looked for in ${entries.length} log lines (${[...requests].length} distinct requests) and the agent's output`,
    );
    expect(leaks).toEqual([]);
  }, 120_000);
});
