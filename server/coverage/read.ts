import { and, asc, desc, eq, gt, inArray, isNotNull, like, or, sql, type SQL } from 'drizzle-orm';
import type { Coverage, CountySchoolsQuery, SchoolDetail, SchoolRow } from '../../shared/schemas/coverage.ts';
import type { Db } from '../db/client.ts';
import { classrooms, classroomStatus, countyRollups, devices, deviceStatus, divisions, hardwareConflicts, inspectionSchools, schools, schoolStatus } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { currentPlan } from '../plan/current.ts';
import { progressOf } from '../programme/milestones.ts';

/*
 * Coverage reads come from the derived status and rollup tables only: their cost does not grow with
 * report history. Callers run the aging sweep first so the figures hold for `asOf`.
 */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Rollup = typeof countyRollups.$inferSelect;
const sumOf = (rows: Rollup[], key: keyof Omit<Rollup, 'countyCode' | 'updatedAt'>) => rows.reduce((n, r) => n + r[key], 0);
const deviceFigures = (r: Pick<Rollup, 'devicesEnrolled' | 'devicesLive' | 'devicesAtRisk' | 'devicesSilent' | 'devicesNever'>) => ({
  enrolled: r.devicesEnrolled,
  live: r.devicesLive,
  atRisk: r.devicesAtRisk,
  silent: r.devicesSilent,
  never: r.devicesNever,
});

/** Prefecture figures against the plan, or one county's when the reader is confined to it. */
export function readCoverage(db: Db, countyScope: string | null, now: number): Coverage {
  const plan = currentPlan(db);
  const rows = db
    .select({ rollup: countyRollups, division: divisions })
    .from(countyRollups)
    .innerJoin(divisions, eq(divisions.code, countyRollups.countyCode))
    .where(countyScope === null ? undefined : eq(countyRollups.countyCode, countyScope))
    .orderBy(asc(divisions.code))
    .all();
  const rollups = rows.map((r) => r.rollup);
  const whole = countyScope === null;
  const { schoolsConnected, classroomsEquipped } = plan.indicators;
  const progress = (schools: { done: number; of: number }, classrooms: { done: number; of: number }) => ({
    year: new Date(now + 8 * 3_600_000).getUTCFullYear(),
    schoolsConnected: progressOf(schoolsConnected, schools.done, schools.of, now),
    classroomsEquipped: progressOf(classroomsEquipped, classrooms.done, classrooms.of, now),
  });
  return {
    asOf: new Date(now).toISOString(),
    scope: { level: whole ? 'prefecture' : 'county', code: countyScope ?? plan.prefecture.code },
    prefecture: { code: plan.prefecture.code, name: plan.prefecture.name },
    evidenceWindowDays: plan.coverage.evidenceWindowDays,
    schools: {
      target: whole ? plan.indicators.schoolsConnected.target : null,
      registered: sumOf(rollups, 'schoolsRegistered'),
      connected: sumOf(rollups, 'schoolsConnected'),
      meetingStandard: sumOf(rollups, 'schoolsMeetingStandard'),
      declaredConnected: sumOf(rollups, 'schoolsDeclaredConnected'),
      declarationConflicts: sumOf(rollups, 'declarationConflicts'),
    },
    classrooms: {
      target: whole ? plan.indicators.classroomsEquipped.target : null,
      registered: sumOf(rollups, 'classroomsRegistered'),
      equipped: sumOf(rollups, 'classroomsEquipped'),
      declaredEquipped: sumOf(rollups, 'classroomsDeclaredEquipped'),
    },
    devices: {
      enrolled: sumOf(rollups, 'devicesEnrolled'),
      live: sumOf(rollups, 'devicesLive'),
      atRisk: sumOf(rollups, 'devicesAtRisk'),
      silent: sumOf(rollups, 'devicesSilent'),
      never: sumOf(rollups, 'devicesNever'),
    },
    progress: progress(
      { done: sumOf(rollups, 'schoolsConnected'), of: sumOf(rollups, 'schoolsRegistered') },
      { done: sumOf(rollups, 'classroomsEquipped'), of: sumOf(rollups, 'classroomsRegistered') },
    ),
    counties: rows.map(({ rollup: r, division: d }) => ({
      code: d.code,
      name: d.name,
      pinyin: d.pinyin,
      schools: {
        registered: r.schoolsRegistered,
        connected: r.schoolsConnected,
        meetingStandard: r.schoolsMeetingStandard,
        declaredConnected: r.schoolsDeclaredConnected,
        declarationConflicts: r.declarationConflicts,
      },
      classrooms: { registered: r.classroomsRegistered, equipped: r.classroomsEquipped, declaredEquipped: r.classroomsDeclaredEquipped },
      devices: deviceFigures(r),
      progress: progress({ done: r.schoolsConnected, of: r.schoolsRegistered }, { done: r.classroomsEquipped, of: r.classroomsRegistered }),
    })),
  };
}

function schoolRow(s: typeof schools.$inferSelect, st: typeof schoolStatus.$inferSelect): SchoolRow {
  return {
    code: s.code,
    name: s.name,
    township: s.township,
    typeCode: s.typeCode,
    urbanRuralCode: s.urbanRuralCode,
    connected: st.connected,
    lastReachableAt: iso(st.lastReachableAt),
    bandwidthMbps: st.bandwidthMbps,
    standardMbps: st.standardMbps,
    meetsStandard: st.meetsStandard,
    declaredConnected: st.declaredConnected,
    declarationConflict: st.declarationConflict,
    classrooms: { registered: st.classroomsRegistered, equipped: st.classroomsEquipped, declaredEquipped: st.classroomsDeclaredEquipped },
    devices: deviceFigures(st),
  };
}

/** One county's schools with their figures, filtered; one page of them, or all when not paged (CSV). */
export function readCountySchools(db: Db, countyCode: string, query: CountySchoolsQuery, paged: boolean) {
  const filters: (SQL | undefined)[] = [eq(schools.countyCode, countyCode)];
  if (query.connected !== undefined) filters.push(eq(schoolStatus.connected, query.connected));
  if (query.meetsStandard !== undefined) filters.push(eq(schoolStatus.meetsStandard, query.meetsStandard));
  if (query.hasSilentDevices !== undefined) {
    const silent = sql`(${schoolStatus.devicesSilent} + ${schoolStatus.devicesAtRisk}) > 0`;
    filters.push(query.hasSilentDevices ? silent : sql`not ${silent}`);
  }
  if (query.noAgent !== undefined) filters.push(query.noAgent ? eq(schoolStatus.devicesEnrolled, 0) : gt(schoolStatus.devicesEnrolled, 0));
  if (query.declaredConnected !== undefined) filters.push(eq(schoolStatus.declaredConnected, query.declaredConnected));
  if (query.conflict !== undefined) filters.push(eq(schoolStatus.declarationConflict, query.conflict));
  if (query.typeCode) filters.push(eq(schools.typeCode, query.typeCode));
  if (query.township) filters.push(eq(schools.township, query.township));
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    filters.push(or(like(schools.code, pattern), like(schools.name, pattern)));
  }
  const where = and(...filters);
  const base = db.select({ school: schools, status: schoolStatus }).from(schools).innerJoin(schoolStatus, eq(schoolStatus.schoolCode, schools.code)).where(where);
  const total = db.select({ n: sql<number>`count(*)` }).from(schools).innerJoin(schoolStatus, eq(schoolStatus.schoolCode, schools.code)).where(where).get()!.n;
  const ordered = base.orderBy(asc(schools.code));
  const rows = paged ? ordered.limit(query.pageSize).offset((query.page - 1) * query.pageSize).all() : ordered.all();
  return { total, page: query.page, pageSize: query.pageSize, rows: rows.map((r) => schoolRow(r.school, r.status)) };
}

/** Looks up a county in the division tree, or throws 404. */
export function findCounty(db: Db, code: string) {
  const county = db.select().from(divisions).where(and(eq(divisions.code, code), eq(divisions.level, 'county'))).get();
  if (!county) throw new DomainError('not-found', 'county_unknown', `no county ${code} in the plan's division tree`);
  return county;
}

function lastInspection(db: Db, schoolCode: string) {
  const found = db
    .select({ inspectionId: inspectionSchools.inspectionId, result: inspectionSchools.result, note: inspectionSchools.note, recordedAt: inspectionSchools.recordedAt })
    .from(inspectionSchools)
    .where(and(eq(inspectionSchools.schoolCode, schoolCode), isNotNull(inspectionSchools.recordedAt)))
    .orderBy(desc(inspectionSchools.recordedAt))
    .limit(1)
    .get();
  return found?.result && found.recordedAt !== null ? { inspectionId: found.inspectionId, result: found.result, note: found.note, recordedAt: iso(found.recordedAt)! } : null;
}

/** A school with its figures, its classrooms' status and its devices' state. */
export function readSchool(db: Db, code: string, now: number): SchoolDetail {
  const row = db
    .select({ school: schools, status: schoolStatus, county: divisions })
    .from(schools)
    .innerJoin(schoolStatus, eq(schoolStatus.schoolCode, schools.code))
    .innerJoin(divisions, eq(divisions.code, schools.countyCode))
    .where(eq(schools.code, code))
    .get();
  if (!row) throw new DomainError('not-found', 'school_unknown', `no school with code ${code}`);
  const classroomRows = db
    .select({ classroom: classrooms, status: classroomStatus })
    .from(classrooms)
    .leftJoin(classroomStatus, eq(classroomStatus.classroomId, classrooms.id))
    .where(eq(classrooms.schoolCode, code))
    .orderBy(sql`length(${classrooms.code})`, asc(classrooms.code))
    .all();
  const deviceRows = db
    .select({ device: devices, status: deviceStatus, classroomCode: classrooms.code })
    .from(devices)
    .leftJoin(deviceStatus, eq(deviceStatus.deviceId, devices.id))
    .leftJoin(classrooms, eq(classrooms.id, devices.classroomId))
    .where(eq(devices.schoolCode, code))
    .orderBy(asc(devices.hostname))
    .all();
  const conflicted = new Set(
    deviceRows.length === 0
      ? []
      : db
          .select({ a: hardwareConflicts.deviceId, b: hardwareConflicts.otherDeviceId })
          .from(hardwareConflicts)
          .where(or(inArray(hardwareConflicts.deviceId, deviceRows.map((d) => d.device.id)), inArray(hardwareConflicts.otherDeviceId, deviceRows.map((d) => d.device.id))))
          .all()
          .flatMap((c) => [c.a, c.b]),
  );
  return {
    asOf: new Date(now).toISOString(),
    school: {
      ...schoolRow(row.school, row.status),
      county: { code: row.county.code, name: row.county.name },
      classCount: row.school.classCount,
      centreSchoolCode: row.school.centreSchoolCode,
      lastInspection: lastInspection(db, code),
    },
    classrooms: classroomRows.map(({ classroom, status }) => ({
      code: classroom.code,
      name: classroom.name,
      equipped: status?.equipped ?? false,
      lastEvidenceAt: iso(status?.lastEvidenceAt ?? null),
      declaredEquipped: status?.declaredEquipped ?? false,
    })),
    devices: deviceRows.map(({ device, status, classroomCode }) => ({
      id: device.id,
      hostname: device.hostname,
      classroom: classroomCode,
      state: status?.state ?? 'never',
      lastReportAt: iso(status?.lastCollectedAt ?? null),
      lastReceivedAt: iso(status?.lastReceivedAt ?? null),
      agentVersion: status?.agentVersion ?? null,
      medianDownMbps: status?.medianDownMbps ?? null,
      medianUpMbps: status?.medianUpMbps ?? null,
      enrolledAt: iso(device.enrolledAt)!,
      revokedAt: iso(device.revokedAt),
      hardwareConflict: conflicted.has(device.id),
    })),
  };
}
