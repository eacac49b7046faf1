import { aliasedTable, and, asc, desc, eq, gte, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { Store, Tables } from '../db/store.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { sweepBeforeRead } from './evaluate.ts';
import { inDivision } from '../divisions/containment.ts';

/*
 * Device lists for the dashboard's devices page. The attention list reads the derived device_status
 * table, so it runs the read's sweep first, as every coverage read does. `scope` confines the rows:
 * divisionCode null = everywhere, else that division's subtree.
 */
export interface DeviceScope {
  divisionCode: string | null;
  schoolCode: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function scopeFilter(
  scope: DeviceScope,
  table: { countyCode: Tables['schools']['countyCode']; code: Tables['schools']['code'] },
): SQL | undefined {
  if (scope.schoolCode !== null) return eq(table.code, scope.schoolCode);
  return inDivision(table.countyCode, scope.divisionCode);
}

/** Active devices that are at risk or silent (they stopped reporting) as of `now`, longest silent first. */
export async function readAttentionDevices(store: Store, scope: DeviceScope, now: number) {
  await sweepBeforeRead(store, now);
  const { classrooms, devices, deviceStatus, schools } = store.t;
  const rows = await store.q
    .select({
      device: devices,
      status: deviceStatus,
      school: { code: schools.code, name: schools.name, countyCode: schools.countyCode },
      classroomCode: classrooms.code,
    })
    .from(deviceStatus)
    .innerJoin(devices, eq(devices.id, deviceStatus.deviceId))
    .innerJoin(schools, eq(schools.code, devices.schoolCode))
    .leftJoin(classrooms, eq(classrooms.id, devices.classroomId))
    .where(
      and(inArray(deviceStatus.state, ['at-risk', 'silent']), isNull(devices.revokedAt), scopeFilter(scope, schools)),
    )
    .orderBy(asc(deviceStatus.lastCollectedAt), asc(devices.id));
  return rows.map(({ device, status, school, classroomCode }) => ({
    id: device.id,
    hostname: device.hostname,
    state: status.state,
    school,
    classroom: classroomCode,
    lastReportAt: iso(status.lastCollectedAt),
    agentVersion: status.agentVersion,
  }));
}

/**
 * Unresolved hardware conflicts (the same PC enrolled at two schools). A reader sees a conflict when
 * either side is in scope: a county officer must see the other school's name to sort it out.
 */
export async function readHardwareConflicts(store: Store, scope: DeviceScope) {
  const { devices, hardwareConflicts, schools } = store.t;
  const otherDevice = aliasedTable(devices, 'other_device');
  const otherSchool = aliasedTable(schools, 'other_school');
  const inScope =
    scope.divisionCode === null && scope.schoolCode === null
      ? undefined
      : or(scopeFilter(scope, schools), scopeFilter(scope, otherSchool));
  const rows = await store.q
    .select({
      id: hardwareConflicts.id,
      matchedOn: hardwareConflicts.matchedOn,
      detectedAt: hardwareConflicts.detectedAt,
      device: { id: devices.id, hostname: devices.hostname, revokedAt: devices.revokedAt },
      school: { code: schools.code, name: schools.name, countyCode: schools.countyCode },
      otherDevice: { id: otherDevice.id, hostname: otherDevice.hostname, revokedAt: otherDevice.revokedAt },
      otherSchool: { code: otherSchool.code, name: otherSchool.name, countyCode: otherSchool.countyCode },
    })
    .from(hardwareConflicts)
    .innerJoin(devices, eq(devices.id, hardwareConflicts.deviceId))
    .innerJoin(schools, eq(schools.code, devices.schoolCode))
    .innerJoin(otherDevice, eq(otherDevice.id, hardwareConflicts.otherDeviceId))
    .innerJoin(otherSchool, eq(otherSchool.code, otherDevice.schoolCode))
    .where(and(isNull(hardwareConflicts.resolvedAt), inScope))
    .orderBy(desc(hardwareConflicts.detectedAt));
  return rows.map((c) => ({ ...c, detectedAt: iso(c.detectedAt)! }));
}

/** How long a confirmed re-enrollment stays on the list; one whose previous key still works stays until confirmed. */
const REENROLLMENT_LIST_MS = 90 * DAY_MS;

/**
 * Re-enrollments of a PC at its own school (decision 065): who (which token), when, what the device was
 * before, and whether the previous key still works because the new one has not reported yet.
 */
export async function readReenrollments(store: Store, scope: DeviceScope, now: number) {
  const { classrooms, deviceReenrollments, devices, schools } = store.t;
  const previousClassroom = aliasedTable(classrooms, 'previous_classroom');
  const rows = await store.q
    .select({
      id: deviceReenrollments.id,
      device: { id: devices.id, hostname: devices.hostname, revokedAt: devices.revokedAt },
      school: { code: schools.code, name: schools.name, countyCode: schools.countyCode },
      classroom: classrooms.code,
      previousHostname: deviceReenrollments.previousHostname,
      previousClassroom: previousClassroom.code,
      matchedOn: deviceReenrollments.matchedOn,
      enrollmentTokenId: deviceReenrollments.enrollmentTokenId,
      reenrolledAt: deviceReenrollments.reenrolledAt,
      confirmedAt: deviceReenrollments.confirmedAt,
    })
    .from(deviceReenrollments)
    .innerJoin(devices, eq(devices.id, deviceReenrollments.deviceId))
    .innerJoin(schools, eq(schools.code, devices.schoolCode))
    .leftJoin(classrooms, eq(classrooms.id, devices.classroomId))
    .leftJoin(previousClassroom, eq(previousClassroom.id, deviceReenrollments.previousClassroomId))
    .where(
      and(
        or(isNull(deviceReenrollments.confirmedAt), gte(deviceReenrollments.reenrolledAt, now - REENROLLMENT_LIST_MS)),
        scopeFilter(scope, schools),
      ),
    )
    .orderBy(desc(deviceReenrollments.reenrolledAt), desc(deviceReenrollments.id));
  return rows.map((r) => ({ ...r, reenrolledAt: iso(r.reenrolledAt)!, confirmedAt: iso(r.confirmedAt) }));
}

/** The school a device belongs to (for scope checks before acting on it), or null. */
export async function findDeviceSchool(
  store: Store,
  deviceId: string,
): Promise<{ code: string; countyCode: string } | null> {
  const { devices, schools } = store.t;
  const [found] = await store.q
    .select({ code: schools.code, countyCode: schools.countyCode })
    .from(devices)
    .innerJoin(schools, eq(schools.code, devices.schoolCode))
    .where(eq(devices.id, deviceId))
    .limit(1);
  return found ?? null;
}
