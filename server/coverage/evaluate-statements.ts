import type Database from 'better-sqlite3';
import type { PresentationKind } from '../../shared/schemas/report.ts';
import { perConnection } from '../db/per-connection.ts';
import type { MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';

/*
 * The statements evaluation runs for every school a report touches, prepared once per connection.
 * Building them through the query builder on every call cost more than running them (profile of the
 * ingest path: statement preparation and query building were over a third of server CPU).
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

const bundle = (sqlite: Database.Database) => ({
  /** Schools whose figures change by the passage of time by a given instant (every read asks first). */
  dueSchools: sqlite
    .prepare<[number, number], string>('select school_code from school_status where next_change_at <= ? limit ?')
    .pluck(),
  previousCounty: sqlite.prepare<[string], { countyCode: string; nextChangeAt: number | null }>(
    'select county_code as countyCode, next_change_at as nextChangeAt from school_status where school_code = ?',
  ),
  school: sqlite.prepare<[string], SchoolRow>(
    `select s.code, s.county_code as countyCode, s.type_code as typeCode, s.urban_rural_code as urbanRuralCode,
       t.teachers, t.spaces_opened as teacherSpacesOpened, t.spaces_verified as teacherSpacesVerified
     from schools s left join teacher_spaces t on t.school_code = s.code where s.code = ?`,
  ),
  dropStatus: sqlite.prepare<[string]>('delete from school_status where school_code = ?'),
  devices: sqlite.prepare<[string], DeviceEvidenceRow>(
    `select d.id, d.classroom_id as classroomId, d.revoked_at as revokedAt, s.device_id is not null as hasStatus,
            s.last_collected_at as lastCollectedAt, s.last_reachable_at as lastReachableAt, s.last_presentation_at as lastPresentationAt,
            s.last_presentation_kind as lastPresentationKind,
            s.median_down_mbps as storedDown, s.median_up_mbps as storedUp, s.throughput_samples as storedSamples,
            s.down_source as storedSource, s.flagged_samples as storedFlagged, s.flag_reasons as storedReasons
     from devices d left join device_status s on s.device_id = d.id where d.school_code = ?`,
  ),
  writeDevice: sqlite.prepare(
    `insert into device_status (device_id, school_code, state, median_down_mbps, median_up_mbps, throughput_samples, down_source, flagged_samples, flag_reasons)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (device_id) do update set school_code = excluded.school_code, state = excluded.state,
       median_down_mbps = excluded.median_down_mbps, median_up_mbps = excluded.median_up_mbps, throughput_samples = excluded.throughput_samples,
       down_source = excluded.down_source, flagged_samples = excluded.flagged_samples, flag_reasons = excluded.flag_reasons`,
  ),
  samples: sqlite.prepare<
    [string, number, number],
    { down: number; up: number | null; flag: SampleFlag | null; collectedAt: number }
  >(
    `select down_mbps as down, up_mbps as up, down_flag as flag, collected_at as collectedAt from reports
     where device_id = ? and down_mbps is not null and collected_at >= ? and collected_at <= ? order by collected_at`,
  ),
  /** The server's own measurements of a device's download in the window (server/speedtest/record.ts). */
  serverSamples: sqlite.prepare<[string, number, number], { down: number; finishedAt: number }>(
    `select down_mbps as down, finished_at as finishedAt from speedtests
     where device_id = ? and down_mbps is not null and finished_at >= ? and finished_at <= ? order by finished_at`,
  ),
  declarations: sqlite.prepare<[string], { indicator: 'connected' | 'equipped'; classroomId: number | null }>(
    'select indicator, classroom_id as classroomId from declarations where school_code = ? and withdrawn_at is null',
  ),
  classrooms: sqlite.prepare<[string], { id: number }>('select id from classrooms where school_code = ?'),
  writeClassroom: sqlite.prepare(
    `insert into classroom_status (classroom_id, school_code, equipped, last_evidence_at, equipped_kind, declared_equipped) values (?, ?, ?, ?, ?, ?)
     on conflict (classroom_id) do update set school_code = excluded.school_code, equipped = excluded.equipped,
       last_evidence_at = excluded.last_evidence_at, equipped_kind = excluded.equipped_kind, declared_equipped = excluded.declared_equipped`,
  ),
  writeSchool: sqlite.prepare(
    `insert into school_status (school_code, county_code, connected, last_reachable_at, bandwidth_mbps, standard_mbps, meets_standard,
       declared_connected, declaration_conflict, bandwidth_source, flagged_samples, flag_reasons, classrooms_registered, classrooms_equipped,
       classrooms_equipped_projector, classrooms_equipped_interactive_panel, classrooms_equipped_large_display, classrooms_declared_equipped,
       devices_enrolled, devices_live, devices_at_risk, devices_silent, devices_never, evaluated_at, next_change_at,
       teachers, teacher_spaces_opened, teacher_spaces_verified)
     values (@schoolCode, @countyCode, @connected, @lastReachableAt, @bandwidthMbps, @standardMbps, @meetsStandard,
       @declaredConnected, @declarationConflict, @bandwidthSource, @flaggedSamples, @flagReasons, @classroomsRegistered, @classroomsEquipped,
       @classroomsEquippedProjector, @classroomsEquippedInteractivePanel, @classroomsEquippedLargeDisplay, @classroomsDeclaredEquipped,
       @devicesEnrolled, @devicesLive, @devicesAtRisk, @devicesSilent, @devicesNever, @evaluatedAt, @nextChangeAt,
       @teachers, @teacherSpacesOpened, @teacherSpacesVerified)
     on conflict (school_code) do update set county_code = excluded.county_code, connected = excluded.connected,
       last_reachable_at = excluded.last_reachable_at, bandwidth_mbps = excluded.bandwidth_mbps, standard_mbps = excluded.standard_mbps,
       meets_standard = excluded.meets_standard, declared_connected = excluded.declared_connected, declaration_conflict = excluded.declaration_conflict,
       bandwidth_source = excluded.bandwidth_source, flagged_samples = excluded.flagged_samples, flag_reasons = excluded.flag_reasons,
       classrooms_registered = excluded.classrooms_registered, classrooms_equipped = excluded.classrooms_equipped,
       classrooms_equipped_projector = excluded.classrooms_equipped_projector,
       classrooms_equipped_interactive_panel = excluded.classrooms_equipped_interactive_panel,
       classrooms_equipped_large_display = excluded.classrooms_equipped_large_display,
       classrooms_declared_equipped = excluded.classrooms_declared_equipped, devices_enrolled = excluded.devices_enrolled,
       devices_live = excluded.devices_live, devices_at_risk = excluded.devices_at_risk, devices_silent = excluded.devices_silent,
       devices_never = excluded.devices_never, evaluated_at = excluded.evaluated_at, next_change_at = excluded.next_change_at,
       teachers = excluded.teachers, teacher_spaces_opened = excluded.teacher_spaces_opened,
       teacher_spaces_verified = excluded.teacher_spaces_verified`,
  ),
  /** A division's schools, summed: the rollup of a county (or of a prefecture-level city without counties). */
  schoolTotals: sqlite.prepare<[string], Record<string, number>>(
    `select count(*) as schoolsRegistered, coalesce(sum(connected), 0) as schoolsConnected, coalesce(sum(meets_standard), 0) as schoolsMeetingStandard,
       coalesce(sum(declared_connected), 0) as schoolsDeclaredConnected, coalesce(sum(declaration_conflict), 0) as declarationConflicts,
       coalesce(sum(classrooms_registered), 0) as classroomsRegistered, coalesce(sum(classrooms_equipped), 0) as classroomsEquipped,
       coalesce(sum(classrooms_equipped_projector), 0) as classroomsEquippedProjector,
       coalesce(sum(classrooms_equipped_interactive_panel), 0) as classroomsEquippedInteractivePanel,
       coalesce(sum(classrooms_equipped_large_display), 0) as classroomsEquippedLargeDisplay,
       coalesce(sum(classrooms_declared_equipped), 0) as classroomsDeclaredEquipped, coalesce(sum(devices_enrolled), 0) as devicesEnrolled,
       coalesce(sum(devices_live), 0) as devicesLive, coalesce(sum(devices_at_risk), 0) as devicesAtRisk,
       coalesce(sum(devices_silent), 0) as devicesSilent, coalesce(sum(devices_never), 0) as devicesNever,
       coalesce(sum(teachers), 0) as teachers, coalesce(sum(teacher_spaces_opened), 0) as teacherSpacesOpened,
       coalesce(sum(teacher_spaces_verified), 0) as teacherSpacesVerified, count(teachers) as schoolsDeclaringTeacherSpaces
     from school_status where county_code = ?`,
  ),
  /** A division's children's rollups, summed: the rollup of a division above the county. */
  childTotals: sqlite.prepare<[string], Record<string, number>>(
    `select coalesce(sum(r.schools_registered), 0) as schoolsRegistered,
       coalesce(sum(r.schools_connected), 0) as schoolsConnected,
       coalesce(sum(r.schools_meeting_standard), 0) as schoolsMeetingStandard,
       coalesce(sum(r.schools_declared_connected), 0) as schoolsDeclaredConnected,
       coalesce(sum(r.declaration_conflicts), 0) as declarationConflicts,
       coalesce(sum(r.classrooms_registered), 0) as classroomsRegistered,
       coalesce(sum(r.classrooms_equipped), 0) as classroomsEquipped,
       coalesce(sum(r.classrooms_equipped_projector), 0) as classroomsEquippedProjector,
       coalesce(sum(r.classrooms_equipped_interactive_panel), 0) as classroomsEquippedInteractivePanel,
       coalesce(sum(r.classrooms_equipped_large_display), 0) as classroomsEquippedLargeDisplay,
       coalesce(sum(r.classrooms_declared_equipped), 0) as classroomsDeclaredEquipped,
       coalesce(sum(r.devices_enrolled), 0) as devicesEnrolled,
       coalesce(sum(r.devices_live), 0) as devicesLive,
       coalesce(sum(r.devices_at_risk), 0) as devicesAtRisk,
       coalesce(sum(r.devices_silent), 0) as devicesSilent,
       coalesce(sum(r.devices_never), 0) as devicesNever,
       coalesce(sum(r.teachers), 0) as teachers,
       coalesce(sum(r.teacher_spaces_opened), 0) as teacherSpacesOpened,
       coalesce(sum(r.teacher_spaces_verified), 0) as teacherSpacesVerified,
       coalesce(sum(r.schools_declaring_teacher_spaces), 0) as schoolsDeclaringTeacherSpaces
     from divisions d join division_rollups r on r.division_code = d.code where d.parent_code = ?`,
  ),
  writeRollup: sqlite.prepare(
    `insert into division_rollups (division_code, schools_registered, schools_connected, schools_meeting_standard, schools_declared_connected, declaration_conflicts, classrooms_registered, classrooms_equipped, classrooms_equipped_projector, classrooms_equipped_interactive_panel, classrooms_equipped_large_display, classrooms_declared_equipped, devices_enrolled, devices_live, devices_at_risk, devices_silent, devices_never, teachers, teacher_spaces_opened, teacher_spaces_verified, schools_declaring_teacher_spaces, updated_at)
     values (@divisionCode, @schoolsRegistered, @schoolsConnected, @schoolsMeetingStandard, @schoolsDeclaredConnected, @declarationConflicts, @classroomsRegistered, @classroomsEquipped, @classroomsEquippedProjector, @classroomsEquippedInteractivePanel, @classroomsEquippedLargeDisplay, @classroomsDeclaredEquipped, @devicesEnrolled, @devicesLive, @devicesAtRisk, @devicesSilent, @devicesNever, @teachers, @teacherSpacesOpened, @teacherSpacesVerified, @schoolsDeclaringTeacherSpaces, @updatedAt)
     on conflict (division_code) do update set schools_registered = excluded.schools_registered, schools_connected = excluded.schools_connected, schools_meeting_standard = excluded.schools_meeting_standard, schools_declared_connected = excluded.schools_declared_connected, declaration_conflicts = excluded.declaration_conflicts, classrooms_registered = excluded.classrooms_registered, classrooms_equipped = excluded.classrooms_equipped, classrooms_equipped_projector = excluded.classrooms_equipped_projector, classrooms_equipped_interactive_panel = excluded.classrooms_equipped_interactive_panel, classrooms_equipped_large_display = excluded.classrooms_equipped_large_display, classrooms_declared_equipped = excluded.classrooms_declared_equipped, devices_enrolled = excluded.devices_enrolled, devices_live = excluded.devices_live, devices_at_risk = excluded.devices_at_risk, devices_silent = excluded.devices_silent, devices_never = excluded.devices_never, teachers = excluded.teachers, teacher_spaces_opened = excluded.teacher_spaces_opened, teacher_spaces_verified = excluded.teacher_spaces_verified, schools_declaring_teacher_spaces = excluded.schools_declaring_teacher_spaces, updated_at = excluded.updated_at`,
  ),
});
export type EvaluateStatements = ReturnType<typeof bundle>;

/** The connection's prepared evaluation statements. */
export const evaluateStatements = perConnection(bundle);
