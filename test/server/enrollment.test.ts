import { eq, max } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { readReenrollments } from '../../server/coverage/devices-read.ts';
import { hashSecret } from '../../server/access/secrets.ts';
import {
  createEnrollmentToken,
  DEFAULT_EXTRA_USES,
  DEFAULT_TOKEN_DAYS,
  revokeEnrollmentToken,
} from '../../server/enrollment/tokens.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport } from '../helpers/reports.ts';
import { byTest, testClock, useDialectContexts, type TestContext } from '../helpers/server.ts';

/*
 * Enrolment's contract, on SQLite and on PostgreSQL alike (issue 14, decision 198): the token names the school, a
 * reimaged PC gets its device back, lookalike hardware is flagged and never taken over, every step is audited.
 */
const createOn = useDialectContexts();
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const pc = { uuid: '5c1f4a8e-3b2d-4e6f-8a9b-0c1d2e3f4a5b', serial: 'SN-OPS-0042', macs: ['00:1A:2B:3C:4D:5E'] };
const enroll = (token: string, extra: Record<string, unknown> = {}) =>
  requestJson(ctx.app, 'POST', '/api/v1/enroll', { body: { token, hostname: 'ops-pc', hardware: pc, ...extra } });

/** The stored rows a case looks at, read through the store (so on either dialect). */
const stored = {
  devices: () => ctx.store.q.select().from(ctx.store.t.devices),
  device: async (id: string) =>
    (await ctx.store.q.select().from(ctx.store.t.devices).where(eq(ctx.store.t.devices.id, id)))[0]!,
  conflicts: () => ctx.store.q.select().from(ctx.store.t.hardwareConflicts),
  reenrollments: () => ctx.store.q.select().from(ctx.store.t.deviceReenrollments),
  audit: () => ctx.store.q.select().from(ctx.store.t.auditLog).orderBy(ctx.store.t.auditLog.id),
  newestTokenId: async () =>
    (await ctx.store.q.select({ id: max(ctx.store.t.enrollmentTokens.id) }).from(ctx.store.t.enrollmentTokens))[0]!.id!,
};

/** The message of a refused write, or of its cause (drizzle wraps the driver's error). */
const refusal = async (write: PromiseLike<unknown>) => {
  try {
    await write;
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ''}`;
  }
  return 'not refused';
};

// PostgreSQL first: the SQLite run gives the pool's sockets time to close before the file's server stops.
describe.each(['postgres', 'sqlite'] as const)('on %s', (dialect) => {
  const createContext = async (options: Parameters<typeof createOn>[1] = {}) =>
    (ctx = await createOn(dialect, options));

  describe('enrollment', () => {
    it('enrolls at the school named by the token, never by the payload, and stores only a hash of the key', async () => {
      await createContext();
      const response = await enroll(await ctx.enrollmentToken('6229210001'), {
        school: '6229220001',
        schoolCode: '6229220001',
      });
      expect(response.status).toBe(201);
      expect(response.body.school.code).toBe('6229210001');
      expect(response.body.deviceKey).toMatch(/^std_[A-Za-z0-9_-]{43}$/);
      const device = await stored.device(response.body.deviceId);
      expect(device.schoolCode).toBe('6229210001');
      expect(device.keyHash).toBe(hashSecret(response.body.deviceKey));
      expect(JSON.stringify(device)).not.toContain(response.body.deviceKey);
    });

    it('refuses expired, used-up, revoked and unknown tokens with 401 and a reason', async () => {
      await createContext({ clock: testClock('2026-03-02T08:00:00Z') });
      const expiring = await ctx.enrollmentToken('6229210001', { expiresInMs: 60_000 });
      ctx.clock.advance(60_000);
      expect((await enroll(expiring)).body).toMatchObject({ code: 'token_expired' });

      const once = await ctx.enrollmentToken('6229210001', { maxUses: 1 });
      expect((await enroll(once)).status).toBe(201);
      const second = await enroll(once, { hardware: { uuid: 'another-board' } });
      expect(second.status).toBe(401);
      expect(second.body.code).toBe('token_used_up');

      const revoked = await ctx.enrollmentToken('6229210001');
      expect(await revokeEnrollmentToken(ctx.store, await stored.newestTokenId(), ctx.clock(), byTest)).toBe(true);
      expect((await enroll(revoked)).body).toMatchObject({ code: 'token_revoked' });

      const unknown = await enroll('ste_not-a-real-token');
      expect(unknown.status).toBe(401);
      expect(unknown.body.code).toBe('token_invalid');
    });

    it('gives a reimaged PC its device back with a new key; the old key works until the new key reports', async () => {
      await createContext();
      const token = await ctx.enrollmentToken('6229210001');
      const first = await enroll(token, { classroom: '2' });
      const again = await enroll(token, { hostname: 'ops-pc-reimaged' });
      expect(again.status).toBe(201);
      expect(again.body.deviceId).toBe(first.body.deviceId);
      expect(again.body.reused).toBe(true);
      expect(again.body.classroom).toMatchObject({ code: '2' });
      expect(again.body.deviceKey).not.toBe(first.body.deviceKey);
      expect(await stored.devices()).toHaveLength(1);

      const send = (key: string) =>
        requestJson(ctx.app, 'POST', '/api/v1/reports', {
          body: { reports: [makeReport({ at: ctx.clock() })] },
          bearer: key,
        });
      expect((await send(first.body.deviceKey)).status).toBe(200); // the PC still running the old key is not cut off
      expect((await send(again.body.deviceKey)).status).toBe(200);
      expect((await send(first.body.deviceKey)).status).toBe(401); // the new key reported: the old one is retired
      expect((await send(again.body.deviceKey)).status).toBe(200);
      expect(await stored.reenrollments()).toMatchObject([
        { deviceId: first.body.deviceId, previousKeyHash: null, confirmedAt: expect.any(Number) },
      ]);
    });

    it('does not let a LAN neighbour take over a PC with its MAC: a new device, the old one untouched and a flag', async () => {
      await createContext();
      const victim = await enroll(await ctx.enrollmentToken('6229210001'), { classroom: '2' });
      const attacker = await enroll(await ctx.enrollmentToken('6229210001'), {
        hostname: 'intruder',
        hardware: { macs: pc.macs },
        classroom: '3',
      });
      expect(attacker.status).toBe(201);
      expect(attacker.body.reused).toBe(false);
      expect(attacker.body.deviceId).not.toBe(victim.body.deviceId);
      expect(await stored.device(victim.body.deviceId)).toMatchObject({
        hostname: 'ops-pc',
        keyHash: hashSecret(victim.body.deviceKey),
        reenrolledAt: null,
      });
      const report = { reports: [makeReport({ at: ctx.clock() })] };
      expect(
        (await requestJson(ctx.app, 'POST', '/api/v1/reports', { body: report, bearer: victim.body.deviceKey })).status,
      ).toBe(200);
      expect(await stored.conflicts()).toMatchObject([
        { deviceId: attacker.body.deviceId, otherDeviceId: victim.body.deviceId, matchedOn: 'mac' },
      ]);
      expect(await stored.reenrollments()).toHaveLength(0);
    });

    it('does not take a PC back when its ids contradict the record (same UUID, another serial)', async () => {
      await createContext();
      const victim = await enroll(await ctx.enrollmentToken('6229210001'));
      const other = await enroll(await ctx.enrollmentToken('6229210001'), {
        hardware: { uuid: pc.uuid, serial: 'SN-SOMETHING-ELSE' },
      });
      expect(other.body.reused).toBe(false);
      expect((await stored.device(victim.body.deviceId)).keyHash).toBe(hashSecret(victim.body.deviceKey));
      expect(await stored.conflicts()).toMatchObject([
        { deviceId: other.body.deviceId, otherDeviceId: victim.body.deviceId, matchedOn: 'uuid' },
      ]);
    });

    it('makes one device of a PC enrolling twice at the same moment, and lets a one-use token enrol one PC', async () => {
      await createContext();
      // The installer retried while its first request was in flight: on PostgreSQL the two transactions overlap.
      const token = await ctx.enrollmentToken('6229210001');
      const [first, second] = await Promise.all([enroll(token), enroll(token)]);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.deviceId).toBe(first.body.deviceId);
      expect([first.body.reused, second.body.reused].sort()).toEqual([false, true]);
      expect(await stored.devices()).toHaveLength(1);

      const once = await ctx.enrollmentToken('6229220001', { maxUses: 1 });
      const pcs = await Promise.all(
        ['board-1', 'board-2', 'board-3'].map((uuid) => enroll(once, { hardware: { uuid } })),
      );
      expect(pcs.map((r) => r.status).sort()).toEqual([201, 401, 401]);
      expect(await stored.devices()).toHaveLength(2);
    });

    it('keeps the key the PC really holds when it is re-enrolled twice before the new key reports', async () => {
      await createContext();
      const token = await ctx.enrollmentToken('6229210001');
      const original = await enroll(token);
      const second = await enroll(token);
      const third = await enroll(token);
      const send = (key: string) =>
        requestJson(ctx.app, 'POST', '/api/v1/reports', {
          body: { reports: [makeReport({ at: ctx.clock() })] },
          bearer: key,
        });
      expect((await send(second.body.deviceKey)).status).toBe(401); // superseded before it ever reported
      expect((await send(original.body.deviceKey)).status).toBe(200);
      expect((await send(third.body.deviceKey)).status).toBe(200);
      expect((await send(original.body.deviceKey)).status).toBe(401);
    });

    it('shows the county a re-enrolled PC with the token, the time and what it was before, and audits it', async () => {
      await createContext();
      const token = await ctx.enrollmentToken('6229210001');
      const tokenId = await stored.newestTokenId();
      const first = await enroll(token, { classroom: '2' });
      await enroll(token, { hostname: 'ops-pc-reimaged', classroom: '3' });
      const rows = await readReenrollments(ctx.store, { divisionCode: '622921', schoolCode: null }, ctx.clock());
      expect(rows).toMatchObject([
        {
          device: { id: first.body.deviceId, hostname: 'ops-pc-reimaged' },
          classroom: '3',
          previousHostname: 'ops-pc',
          previousClassroom: '2',
          matchedOn: 'uuid',
          enrollmentTokenId: tokenId,
          confirmedAt: null,
        },
      ]);
      expect(
        await readReenrollments(ctx.store, { divisionCode: '622922', schoolCode: null }, ctx.clock()),
      ).toHaveLength(0);
      const audit = (await stored.audit()).find((e) => e.action === 'device.reenroll')!;
      expect(audit).toMatchObject({
        actor: `enrollment-token:${tokenId}`,
        countyCode: '622921',
        entityId: first.body.deviceId,
        reason: expect.stringContaining('previous key works until the new key reports'),
      });
    });

    it('flags the same hardware enrolled at two schools instead of moving it', async () => {
      await createContext();
      const here = await enroll(await ctx.enrollmentToken('6229210001'));
      const there = await enroll(await ctx.enrollmentToken('6229220001'), { hardware: { serial: pc.serial } });
      expect(there.status).toBe(201);
      expect(there.body.deviceId).not.toBe(here.body.deviceId);
      expect((await stored.device(here.body.deviceId)).schoolCode).toBe('6229210001');
      expect(await stored.conflicts()).toMatchObject([
        { deviceId: there.body.deviceId, otherDeviceId: here.body.deviceId, matchedOn: 'serial' },
      ]);
      const school = await requestJson(ctx.app, 'GET', '/api/v1/schools/6229220001', { bearer: await ctx.apiToken() });
      expect(school.body.devices[0].hardwareConflict).toBe(true);
    });

    it('does not treat firmware placeholder ids as the same hardware', async () => {
      await createContext();
      const placeholder = { uuid: '03000200-0400-0500-0006-000700080009', serial: 'To be filled by O.E.M.' };
      await enroll(await ctx.enrollmentToken('6229210001'), { hardware: placeholder });
      const other = await enroll(await ctx.enrollmentToken('6229210001'), {
        hardware: placeholder,
        hostname: 'another-pc',
      });
      expect(other.body.reused).toBe(false);
      expect(await stored.devices()).toHaveLength(2);
      expect(await stored.conflicts()).toHaveLength(0);
    });

    it('names the bad field and the known classrooms, and changes nothing', async () => {
      await createContext();
      const token = await ctx.enrollmentToken('6229210001', { maxUses: 1 });
      const unknownClassroom = await enroll(token, { classroom: '99' });
      expect(unknownClassroom.status).toBe(400);
      expect(unknownClassroom.body.issues).toEqual([
        { path: 'classroom', message: expect.stringContaining('known codes: 1, 2, 3') },
      ]);
      const badMac = await enroll(token, { hardware: { macs: ['not-a-mac'] } });
      expect(badMac.status).toBe(400);
      expect(badMac.body.issues[0].path).toBe('hardware.macs.0');
      expect(await stored.devices()).toHaveLength(0);
      expect((await enroll(token)).status).toBe(201); // the failed attempts did not use up the token
    });
  });

  describe('enrollment token defaults', () => {
    it("gives a token three weeks and the school's classrooms plus a few uses unless told otherwise", async () => {
      await createContext();
      const now = ctx.clock();
      const byDefault = await createEnrollmentToken(ctx.store, { schoolCode: '6229210001' }, now, byTest);
      const { classrooms } = ctx.store.t;
      const rooms = (await ctx.store.q.select().from(classrooms).where(eq(classrooms.schoolCode, '6229210001'))).length;
      expect(byDefault).toMatchObject({
        expiresAt: now + DEFAULT_TOKEN_DAYS * 86_400_000,
        maxUses: rooms + DEFAULT_EXTRA_USES,
      });
      expect(DEFAULT_TOKEN_DAYS).toBeLessThanOrEqual(31);
      const explicit = await createEnrollmentToken(
        ctx.store,
        { schoolCode: '6229210001', expiresAt: now + 90 * 86_400_000, maxUses: 500 },
        now,
        byTest,
      );
      expect(explicit).toMatchObject({ expiresAt: now + 90 * 86_400_000, maxUses: 500 });
    });
  });

  describe('audit of enrollment and credentials', () => {
    it('records who enrolled, issued and revoked what, and refuses to change the record', async () => {
      await createContext();
      const token = await ctx.enrollmentToken('6229210001');
      const enrolled = await enroll(token);
      const { revokeDevice } = await import('../../server/enrollment/enroll.ts');
      await revokeDevice(ctx.store, enrolled.body.deviceId, Date.now(), { actor: 'cli:officer', reason: 'PC stolen' });
      const entries = (await stored.audit()).filter((e) => e.entityType !== 'school' && e.entityType !== 'plan');
      expect(entries.map((e) => [e.action, e.actor])).toEqual([
        ['enrollment-token.create', 'cli:test'],
        ['device.enroll', expect.stringMatching(/^enrollment-token:\d+$/)],
        ['device.revoke', 'cli:officer'],
      ]);
      expect(entries[2]).toMatchObject({ reason: 'PC stolen', countyCode: '622921', entityId: enrolled.body.deviceId });
      expect(JSON.stringify(entries)).not.toContain(token);
      expect(JSON.stringify(entries)).not.toContain(enrolled.body.deviceKey);
      const { auditLog } = ctx.store.t;
      expect(await refusal(ctx.store.q.update(auditLog).set({ reason: 'nothing happened' }))).toMatch(/append-only/);
      expect(await refusal(ctx.store.q.delete(auditLog))).toMatch(/append-only/);
    });
  });
});
