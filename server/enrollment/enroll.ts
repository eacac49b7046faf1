import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { EnrollRequest, EnrollResponse } from '../../shared/schemas/enroll.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';
import type { Store } from '../db/store.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { DomainError } from '../errors.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { trustedReleaseKeys } from '../releases/release-keys.ts';
import { hardwareFingerprint, type HardwareFingerprint } from './hardware.ts';
import { usableEnrollmentToken } from './tokens.ts';

/**
 * Enrolls a school PC with a per-school token. The school comes from the token, never the payload.
 * The same PC (SMBIOS UUID or serial) at the same school gets its device back with a new key, the old key
 * working until the new one reports (a reimaged PC is not a new device); weaker evidence such as a MAC, or
 * the same hardware at another school, gets a new device and a flagged conflict, never a takeover or a move.
 */
export async function enrollDevice(store: Store, request: EnrollRequest, now: number): Promise<EnrollResponse> {
  return await store.transaction(async (tx) => {
    const { classrooms, deviceMacs, devices, deviceStatus, enrollmentTokens, hardwareConflicts, schools } = tx.t;
    const token = await usableEnrollmentToken(tx, request.token, now);
    const [school] = await tx.q
      .select({ code: schools.code, name: schools.name, countyCode: schools.countyCode })
      .from(schools)
      .where(eq(schools.code, token.schoolCode))
      .limit(1);
    if (!school)
      throw new Error(`enrollment token ${token.id} names school ${token.schoolCode}, which is not registered`);
    const classroom = request.classroom === undefined ? null : await findClassroom(tx, school.code, request.classroom);

    const fingerprint = hardwareFingerprint(request.hardware);
    const sameHardware = await matchHardware(tx, fingerprint);
    const here = sameHardware.find((d) => d.schoolCode === school.code && samePc(d, fingerprint));
    const classroomId = classroom?.id ?? here?.classroomId ?? null;
    const deviceKey = generateSecret('device');
    let deviceId: string;
    if (here) {
      deviceId = here.id;
      await keepPreviousKey(tx, here, token.id, now);
      await tx.q
        .update(devices)
        .set({
          keyHash: hashSecret(deviceKey),
          hostname: request.hostname,
          hardwareUuid: fingerprint.uuid,
          hardwareSerial: fingerprint.serial,
          classroomId,
          enrollmentTokenId: token.id,
          reenrolledAt: now,
        })
        .where(eq(devices.id, deviceId));
      await tx.q.delete(deviceMacs).where(eq(deviceMacs.deviceId, deviceId));
    } else {
      deviceId = randomUUID();
      await tx.q.insert(devices).values({
        id: deviceId,
        schoolCode: school.code,
        classroomId,
        hostname: request.hostname,
        keyHash: hashSecret(deviceKey),
        hardwareUuid: fingerprint.uuid,
        hardwareSerial: fingerprint.serial,
        enrollmentTokenId: token.id,
        enrolledAt: now,
      });
      await tx.q.insert(deviceStatus).values({ deviceId, schoolCode: school.code, state: 'never' });
      // Weaker evidence (a MAC, or ids that contradict each other) or another school: a new device and a
      // flag for the county, never a takeover of the device that is already there.
      for (const other of sameHardware) {
        await tx.q
          .insert(hardwareConflicts)
          .values({ deviceId, otherDeviceId: other.id, matchedOn: other.matchedOn, detectedAt: now })
          .onConflictDoNothing();
      }
    }
    for (const mac of fingerprint.macs) await tx.q.insert(deviceMacs).values({ deviceId, mac }).onConflictDoNothing();
    await tx.q
      .update(enrollmentTokens)
      .set({ uses: sql`${enrollmentTokens.uses} + 1` })
      .where(eq(enrollmentTokens.id, token.id));

    const [assigned = null] =
      classroomId === null
        ? []
        : await tx.q
            .select({ code: classrooms.code, name: classrooms.name })
            .from(classrooms)
            .where(eq(classrooms.id, classroomId))
            .limit(1);
    await recordAudit(
      tx,
      {
        actor: `enrollment-token:${token.id}`,
        reason: here
          ? `the same PC (${here.matchedOn}) enrolled again at its school (reimaged PC): new key; the previous key works until the new key reports (flagged)`
          : sameHardware.length > 0
            ? `new device; hardware matching it by ${[...new Set(sameHardware.map((d) => d.matchedOn))].join(', ')} is already enrolled (flagged)`
            : 'new device enrolled',
        action: here ? 'device.reenroll' : 'device.enroll',
        entityType: 'device',
        entityId: deviceId,
        countyCode: school.countyCode,
        oldValue: here ? { hostname: here.hostname, classroomId: here.classroomId } : undefined,
        newValue: {
          schoolCode: school.code,
          classroom: assigned?.code ?? null,
          hostname: request.hostname,
          hardware: fingerprint,
          enrollmentTokenId: token.id,
        },
      },
      now,
    );
    await evaluateSchools(tx, [school.code], now);
    return {
      deviceId,
      deviceKey,
      reused: Boolean(here),
      school: { code: school.code, name: school.name },
      classroom: assigned,
      ...(await releaseKeysToPin(tx)),
    };
  });
}

/** The release keys an enrolling agent pins, with the fingerprints its IT teacher compares; none until the bureau adds one. */
async function releaseKeysToPin(store: Store): Promise<Pick<EnrollResponse, 'releaseKeys' | 'releaseSigningKey'>> {
  const keys = await trustedReleaseKeys(store);
  return {
    releaseKeys: keys.map((publicKey) => ({ publicKey, fingerprint: releaseKeyFingerprint(publicKey) })),
    releaseSigningKey: keys.at(-1) ?? null,
  };
}

async function findClassroom(store: Store, schoolCode: string, code: string) {
  const { classrooms } = store.t;
  const [classroom] = await store.q
    .select()
    .from(classrooms)
    .where(and(eq(classrooms.schoolCode, schoolCode), eq(classrooms.code, code)))
    .limit(1);
  if (classroom) return classroom;
  const known = (
    await store.q.select({ code: classrooms.code }).from(classrooms).where(eq(classrooms.schoolCode, schoolCode))
  ).map((c) => c.code);
  const hint =
    known.length > 0
      ? `; known codes: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}`
      : '; this school has no classrooms registered';
  throw new DomainError('invalid', 'classroom_unknown', `no classroom ${code} at school ${schoolCode}${hint}`, [
    { path: 'classroom', message: `no classroom ${code} at this school${hint}` },
  ]);
}

type MatchedDevice = Awaited<ReturnType<typeof matchHardware>>[number];

/**
 * What proves "the same PC": its SMBIOS UUID or serial matches and neither contradicts the record. A MAC
 * never does: anyone on the school's LAN can read a neighbour's MAC (decision 065).
 */
function samePc(device: MatchedDevice, fingerprint: HardwareFingerprint): boolean {
  const contradicts = (stored: string | null, presented: string | null) =>
    stored !== null && presented !== null && stored !== presented;
  return (
    (device.matchedOn === 'uuid' || device.matchedOn === 'serial') &&
    !contradicts(device.uuid, fingerprint.uuid) &&
    !contradicts(device.serial, fingerprint.serial)
  );
}

/**
 * Records the re-enrollment as a flag and keeps the key the PC held working until the new key's first
 * report (ingest confirms it). Re-enrolled twice before that: the key still in use is the oldest one.
 */
async function keepPreviousKey(tx: Store, device: MatchedDevice, tokenId: number, now: number): Promise<void> {
  const { deviceReenrollments } = tx.t;
  const pending = await tx.q
    .select({ id: deviceReenrollments.id, previousKeyHash: deviceReenrollments.previousKeyHash })
    .from(deviceReenrollments)
    .where(and(eq(deviceReenrollments.deviceId, device.id), isNull(deviceReenrollments.confirmedAt)));
  const previousKeyHash = pending.find((p) => p.previousKeyHash !== null)?.previousKeyHash ?? device.keyHash;
  if (pending.length > 0)
    await tx.q
      .update(deviceReenrollments)
      .set({ previousKeyHash: null })
      .where(
        inArray(
          deviceReenrollments.id,
          pending.map((p) => p.id),
        ),
      );
  await tx.q.insert(deviceReenrollments).values({
    deviceId: device.id,
    enrollmentTokenId: tokenId,
    matchedOn: device.matchedOn,
    previousHostname: device.hostname,
    previousClassroomId: device.classroomId,
    previousKeyHash,
    reenrolledAt: now,
  });
}

/** Active (unrevoked) devices whose UUID, serial or a MAC match this hardware, with what matched. */
async function matchHardware(store: Store, fingerprint: HardwareFingerprint) {
  const { deviceMacs, devices } = store.t;
  const conditions: SQL[] = [];
  if (fingerprint.uuid) conditions.push(eq(devices.hardwareUuid, fingerprint.uuid));
  if (fingerprint.serial) conditions.push(eq(devices.hardwareSerial, fingerprint.serial));
  if (fingerprint.macs.length > 0) {
    conditions.push(
      inArray(
        devices.id,
        store.q.select({ id: deviceMacs.deviceId }).from(deviceMacs).where(inArray(deviceMacs.mac, fingerprint.macs)),
      ),
    );
  }
  if (conditions.length === 0) return [];
  const matched = await store.q
    .select({
      id: devices.id,
      schoolCode: devices.schoolCode,
      classroomId: devices.classroomId,
      hostname: devices.hostname,
      keyHash: devices.keyHash,
      uuid: devices.hardwareUuid,
      serial: devices.hardwareSerial,
    })
    .from(devices)
    .where(and(isNull(devices.revokedAt), or(...conditions)));
  return matched.map((d) => ({
    ...d,
    matchedOn:
      d.uuid !== null && d.uuid === fingerprint.uuid
        ? 'uuid'
        : d.serial !== null && d.serial === fingerprint.serial
          ? 'serial'
          : 'mac',
  }));
}

/** Revokes a device key: its reports are refused from now on and its evidence stops counting. */
export async function revokeDevice(
  store: Store,
  deviceId: string,
  now: number,
  audit: AuditSource,
): Promise<{ schoolCode: string }> {
  return await store.transaction(async (tx) => {
    const { devices, schools } = tx.t;
    const [device] = await tx.q
      .select({ schoolCode: devices.schoolCode, hostname: devices.hostname, countyCode: schools.countyCode })
      .from(devices)
      .innerJoin(schools, eq(schools.code, devices.schoolCode))
      .where(and(eq(devices.id, deviceId), isNull(devices.revokedAt)))
      .limit(1);
    if (!device)
      throw new DomainError('not-found', 'device_unknown', `no active device ${deviceId}`, undefined, {
        params: { id: deviceId },
      });
    await tx.q.update(devices).set({ revokedAt: now }).where(eq(devices.id, deviceId));
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'device.revoke',
        entityType: 'device',
        entityId: deviceId,
        countyCode: device.countyCode,
        oldValue: { revokedAt: null },
        newValue: { revokedAt: now, schoolCode: device.schoolCode, hostname: device.hostname },
      },
      now,
    );
    await evaluateSchools(tx, [device.schoolCode], now);
    return device;
  });
}
