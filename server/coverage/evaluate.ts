import { and, asc, eq, gte, isNotNull, lte, sql } from 'drizzle-orm';
import { inTransaction, type Db } from '../db/client.ts';
import { classroomStatus, classrooms, countyRollups, devices, deviceStatus, reports, schools, schoolStatus } from '../db/schema.ts';
import { currentPlan } from '../plan/current.ts';
import {
  bandwidthStandard,
  deviceState,
  deviceStateChanges,
  evidenceExpiry,
  evidenceWindowStart,
  median,
  meetsStandard,
  nextChange,
  type DeviceState,
} from './rules.ts';

/**
 * Re-derives the status of the given schools (their devices, classrooms and the school itself) from
 * registry and evidence as of `now`, then the rollups of the counties they are in. Run it inside the
 * transaction that changed the evidence, so figures and evidence commit together.
 */
export function evaluateSchools(db: Db, schoolCodes: Iterable<string>, now: number): void {
  const rules = currentPlan(db).coverage;
  const windowStart = evidenceWindowStart(rules, now);
  const counties = new Set<string>();

  for (const code of new Set(schoolCodes)) {
    const previous = db.select({ countyCode: schoolStatus.countyCode }).from(schoolStatus).where(eq(schoolStatus.schoolCode, code)).get();
    if (previous) counties.add(previous.countyCode);
    const school = db.select().from(schools).where(eq(schools.code, code)).get();
    if (!school) {
      db.delete(schoolStatus).where(eq(schoolStatus.schoolCode, code)).run();
      continue;
    }
    counties.add(school.countyCode);

    const changes: (number | null)[] = [];
    const stateCounts: Record<DeviceState, number> = { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 };
    const presentationByClassroom = new Map<number, number>();
    let lastReachableAt: number | null = null;
    let bandwidthMbps: number | null = null;

    const schoolDevices = db
      .select({
        id: devices.id,
        classroomId: devices.classroomId,
        revokedAt: devices.revokedAt,
        status: deviceStatus,
      })
      .from(devices)
      .leftJoin(deviceStatus, eq(deviceStatus.deviceId, devices.id))
      .where(eq(devices.schoolCode, code))
      .all();

    for (const device of schoolDevices) {
      const status = device.status;
      const revoked = device.revokedAt !== null;
      const state = deviceState(status?.lastCollectedAt ?? null, revoked, rules, now);
      stateCounts[state]++;
      const throughput = revoked ? { down: null, up: null, samples: 0 } : measuredThroughput(db, device.id, windowStart, now, changes, rules);
      db.insert(deviceStatus)
        .values({
          deviceId: device.id,
          schoolCode: code,
          state,
          medianDownMbps: throughput.down,
          medianUpMbps: throughput.up,
          throughputSamples: throughput.samples,
        })
        .onConflictDoUpdate({
          target: deviceStatus.deviceId,
          set: { schoolCode: code, state, medianDownMbps: throughput.down, medianUpMbps: throughput.up, throughputSamples: throughput.samples },
        })
        .run();
      // A revoked key's evidence no longer counts: revocation means the device is not trusted.
      if (revoked || !status) continue;
      changes.push(...deviceStateChanges(status.lastCollectedAt, rules));
      const reachable = status.lastReachableAt;
      if (reachable !== null && reachable >= windowStart) {
        lastReachableAt = Math.max(lastReachableAt ?? reachable, reachable);
        changes.push(evidenceExpiry(reachable, rules));
      }
      const presentation = status.lastPresentationAt;
      if (device.classroomId !== null && presentation !== null && presentation >= windowStart) {
        presentationByClassroom.set(device.classroomId, Math.max(presentationByClassroom.get(device.classroomId) ?? 0, presentation));
        changes.push(evidenceExpiry(presentation, rules));
      }
      if (throughput.down !== null) bandwidthMbps = Math.max(bandwidthMbps ?? 0, throughput.down);
    }

    const schoolClassrooms = db.select({ id: classrooms.id }).from(classrooms).where(eq(classrooms.schoolCode, code)).all();
    let equipped = 0;
    for (const classroom of schoolClassrooms) {
      const evidenceAt = presentationByClassroom.get(classroom.id) ?? null;
      if (evidenceAt !== null) equipped++;
      const row = { schoolCode: code, equipped: evidenceAt !== null, lastEvidenceAt: evidenceAt };
      db.insert(classroomStatus)
        .values({ classroomId: classroom.id, ...row })
        .onConflictDoUpdate({ target: classroomStatus.classroomId, set: row })
        .run();
    }

    const standardMbps = bandwidthStandard(school, rules.bandwidth.standards);
    const row = {
      countyCode: school.countyCode,
      connected: lastReachableAt !== null,
      lastReachableAt,
      bandwidthMbps,
      standardMbps,
      meetsStandard: meetsStandard(bandwidthMbps, standardMbps, rules),
      classroomsRegistered: schoolClassrooms.length,
      classroomsEquipped: equipped,
      devicesEnrolled: schoolDevices.length - stateCounts.revoked,
      devicesLive: stateCounts.live,
      devicesAtRisk: stateCounts['at-risk'],
      devicesSilent: stateCounts.silent,
      devicesNever: stateCounts.never,
      evaluatedAt: now,
      nextChangeAt: nextChange(changes, now),
    };
    db.insert(schoolStatus)
      .values({ schoolCode: code, ...row })
      .onConflictDoUpdate({ target: schoolStatus.schoolCode, set: row })
      .run();
  }
  refreshCountyRollups(db, counties, now);
}

/** Median measured down/up speed of one device within the window; records when a sample ages out. */
function measuredThroughput(
  db: Db,
  deviceId: string,
  windowStart: number,
  now: number,
  changes: (number | null)[],
  rules: Parameters<typeof evidenceExpiry>[1],
): { down: number | null; up: number | null; samples: number } {
  const samples = db
    .select({ down: reports.downMbps, up: reports.upMbps, collectedAt: reports.collectedAt })
    .from(reports)
    .where(and(eq(reports.deviceId, deviceId), isNotNull(reports.downMbps), gte(reports.collectedAt, windowStart), lte(reports.collectedAt, now)))
    .orderBy(asc(reports.collectedAt))
    .all();
  const oldest = samples[0];
  if (oldest) changes.push(evidenceExpiry(oldest.collectedAt, rules));
  return {
    down: median(samples.map((s) => s.down!)),
    up: median(samples.flatMap((s) => (s.up === null ? [] : [s.up]))),
    samples: samples.length,
  };
}

/** Recomputes the rollup rows of the given counties from their schools' status rows. */
export function refreshCountyRollups(db: Db, countyCodes: Iterable<string>, now: number): void {
  for (const countyCode of countyCodes) {
    const totals = db
      .select({
        schoolsRegistered: sql<number>`count(*)`,
        schoolsConnected: sql<number>`coalesce(sum(${schoolStatus.connected}), 0)`,
        schoolsMeetingStandard: sql<number>`coalesce(sum(${schoolStatus.meetsStandard}), 0)`,
        classroomsRegistered: sql<number>`coalesce(sum(${schoolStatus.classroomsRegistered}), 0)`,
        classroomsEquipped: sql<number>`coalesce(sum(${schoolStatus.classroomsEquipped}), 0)`,
        devicesEnrolled: sql<number>`coalesce(sum(${schoolStatus.devicesEnrolled}), 0)`,
        devicesLive: sql<number>`coalesce(sum(${schoolStatus.devicesLive}), 0)`,
        devicesAtRisk: sql<number>`coalesce(sum(${schoolStatus.devicesAtRisk}), 0)`,
        devicesSilent: sql<number>`coalesce(sum(${schoolStatus.devicesSilent}), 0)`,
        devicesNever: sql<number>`coalesce(sum(${schoolStatus.devicesNever}), 0)`,
      })
      .from(schoolStatus)
      .where(eq(schoolStatus.countyCode, countyCode))
      .get()!;
    const row = { ...totals, updatedAt: now };
    db.insert(countyRollups)
      .values({ countyCode, ...row })
      .onConflictDoUpdate({ target: countyRollups.countyCode, set: row })
      .run();
  }
}

/**
 * The aging sweep: re-evaluates every school whose figures change by the passage of time by `now`
 * (evidence leaving the window, devices going at-risk or silent), in chunks of one transaction each
 * so a long sweep never holds the write lock for long. Returns the number of schools re-evaluated.
 */
export function sweepExpired(db: Db, now: number, chunkSize = 200): number {
  let total = 0;
  for (;;) {
    const due = db
      .select({ code: schoolStatus.schoolCode })
      .from(schoolStatus)
      .where(lte(schoolStatus.nextChangeAt, now))
      .limit(chunkSize)
      .all()
      .map((r) => r.code);
    if (due.length === 0) return total;
    inTransaction(db, () => evaluateSchools(db, due, now));
    total += due.length;
  }
}
