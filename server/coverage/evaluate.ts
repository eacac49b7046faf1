import { and, asc, eq, gte, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { CoverageRules } from '../../shared/schemas/plan.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { classroomStatus, classrooms, countyRollups, declarations, devices, deviceStatus, reports, schools, schoolStatus } from '../db/schema.ts';
import { currentPlan } from '../plan/current.ts';
import type { Calendar } from './calendar.ts';
import { loadCalendars } from './closures.ts';
import { bandwidthStandard, deviceState, deviceStateChanges, evidenceExpiry, evidenceWindowStart, median, meetsStandard, nextChange, type DeviceState } from './rules.ts';

/** What one evaluation needs to judge evidence: the rules, the school's calendar and the instant. */
interface Judge {
  rules: CoverageRules;
  calendar: Calendar;
  now: number;
  windowStart: number;
  /** Instants at which some figure changes by time alone; the earliest becomes next_change_at. */
  changes: (number | null)[];
}

/**
 * Re-derives the status of the given schools (their devices, classrooms and the school itself) from
 * registry, evidence, declarations and the school calendar as of `now`, then the rollups of their
 * counties. Run it inside the transaction that changed the inputs, so figures commit with them.
 */
export function evaluateSchools(db: Db, schoolCodes: Iterable<string>, now: number): void {
  const rules = currentPlan(db).coverage;
  const calendarOf = loadCalendars(db);
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
    const calendar = calendarOf(school.countyCode);
    evaluateSchool(db, school, { rules, calendar, now, windowStart: evidenceWindowStart(rules, now, calendar), changes: [] });
  }
  refreshCountyRollups(db, counties, now);
}

function evaluateSchool(db: Db, school: typeof schools.$inferSelect, judge: Judge): void {
  const { rules, calendar, now, windowStart, changes } = judge;
  const code = school.code;
  const stateCounts: Record<DeviceState, number> = { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 };
  const presentationByClassroom = new Map<number, number>();
  let lastReachableAt: number | null = null;
  let lastReportInWindow: number | null = null;
  let bandwidthMbps: number | null = null;

  const schoolDevices = db
    .select({ id: devices.id, classroomId: devices.classroomId, revokedAt: devices.revokedAt, status: deviceStatus })
    .from(devices)
    .leftJoin(deviceStatus, eq(deviceStatus.deviceId, devices.id))
    .where(eq(devices.schoolCode, code))
    .all();
  for (const device of schoolDevices) {
    const status = device.status;
    const revoked = device.revokedAt !== null;
    const state = deviceState(status?.lastCollectedAt ?? null, revoked, rules, now, calendar);
    stateCounts[state]++;
    const throughput = revoked ? { down: null, up: null, samples: 0 } : measuredThroughput(db, device.id, judge);
    const row = { schoolCode: code, state, medianDownMbps: throughput.down, medianUpMbps: throughput.up, throughputSamples: throughput.samples };
    db.insert(deviceStatus)
      .values({ deviceId: device.id, ...row })
      .onConflictDoUpdate({ target: deviceStatus.deviceId, set: row })
      .run();
    // A revoked key's evidence no longer counts: revocation means the device is not trusted.
    if (revoked || !status) continue;
    changes.push(...deviceStateChanges(status.lastCollectedAt, rules, calendar));
    const inWindow = (at: number | null): at is number => at !== null && at >= windowStart;
    if (inWindow(status.lastCollectedAt)) {
      lastReportInWindow = Math.max(lastReportInWindow ?? 0, status.lastCollectedAt);
      changes.push(evidenceExpiry(status.lastCollectedAt, rules, calendar));
    }
    if (inWindow(status.lastReachableAt)) {
      lastReachableAt = Math.max(lastReachableAt ?? 0, status.lastReachableAt);
      changes.push(evidenceExpiry(status.lastReachableAt, rules, calendar));
    }
    if (device.classroomId !== null && inWindow(status.lastPresentationAt)) {
      presentationByClassroom.set(device.classroomId, Math.max(presentationByClassroom.get(device.classroomId) ?? 0, status.lastPresentationAt));
      changes.push(evidenceExpiry(status.lastPresentationAt, rules, calendar));
    }
    if (throughput.down !== null) bandwidthMbps = Math.max(bandwidthMbps ?? 0, throughput.down);
  }

  const declared = db
    .select({ indicator: declarations.indicator, classroomId: declarations.classroomId })
    .from(declarations)
    .where(and(eq(declarations.schoolCode, code), isNull(declarations.withdrawnAt)))
    .all();
  const declaredClassrooms = new Set(declared.filter((d) => d.indicator === 'equipped').map((d) => d.classroomId));
  const schoolClassrooms = db.select({ id: classrooms.id }).from(classrooms).where(eq(classrooms.schoolCode, code)).all();
  let equipped = 0;
  let declaredEquipped = 0;
  for (const classroom of schoolClassrooms) {
    const evidenceAt = presentationByClassroom.get(classroom.id) ?? null;
    const row = { schoolCode: code, equipped: evidenceAt !== null, lastEvidenceAt: evidenceAt, declaredEquipped: evidenceAt === null && declaredClassrooms.has(classroom.id) };
    if (row.equipped) equipped++;
    if (row.declaredEquipped) declaredEquipped++;
    db.insert(classroomStatus)
      .values({ classroomId: classroom.id, ...row })
      .onConflictDoUpdate({ target: classroomStatus.classroomId, set: row })
      .run();
  }

  const connected = lastReachableAt !== null;
  const declaredConnected = !connected && declared.some((d) => d.indicator === 'connected');
  const standardMbps = bandwidthStandard(school, rules.bandwidth.standards);
  const row = {
    countyCode: school.countyCode,
    connected,
    lastReachableAt,
    bandwidthMbps,
    standardMbps,
    meetsStandard: meetsStandard(bandwidthMbps, standardMbps, rules),
    declaredConnected,
    // Declared connected, yet the school's PCs reported in the window and none reached the internet.
    declarationConflict: declaredConnected && lastReportInWindow !== null,
    classroomsRegistered: schoolClassrooms.length,
    classroomsEquipped: equipped,
    classroomsDeclaredEquipped: declaredEquipped,
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

/** Median measured down/up speed of one device within the window; records when a sample ages out. */
function measuredThroughput(db: Db, deviceId: string, judge: Judge): { down: number | null; up: number | null; samples: number } {
  const samples = db
    .select({ down: reports.downMbps, up: reports.upMbps, collectedAt: reports.collectedAt })
    .from(reports)
    .where(and(eq(reports.deviceId, deviceId), isNotNull(reports.downMbps), gte(reports.collectedAt, judge.windowStart), lte(reports.collectedAt, judge.now)))
    .orderBy(asc(reports.collectedAt))
    .all();
  const oldest = samples[0];
  if (oldest) judge.changes.push(evidenceExpiry(oldest.collectedAt, judge.rules, judge.calendar));
  return {
    down: median(samples.map((s) => s.down!)),
    up: median(samples.flatMap((s) => (s.up === null ? [] : [s.up]))),
    samples: samples.length,
  };
}

const total = (column: Parameters<typeof sql>[1]) => sql<number>`coalesce(sum(${column}), 0)`;

/** Recomputes the rollup rows of the given counties from their schools' status rows. */
export function refreshCountyRollups(db: Db, countyCodes: Iterable<string>, now: number): void {
  for (const countyCode of countyCodes) {
    const totals = db
      .select({
        schoolsRegistered: sql<number>`count(*)`,
        schoolsConnected: total(schoolStatus.connected),
        schoolsMeetingStandard: total(schoolStatus.meetsStandard),
        schoolsDeclaredConnected: total(schoolStatus.declaredConnected),
        declarationConflicts: total(schoolStatus.declarationConflict),
        classroomsRegistered: total(schoolStatus.classroomsRegistered),
        classroomsEquipped: total(schoolStatus.classroomsEquipped),
        classroomsDeclaredEquipped: total(schoolStatus.classroomsDeclaredEquipped),
        devicesEnrolled: total(schoolStatus.devicesEnrolled),
        devicesLive: total(schoolStatus.devicesLive),
        devicesAtRisk: total(schoolStatus.devicesAtRisk),
        devicesSilent: total(schoolStatus.devicesSilent),
        devicesNever: total(schoolStatus.devicesNever),
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
export function sweepExpired(db: Db, now: number, chunkSize = 200, maxChunks = Infinity): number {
  let count = 0;
  for (let chunk = 0; chunk < maxChunks; chunk++) {
    const due = db.select({ code: schoolStatus.schoolCode }).from(schoolStatus).where(lte(schoolStatus.nextChangeAt, now)).limit(chunkSize).all().map((r) => r.code);
    if (due.length === 0) return count;
    inTransaction(db, () => evaluateSchools(db, due, now));
    count += due.length;
  }
  return count;
}

/**
 * The sweep a read runs first: at most one small chunk, so figures are exact at `asOf` whenever the
 * backlog is small (it is, with the aging job running every minute) and a read never waits behind a
 * long sweep when it is not (after downtime, or when a whole region's PCs go quiet for a holiday eve).
 */
export function sweepBeforeRead(db: Db, now: number): void {
  sweepExpired(db, now, 50, 1);
}
