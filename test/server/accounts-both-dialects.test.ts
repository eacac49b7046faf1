import { eq } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSecret, hashSecret } from '../../server/access/secrets.ts';
import { firstRunSteps } from '../../server/accounts/first-run.ts';
import { signIn } from '../../server/accounts/login.ts';
import { authenticateSession, endSession, SESSION_COOKIE } from '../../server/accounts/sessions.ts';
import { lockedUntil, MAX_FAILURES } from '../../server/accounts/throttle.ts';
import { createUser, disableUser } from '../../server/accounts/users.ts';
import { createApp } from '../../server/app.ts';
import { readAuditLog } from '../../server/audit/read.ts';
import { authenticateApiToken, createApiToken, revokeApiToken } from '../../server/auth/api-tokens.ts';
import { openPostgresStore, type Store } from '../../server/db/store.ts';
import { createEnrollmentToken, DEFAULT_EXTRA_USES, revokeEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { legacyReleaseKeyPresent } from '../../server/releases/legacy-key.ts';
import { addReleaseKey, revokeReleaseKey, trustedReleaseKeys } from '../../server/releases/release-keys.ts';
import { agentReleaseBundle, latestAgentRelease, publishAgentRelease } from '../../server/releases/releases.ts';
import { usePostgres } from '../helpers/postgres.ts';
import { openSqliteTestStore } from '../helpers/stores.ts';
import { makeReleaseKey } from '../helpers/release-keys.ts';
import { byTest } from '../helpers/server.ts';

/*
 * Issue 14: accounts, sessions, login throttling, device and API-token authentication, enrollment tokens,
 * release keys and the audit log read and write through the store, so the same code must hold on a SQLite file
 * and on a real PostgreSQL server (started by the test, decision 121). Each case runs on both.
 */
const postgres = usePostgres();
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const open: Record<Store['dialect'], () => Promise<Store>> = {
  sqlite: () => openSqliteTestStore(closers, 'santong-accounts-'),
  async postgres() {
    const pool = new pg.Pool(await postgres().createDatabase());
    // pool.end() resolves before its connections have closed; the test server must not stop under them.
    let connections = 0;
    let lastClosed: () => void = () => {};
    const allClosed = new Promise<void>((resolve) => (lastClosed = resolve));
    pool.on('connect', () => connections++);
    pool.on('remove', () => --connections === 0 && lastClosed());
    const store = await openPostgresStore(pool);
    closers.push(async () => {
      await store.close();
      if (connections > 0) await allClosed;
    });
    return store;
  },
};

const NOW = Date.parse('2027-03-01T02:00:00Z');
const SCHOOL = '6229210001';

/** A county, one school with two classrooms and one enrolled PC, written straight through the store. */
async function smallWorld(store: Store): Promise<{ deviceKey: string }> {
  const { classrooms, devices, divisions, schools } = store.t;
  await store.q.insert(divisions).values([
    { code: '622900', name: '临夏回族自治州', level: 'prefecture', parentCode: null },
    { code: '622921', name: '临夏县', level: 'county', parentCode: '622900' },
  ]);
  await store.q.insert(schools).values({
    code: SCHOOL,
    name: '测试第一小学',
    countyCode: '622921',
    typeCode: '211',
    urbanRuralCode: '121',
    createdAt: NOW,
    updatedAt: NOW,
  });
  await store.q.insert(classrooms).values([
    { schoolCode: SCHOOL, code: '1', name: '一年级一班' },
    { schoolCode: SCHOOL, code: '2', name: '一年级二班' },
  ]);
  const deviceKey = generateSecret('device');
  await store.q
    .insert(devices)
    .values({ id: 'pc-1', schoolCode: SCHOOL, hostname: 'ops-1', keyHash: hashSecret(deviceKey), enrolledAt: NOW });
  return { deviceKey };
}

const appOver = (store: Store) =>
  createApp({ store, logger: pino({ level: 'silent' }), clock: () => NOW, maxReportBodyBytes: 1024 * 1024 });

describe.each(['sqlite', 'postgres'] as const)('accounts, tokens and release keys on %s', (dialect) => {
  it('signs in, keeps the session, throttles failed sign-ins and ends sessions when the account is disabled', async () => {
    const store = await open[dialect]();
    await smallWorld(store);
    expect(await firstRunSteps(store)).toMatchObject({ account: expect.stringContaining('user create'), roster: null });
    const password = 'a long enough password 1';
    const wang = await createUser(store, { username: 'wang', password, role: 'bureau' }, NOW, byTest);
    expect(await firstRunSteps(store)).toBeNull();

    const { session } = await signIn(store, { username: 'Wang', password, address: '10.0.0.1' }, NOW);
    expect(await authenticateSession(store, session.id, NOW + 60_000)).toMatchObject({ id: wang.id, role: 'bureau' });

    const guess = () => signIn(store, { username: 'wang', password: 'wrong guess 123', address: '10.0.0.2' }, NOW);
    for (let i = 0; i < MAX_FAILURES; i++) await expect(guess()).rejects.toMatchObject({ code: 'login_failed' });
    expect(await lockedUntil(store, 'wang', '10.0.0.2', NOW)).toBeGreaterThan(NOW);
    expect(await lockedUntil(store, 'wang', '10.0.0.1', NOW)).toBeNull();
    await expect(signIn(store, { username: 'wang', password, address: '10.0.0.2' }, NOW)).rejects.toMatchObject({
      code: 'login_locked',
    });

    const other = await createUser(store, { username: 'lihua', password, role: 'bureau' }, NOW, byTest);
    const { session: second } = await signIn(store, { username: 'lihua', password, address: '10.0.0.3' }, NOW);
    await disableUser(store, other.id, NOW, byTest);
    expect(await authenticateSession(store, second.id, NOW)).toBeNull();
    await endSession(store, session.id);
    expect(await authenticateSession(store, session.id, NOW)).toBeNull();
    const audited = await readAuditLog(store, { entityType: 'user', page: 1, pageSize: 10 });
    expect(audited.map((e) => e.action)).toEqual(['user.disable', 'user.create', 'user.create']);
  });

  it('authenticates PCs and API tokens over HTTP, and issues and revokes tokens', async () => {
    const store = await open[dialect]();
    const { deviceKey } = await smallWorld(store);
    const app = appOver(store);
    const agentGet = (key: string) =>
      app.request('/api/v1/agent/releases/latest', { headers: { authorization: `Bearer ${key}` } });
    // Past device authentication, nothing is published yet.
    expect(await (await agentGet(deviceKey)).json()).toMatchObject({ code: 'no_release' });
    expect(await (await agentGet(generateSecret('device'))).json()).toMatchObject({ code: 'device_key_invalid' });
    await store.q.update(store.t.devices).set({ revokedAt: NOW }).where(eq(store.t.devices.id, 'pc-1'));
    expect(await (await agentGet(deviceKey)).json()).toMatchObject({ code: 'device_key_revoked' });

    const created = await createApiToken(store, { name: 'bureau', divisionCode: null }, NOW, byTest);
    expect(await authenticateApiToken(store, created.token)).toMatchObject({ kind: 'api-token', id: created.id });
    const audit = await app.request('/api/v1/audit?entityType=api-token', {
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(audit.status).toBe(200);
    expect(((await audit.json()) as { entries: { action: string }[] }).entries.map((e) => e.action)).toEqual([
      'api-token.create',
    ]);
    expect(await revokeApiToken(store, created.id, NOW, byTest)).toBe(true);
    expect(await revokeApiToken(store, created.id, NOW, byTest)).toBe(false);
    const refused = await app.request('/api/v1/audit', { headers: { authorization: `Bearer ${created.token}` } });
    expect(refused.status).toBe(401);

    // A signed-in person reads the same API with the session cookie.
    const password = 'a long enough password 1';
    await createUser(store, { username: 'wang', password, role: 'bureau' }, NOW, byTest);
    const { session } = await signIn(store, { username: 'wang', password, address: '10.0.0.1' }, NOW);
    const bySession = await app.request('/api/v1/audit', { headers: { cookie: `${SESSION_COOKIE}=${session.id}` } });
    expect(bySession.status).toBe(200);

    const enrollment = await createEnrollmentToken(store, { schoolCode: SCHOOL }, NOW, byTest);
    expect(enrollment).toMatchObject({ school: { code: SCHOOL }, maxUses: 2 + DEFAULT_EXTRA_USES });
    expect(await revokeEnrollmentToken(store, enrollment.id, NOW, byTest)).toBe(true);
    expect(await revokeEnrollmentToken(store, enrollment.id, NOW, byTest)).toBe(false);
    const [entry] = await readAuditLog(store, { action: 'enrollment-token.create', page: 1, pageSize: 1 });
    expect(entry).toMatchObject({ countyCode: '622921', newValue: { schoolCode: SCHOOL } });
  });

  it('trusts a release key, publishes a release signed with it, and revokes the key', async () => {
    const store = await open[dialect]();
    const key = makeReleaseKey();
    expect(await legacyReleaseKeyPresent(store)).toBe(false);
    await addReleaseKey(store, key.publicKey, null, NOW, byTest);
    expect(await trustedReleaseKeys(store)).toEqual([key.publicKey]);
    const bundle = Buffer.from('#!/usr/bin/env node\n// santong-agent 0.9.0\n');
    await publishAgentRelease(store, bundle, key.sign(bundle), NOW, byTest);
    expect(await latestAgentRelease(store)).toMatchObject({ version: '0.9.0', size: bundle.length, keyStatements: [] });
    expect(Buffer.compare(await agentReleaseBundle(store, '0.9.0'), bundle)).toBe(0);
    const revoked = await revokeReleaseKey(store, key.revocation(), NOW + 1, byTest);
    expect(revoked).toEqual({ fingerprint: key.fingerprint, stillTrusted: [] });
    expect(await trustedReleaseKeys(store)).toEqual([]);
    expect((await latestAgentRelease(store))?.keyStatements).toEqual([key.revocation()]);
  });
});
