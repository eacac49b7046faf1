import type { PresentationKind } from '../../shared/schemas/report.ts';
import { statement, type Param } from '../db/store.ts';
import { listStatements, multiRowStatements } from '../db/multi-row.ts';
import type { MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';

/*
 * The statements evaluation runs for every school a report touches, prepared once per connection.
 * Building them through the query builder on every call cost more than running them (profile of the
 * ingest path: statement preparation and query building were over a third of server CPU). Written once for
 * both dialects (decision 186); evaluate.ts runs them on the store, and on the SQLite connection for the callers
 * not yet moved (decision 190).
 */
export interface SchoolRow {
  code: string;
  countyCode: string;
  typeCode: string;
  urbanRuralCode: string;
  /** The school's declared teacher spaces (teacher_spaces), copied into its status row; null while none declared. */
  teachers: number | null;
  teacherSpacesOpened: number | null;
  teacherSpacesVerified: number | null;
}
export interface DeviceEvidenceRow {
  id: string;
  schoolCode: string;
  classroomId: number | null;
  revokedAt: number | null;
  hasStatus: number;
  lastCollectedAt: number | null;
  lastReachableAt: number | null;
  lastPresentationAt: number | null;
  lastPresentationKind: PresentationKind | null;
  /** The device's speed-test medians as last evaluated (see evaluateSchools' `reported`). */
  storedDown: number | null;
  storedUp: number | null;
  storedSamples: number | null;
  storedSource: MeasurementSource | null;
  storedFlagged: number | null;
  storedReasons: string | null;
}

/** Schools whose figures change by the passage of time by a given instant (every read asks first). */
export const dueSchools = statement<{ schoolCode: string }, [number, number]>(
  'select school_code as "schoolCode" from school_status where next_change_at <= ? limit ?',
);
/** A device's download claim (a report's speed test). */
export interface ClaimRow {
  deviceId: string;
  down: number;
  up: number | null;
  flag: SampleFlag | null;
  collectedAt: number;
}
/** The server's own measurement of a device's download. */
export interface ServerSampleRow {
  deviceId: string;
  down: number;
  finishedAt: number;
}
export interface DeclarationRow {
  schoolCode: string;
  indicator: 'connected' | 'equipped';
  classroomId: number | null;
}

/*
 * What evaluation reads, for a list of schools (or of their devices) at once: one statement per list of up to 32
 * (server/db/multi-row.ts listChunks), where one per school was most of a report group's statements (issue 14).
 */
export const previousStatuses = listStatements<{ schoolCode: string; countyCode: string; nextChangeAt: number | null }>(
  (list) => `select school_code as "schoolCode", county_code as "countyCode", next_change_at as "nextChangeAt"
    from school_status where school_code in (${list})`,
);
export const schoolsOf = listStatements<SchoolRow>(
  (list) => `select s.code, s.county_code as "countyCode", s.type_code as "typeCode",
     s.urban_rural_code as "urbanRuralCode", t.teachers, t.spaces_opened as "teacherSpacesOpened",
     t.spaces_verified as "teacherSpacesVerified"
   from schools s left join teacher_spaces t on t.school_code = s.code where s.code in (${list})`,
);
export const dropStatus = statement<never, [string]>('delete from school_status where school_code = ?');
export const devicesOf = listStatements<DeviceEvidenceRow>(
  (list) => `select d.id, d.school_code as "schoolCode", d.classroom_id as "classroomId", d.revoked_at as "revokedAt",
          case when s.device_id is not null then 1 else 0 end as "hasStatus",
          s.last_collected_at as "lastCollectedAt", s.last_reachable_at as "lastReachableAt",
          s.last_presentation_at as "lastPresentationAt", s.last_presentation_kind as "lastPresentationKind",
          s.median_down_mbps as "storedDown", s.median_up_mbps as "storedUp", s.throughput_samples as "storedSamples",
          s.down_source as "storedSource", s.flagged_samples as "storedFlagged", s.flag_reasons as "storedReasons"
   from devices d left join device_status s on s.device_id = d.id where d.school_code in (${list})`,
);
/** The devices' download claims from `?` to `?` (the list's earliest window start, and now), oldest first. */
export const samplesOf = listStatements<ClaimRow>(
  (list) => `select device_id as "deviceId", down_mbps as "down", up_mbps as "up", down_flag as "flag",
     collected_at as "collectedAt" from reports
   where device_id in (${list}) and down_mbps is not null and collected_at >= ? and collected_at <= ?
   order by device_id, collected_at`,
);
/** The server's own measurements of the devices' download from `?` to `?` (server/speedtest/record.ts). */
export const serverSamplesOf = listStatements<ServerSampleRow>(
  (list) => `select device_id as "deviceId", down_mbps as "down", finished_at as "finishedAt" from speedtests
   where device_id in (${list}) and down_mbps is not null and finished_at >= ? and finished_at <= ?
   order by device_id, finished_at`,
);
export const declarationsOf = listStatements<DeclarationRow>(
  (list) => `select school_code as "schoolCode", indicator, classroom_id as "classroomId" from declarations
    where school_code in (${list}) and withdrawn_at is null`,
);
export const classroomsOf = listStatements<{ id: number; schoolCode: string }>(
  (list) => `select id, school_code as "schoolCode" from classrooms where school_code in (${list})`,
);
/** A figure's column: its name in snake case (`devicesAtRisk` is devices_at_risk). */
const columnOf = (figure: string) => figure.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `values` inserted into `figures` (the first is the key), replacing every other figure of an existing row. */
const upsert = (table: string, figures: readonly string[], values: string) => {
  const [key, ...rest] = figures.map(columnOf);
  return `insert into ${table} (${[key, ...rest].join(', ')}) values ${values}
    on conflict (${key}) do update set ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`;
};
/** Rows of `figures` upserted a few to a statement (server/db/multi-row.ts); a key appears once among them. */
const upsertRows = (table: string, figures: readonly string[]) =>
  multiRowStatements(figures.length, (values) => upsert(table, figures, values));

/** device_status's columns as writeDevices takes them: the device's id, then its figures. */
export const DEVICE_STATUS = [
  'deviceId',
  'schoolCode',
  'state',
  'medianDownMbps',
  'medianUpMbps',
  'throughputSamples',
  'downSource',
  'flaggedSamples',
  'flagReasons',
] as const;
export const writeDevices = upsertRows('device_status', DEVICE_STATUS);

/** classroom_status's columns as writeClassrooms takes them: the classroom's id, then its figures. */
export const CLASSROOM_STATUS = [
  'classroomId',
  'schoolCode',
  'equipped',
  'lastEvidenceAt',
  'equippedKind',
  'declaredEquipped',
] as const;
export const writeClassrooms = upsertRows('classroom_status', CLASSROOM_STATUS);

/** school_status's columns as writeSchools takes them: the school's code, then its figures. */
export const SCHOOL_STATUS = [
  'schoolCode',
  'countyCode',
  'connected',
  'lastReachableAt',
  'bandwidthMbps',
  'standardMbps',
  'meetsStandard',
  'declaredConnected',
  'declarationConflict',
  'bandwidthSource',
  'flaggedSamples',
  'flagReasons',
  'classroomsRegistered',
  'classroomsEquipped',
  'classroomsEquippedProjector',
  'classroomsEquippedInteractivePanel',
  'classroomsEquippedLargeDisplay',
  'classroomsDeclaredEquipped',
  'devicesEnrolled',
  'devicesLive',
  'devicesAtRisk',
  'devicesSilent',
  'devicesNever',
  'evaluatedAt',
  'nextChangeAt',
  'teachers',
  'teacherSpacesOpened',
  'teacherSpacesVerified',
] as const;
export type SchoolStatusRow = Record<(typeof SCHOOL_STATUS)[number], Param>;
export const writeSchools = upsertRows('school_status', SCHOOL_STATUS);

/** The figures a division rollup sums, as schoolTotals and childTotals name them. */
export const ROLLUP_FIGURES = [
  'schoolsRegistered',
  'schoolsConnected',
  'schoolsMeetingStandard',
  'schoolsDeclaredConnected',
  'declarationConflicts',
  'classroomsRegistered',
  'classroomsEquipped',
  'classroomsEquippedProjector',
  'classroomsEquippedInteractivePanel',
  'classroomsEquippedLargeDisplay',
  'classroomsDeclaredEquipped',
  'devicesEnrolled',
  'devicesLive',
  'devicesAtRisk',
  'devicesSilent',
  'devicesNever',
  'teachers',
  'teacherSpacesOpened',
  'teacherSpacesVerified',
  'schoolsDeclaringTeacherSpaces',
] as const;
export type RollupFigures = Record<(typeof ROLLUP_FIGURES)[number], number>;

/** Divisions' schools, summed, one row per division with schools: the rollups of counties (or of prefecture-level cities without counties). */
export const schoolTotals = listStatements<RollupFigures & { divisionCode: string }>(
  (list) => `select county_code as "divisionCode", count(*) as "schoolsRegistered",
     coalesce(sum(connected), 0) as "schoolsConnected",
     coalesce(sum(meets_standard), 0) as "schoolsMeetingStandard",
     coalesce(sum(declared_connected), 0) as "schoolsDeclaredConnected",
     coalesce(sum(declaration_conflict), 0) as "declarationConflicts",
     coalesce(sum(classrooms_registered), 0) as "classroomsRegistered",
     coalesce(sum(classrooms_equipped), 0) as "classroomsEquipped",
     coalesce(sum(classrooms_equipped_projector), 0) as "classroomsEquippedProjector",
     coalesce(sum(classrooms_equipped_interactive_panel), 0) as "classroomsEquippedInteractivePanel",
     coalesce(sum(classrooms_equipped_large_display), 0) as "classroomsEquippedLargeDisplay",
     coalesce(sum(classrooms_declared_equipped), 0) as "classroomsDeclaredEquipped",
     coalesce(sum(devices_enrolled), 0) as "devicesEnrolled", coalesce(sum(devices_live), 0) as "devicesLive",
     coalesce(sum(devices_at_risk), 0) as "devicesAtRisk", coalesce(sum(devices_silent), 0) as "devicesSilent",
     coalesce(sum(devices_never), 0) as "devicesNever", coalesce(sum(teachers), 0) as "teachers",
     coalesce(sum(teacher_spaces_opened), 0) as "teacherSpacesOpened",
     coalesce(sum(teacher_spaces_verified), 0) as "teacherSpacesVerified",
     count(teachers) as "schoolsDeclaringTeacherSpaces"
   from school_status where county_code in (${list}) group by county_code`,
);
/** Divisions' children's rollups, summed, one row per division with children: the rollups of divisions above the county. */
export const childTotals = listStatements<RollupFigures & { divisionCode: string }>(
  (list) => `select d.parent_code as "divisionCode",
     ${ROLLUP_FIGURES.map((f) => `coalesce(sum(r.${columnOf(f)}), 0) as "${f}"`).join(', ')}
   from divisions d join division_rollups r on r.division_code = d.code where d.parent_code in (${list})
   group by d.parent_code`,
);
/** division_rollups' columns as writeRollups takes them: the division's code, its figures, when. */
export const DIVISION_ROLLUP = ['divisionCode', ...ROLLUP_FIGURES, 'updatedAt'] as const;
export const writeRollups = upsertRows('division_rollups', DIVISION_ROLLUP);
