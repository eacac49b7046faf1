import type { PresentationKind } from '../../shared/schemas/report.ts';
import { statement, type Param } from '../db/store.ts';
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
export const previousCounty = statement<{ countyCode: string; nextChangeAt: number | null }, [string]>(
  'select county_code as "countyCode", next_change_at as "nextChangeAt" from school_status where school_code = ?',
);
export const schoolOf = statement<SchoolRow, [string]>(
  `select s.code, s.county_code as "countyCode", s.type_code as "typeCode", s.urban_rural_code as "urbanRuralCode",
     t.teachers, t.spaces_opened as "teacherSpacesOpened", t.spaces_verified as "teacherSpacesVerified"
   from schools s left join teacher_spaces t on t.school_code = s.code where s.code = ?`,
);
export const dropStatus = statement<never, [string]>('delete from school_status where school_code = ?');
export const devicesOf = statement<DeviceEvidenceRow, [string]>(
  `select d.id, d.classroom_id as "classroomId", d.revoked_at as "revokedAt",
          case when s.device_id is not null then 1 else 0 end as "hasStatus",
          s.last_collected_at as "lastCollectedAt", s.last_reachable_at as "lastReachableAt",
          s.last_presentation_at as "lastPresentationAt", s.last_presentation_kind as "lastPresentationKind",
          s.median_down_mbps as "storedDown", s.median_up_mbps as "storedUp", s.throughput_samples as "storedSamples",
          s.down_source as "storedSource", s.flagged_samples as "storedFlagged", s.flag_reasons as "storedReasons"
   from devices d left join device_status s on s.device_id = d.id where d.school_code = ?`,
);
export const writeDevice = statement<
  never,
  [string, string, string, number | null, number | null, number, string | null, number, string | null]
>(
  `insert into device_status (device_id, school_code, state, median_down_mbps, median_up_mbps, throughput_samples,
     down_source, flagged_samples, flag_reasons)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?)
   on conflict (device_id) do update set school_code = excluded.school_code, state = excluded.state,
     median_down_mbps = excluded.median_down_mbps, median_up_mbps = excluded.median_up_mbps,
     throughput_samples = excluded.throughput_samples, down_source = excluded.down_source,
     flagged_samples = excluded.flagged_samples, flag_reasons = excluded.flag_reasons`,
);
export const samplesOf = statement<
  { down: number; up: number | null; flag: SampleFlag | null; collectedAt: number },
  [string, number, number]
>(
  `select down_mbps as "down", up_mbps as "up", down_flag as "flag", collected_at as "collectedAt" from reports
   where device_id = ? and down_mbps is not null and collected_at >= ? and collected_at <= ? order by collected_at`,
);
/** The server's own measurements of a device's download in the window (server/speedtest/record.ts). */
export const serverSamplesOf = statement<{ down: number; finishedAt: number }, [string, number, number]>(
  `select down_mbps as "down", finished_at as "finishedAt" from speedtests
   where device_id = ? and down_mbps is not null and finished_at >= ? and finished_at <= ? order by finished_at`,
);
export const declarationsOf = statement<{ indicator: 'connected' | 'equipped'; classroomId: number | null }, [string]>(
  'select indicator, classroom_id as "classroomId" from declarations where school_code = ? and withdrawn_at is null',
);
export const classroomsOf = statement<{ id: number }, [string]>('select id from classrooms where school_code = ?');
export const writeClassroom = statement<never, [number, string, number, number | null, string | null, number]>(
  `insert into classroom_status (classroom_id, school_code, equipped, last_evidence_at, equipped_kind, declared_equipped)
   values (?, ?, ?, ?, ?, ?)
   on conflict (classroom_id) do update set school_code = excluded.school_code, equipped = excluded.equipped,
     last_evidence_at = excluded.last_evidence_at, equipped_kind = excluded.equipped_kind,
     declared_equipped = excluded.declared_equipped`,
);

/** A figure's column: its name in snake case (`devicesAtRisk` is devices_at_risk). */
const columnOf = (figure: string) => figure.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** An insert of `figures` (the first is the key) that replaces every other figure of an existing row. */
const upsert = (table: string, figures: readonly string[]) => {
  const [key, ...rest] = figures.map(columnOf);
  return `insert into ${table} (${[key, ...rest].join(', ')}) values (${figures.map(() => '?').join(', ')})
    on conflict (${key}) do update set ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`;
};

/** school_status's columns as writeSchool takes them: the school's code, then its figures. */
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
export const writeSchool = statement<never, Param[]>(upsert('school_status', SCHOOL_STATUS));

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
type RollupFigures = Record<(typeof ROLLUP_FIGURES)[number], number>;

/** A division's schools, summed: the rollup of a county (or of a prefecture-level city without counties). */
export const schoolTotals = statement<RollupFigures, [string]>(
  `select count(*) as "schoolsRegistered", coalesce(sum(connected), 0) as "schoolsConnected",
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
   from school_status where county_code = ?`,
);
/** A division's children's rollups, summed: the rollup of a division above the county. */
export const childTotals = statement<RollupFigures, [string]>(
  `select ${ROLLUP_FIGURES.map((f) => `coalesce(sum(r.${columnOf(f)}), 0) as "${f}"`).join(', ')}
   from divisions d join division_rollups r on r.division_code = d.code where d.parent_code = ?`,
);
/** division_rollups' columns as writeRollup takes them: the division's code, its figures, when. */
export const DIVISION_ROLLUP = ['divisionCode', ...ROLLUP_FIGURES, 'updatedAt'] as const;
export const writeRollup = statement<never, Param[]>(upsert('division_rollups', DIVISION_ROLLUP));
