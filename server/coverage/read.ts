import { ROLLUP_FIGURES } from './evaluate-statements.ts';
import { and, asc, desc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { Statement } from 'better-sqlite3';
import type { Coverage, CountySchoolsQuery, SchoolDetail, SchoolRow } from '../../shared/schemas/coverage.ts';
import { schoolCodeLabels } from '../../shared/schemas/school.ts';
import type { Db } from '../db/client.ts';
import {
  classrooms,
  classroomStatus,
  devices,
  deviceStatus,
  divisionRollups,
  divisions,
  hardwareConflicts,
  inspectionSchools,
} from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { currentPlanOnConnection } from '../plan/current-connection.ts';
import { divisionTarget, progressOf } from '../plan/milestones.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { type DeploymentTree, type TreeDivision } from '../divisions/deployment.ts';
import { perConnection } from '../db/per-connection.ts';
import { reasonList } from './plausibility.ts';
import { localYear } from '../../shared/time/china-time.ts';
import { latestDisplaysOnConnection, sweepBeforeReadOnConnection } from './evaluate-on-connection.ts';

/*
 * Coverage reads come from the derived status and rollup tables only: their cost does not grow with
 * report history. Each read runs the read's sweep first (sweepBeforeRead), so the figures hold for `now`
 * without the caller having to remember it (issue 12: a route that forgot showed stale figures).
 */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Rollup = typeof divisionRollups.$inferSelect;
type RollupFigures = Omit<Rollup, 'divisionCode' | 'updatedAt'>;
/** The figures a rollup holds: the list the evaluation sums them by (evaluate-statements.ts). */
const rollupKeys = ROLLUP_FIGURES satisfies readonly (keyof RollupFigures)[];

const deviceFigures = (
  r: Pick<Rollup, 'devicesEnrolled' | 'devicesLive' | 'devicesAtRisk' | 'devicesSilent' | 'devicesNever'>,
) => ({
  enrolled: r.devicesEnrolled,
  live: r.devicesLive,
  atRisk: r.devicesAtRisk,
  silent: r.devicesSilent,
  never: r.devicesNever,
});

type ClassroomFigureColumns =
  | 'classroomsRegistered'
  | 'classroomsEquipped'
  | 'classroomsDeclaredEquipped'
  | 'classroomsEquippedProjector'
  | 'classroomsEquippedInteractivePanel'
  | 'classroomsEquippedLargeDisplay';
const classroomFigures = (r: Pick<Rollup, ClassroomFigureColumns>) => ({
  registered: r.classroomsRegistered,
  equipped: r.classroomsEquipped,
  equippedBy: {
    projector: r.classroomsEquippedProjector,
    interactivePanel: r.classroomsEquippedInteractivePanel,
    largeDisplay: r.classroomsEquippedLargeDisplay,
  },
  declaredEquipped: r.classroomsDeclaredEquipped,
});

/**
 * Which county rows an answer lists: all of them, or one page (a country's 2,974 are paged) when `counties` is
 * true, none when false, and when unset a page only where they are the division's children (decision 162).
 */
export type CountyRows = 'all' | { page: number; pageSize: number; counties?: boolean };

/**
 * Whether an answer lists a division's county rows unasked (decision 162): where every child is a county-level
 * unit (a prefecture's counties, a municipality's districts; a county or a city without counties has none), the
 * rows are its children again. Above that they would outweigh the children: a country's first page of 100 counties
 * was three quarters of its answer.
 */
function listsCountiesUnasked(tree: DeploymentTree, code: string): boolean {
  return tree.children(code).every((child) => tree.isSchoolUnit(child.code));
}

const rollupStatements = perConnection((sqlite) => ({
  byCode: sqlite.prepare<[string], Rollup>(
    `select division_code as divisionCode, ${rollupKeys.map((k) => `${snake(k)} as ${k}`).join(', ')}, updated_at as updatedAt
     from division_rollups where division_code = ?`,
  ),
}));

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const noFigures = Object.fromEntries(rollupKeys.map((k) => [k, 0])) as RollupFigures;

/** A division's rollup row: one primary-key lookup (no school or report is read). */
export function rollupOf(db: Db, code: string): RollupFigures {
  return rollupStatements(db).byCode.get(code) ?? noFigures;
}

/**
 * The figures of one division — the deployment's root when `divisionCode` is null — against the plan, with
 * its direct sub-divisions (`children`) and its county-level divisions (`counties`, all or one page), each
 * from its own rollup row: the same few dozen primary-key lookups for a prefecture and for the country.
 */
export function readCoverage(db: Db, divisionCode: string | null, now: number, rows: CountyRows = 'all'): Coverage {
  sweepBeforeReadOnConnection(db, now);
  const plan = currentPlanOnConnection(db);
  const tree = deploymentTreeOnConnection(db);
  const division = divisionCode === null ? tree.root : tree.get(divisionCode);
  if (!division)
    throw new DomainError('not-found', 'division_unknown', `no division ${divisionCode} under ${tree.root.code}`);
  const isRoot = division.code === tree.root.code;
  const totals = rollupOf(db, division.code);
  const counties = tree.counties(division.code);
  const page = rows === 'all' ? { page: 1, pageSize: counties.length } : countyPageOf(rows, tree, division.code);
  const listed = counties.slice((page.page - 1) * page.pageSize, page.page * page.pageSize);
  const { schoolsConnected, classroomsEquipped } = plan.indicators;
  const progress = (r: RollupFigures) => ({
    year: localYear(now),
    schoolsConnected: progressOf(schoolsConnected, r.schoolsConnected, r.schoolsRegistered, now),
    classroomsEquipped: progressOf(classroomsEquipped, r.classroomsEquipped, r.classroomsRegistered, now),
  });
  // The division's own targets first, then the plan's shares, then its absolute counts at the root only.
  const target = (indicator: 'schoolsConnected' | 'classroomsEquipped', registered: number) =>
    divisionTarget(plan, indicator, division.code, isRoot, registered);
  // A prefecture's children are its counties: each division's entry is built once per read.
  const entries = new Map<string, ReturnType<typeof entryOf>>();
  const entry = (d: TreeDivision) => entries.get(d.code) ?? entries.set(d.code, entryOf(d)).get(d.code)!;
  const entryOf = (d: TreeDivision) => {
    const r = rollupOf(db, d.code);
    return {
      code: d.code,
      name: d.name,
      pinyin: d.pinyin,
      level: d.level,
      schools: {
        registered: r.schoolsRegistered,
        connected: r.schoolsConnected,
        meetingStandard: r.schoolsMeetingStandard,
        declaredConnected: r.schoolsDeclaredConnected,
        declarationConflicts: r.declarationConflicts,
      },
      classrooms: classroomFigures(r),
      devices: deviceFigures(r),
      progress: progress(r),
    };
  };
  return {
    asOf: new Date(now).toISOString(),
    scope: { level: division.level, code: division.code },
    division: { code: division.code, name: division.name, pinyin: division.pinyin, level: division.level },
    prefecture: { code: tree.root.code, name: tree.root.name },
    evidenceWindowDays: plan.coverage.evidenceWindowDays,
    schools: {
      ...target('schoolsConnected', totals.schoolsRegistered),
      registered: totals.schoolsRegistered,
      connected: totals.schoolsConnected,
      meetingStandard: totals.schoolsMeetingStandard,
      declaredConnected: totals.schoolsDeclaredConnected,
      declarationConflicts: totals.declarationConflicts,
    },
    classrooms: {
      ...target('classroomsEquipped', totals.classroomsRegistered),
      ...classroomFigures(totals),
    },
    devices: deviceFigures(totals),
    progress: progress(totals),
    children: tree.children(division.code).map(entry),
    countyPage: { ...page, total: counties.length },
    counties: listed.map(entry),
  };
}

/** The page of county rows asked for; none (a page of size 0) when not asked and not listed unasked. */
function countyPageOf(
  rows: Exclude<CountyRows, 'all'>,
  tree: DeploymentTree,
  code: string,
): { page: number; pageSize: number } {
  const listed = rows.counties ?? listsCountiesUnasked(tree, code);
  return listed ? { page: rows.page, pageSize: rows.pageSize } : { page: 1, pageSize: 0 };
}

/*
 * A county's school list is read on every page of the dashboard and the API. Its statements are written
 * in SQL and prepared once per connection and filter combination (a few dozen at most); rows come back
 * in the answer's shape, so a page of 100 schools costs one statement and no mapping layer.
 */
const countySchoolColumns = `s.code, s.name, s.township, s.type_code as typeCode, s.urban_rural_code as urbanRuralCode,
  st.connected, st.last_reachable_at as lastReachableAt, st.bandwidth_mbps as bandwidthMbps, st.standard_mbps as standardMbps,
  st.meets_standard as meetsStandard, st.declared_connected as declaredConnected, st.declaration_conflict as declarationConflict,
  st.bandwidth_source as bandwidthSource, st.flagged_samples as flaggedSamples, st.flag_reasons as flagReasons,
  st.classrooms_registered as classroomsRegistered, st.classrooms_equipped as classroomsEquipped,
  st.classrooms_equipped_projector as classroomsEquippedProjector,
  st.classrooms_equipped_interactive_panel as classroomsEquippedInteractivePanel,
  st.classrooms_equipped_large_display as classroomsEquippedLargeDisplay,
  st.classrooms_declared_equipped as classroomsDeclaredEquipped, st.devices_enrolled as devicesEnrolled, st.devices_live as devicesLive,
  st.devices_at_risk as devicesAtRisk, st.devices_silent as devicesSilent, st.devices_never as devicesNever`;
interface CountySchoolRow extends Omit<
  SchoolRow,
  | 'connected'
  | 'lastReachableAt'
  | 'meetsStandard'
  | 'declaredConnected'
  | 'declarationConflict'
  | 'flagReasons'
  | 'classrooms'
  | 'devices'
> {
  flagReasons: string | null;
  connected: number;
  lastReachableAt: number | null;
  meetsStandard: number;
  declaredConnected: number;
  declarationConflict: number;
  classroomsRegistered: number;
  classroomsEquipped: number;
  classroomsEquippedProjector: number;
  classroomsEquippedInteractivePanel: number;
  classroomsEquippedLargeDisplay: number;
  classroomsDeclaredEquipped: number;
  devicesEnrolled: number;
  devicesLive: number;
  devicesAtRisk: number;
  devicesSilent: number;
  devicesNever: number;
}
type Bound = Record<string, string | number>;
const countySchoolStatements = perConnection(
  () => new Map<string, { total: Statement<[Bound], number>; rows: Statement<[Bound], CountySchoolRow> }>(),
);

/** The filters of a county school query as SQL, with the values they bind. */
function countySchoolFilters(countyCode: string, query: CountySchoolsQuery): { where: string[]; values: Bound } {
  const where = ['st.county_code = @county'];
  const values: Bound = { county: countyCode };
  const equals = (column: string, name: string, value: string | number | boolean | undefined) => {
    if (value === undefined || value === '') return;
    where.push(`${column} = @${name}`);
    values[name] = typeof value === 'boolean' ? Number(value) : value;
  };
  equals('st.connected', 'connected', query.connected);
  equals('st.meets_standard', 'meetsStandard', query.meetsStandard);
  equals('st.declared_connected', 'declaredConnected', query.declaredConnected);
  equals('st.declaration_conflict', 'conflict', query.conflict);
  if (query.flagged !== undefined) where.push(query.flagged ? 'st.flagged_samples > 0' : 'st.flagged_samples = 0');
  equals('s.type_code', 'typeCode', query.typeCode);
  equals('s.township', 'township', query.township);
  if (query.hasSilentDevices !== undefined)
    where.push(`${query.hasSilentDevices ? '' : 'not '}(st.devices_silent + st.devices_at_risk) > 0`);
  if (query.noAgent !== undefined) where.push(query.noAgent ? 'st.devices_enrolled = 0' : 'st.devices_enrolled > 0');
  if (query.q) {
    where.push(`(s.code like @pattern escape '\\' or s.name like @pattern escape '\\')`);
    values.pattern = `%${query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  }
  return { where, values };
}

/** One county's schools with their figures as of `now`, filtered; one page of them, or all when not paged (CSV). */
export function readCountySchools(db: Db, countyCode: string, query: CountySchoolsQuery, now: number, paged: boolean) {
  sweepBeforeReadOnConnection(db, now);
  const { where, values } = countySchoolFilters(countyCode, query);
  const shape = `${where.join(' and ')}${paged ? ' paged' : ''}`;
  const statements = countySchoolStatements(db);
  let prepared = statements.get(shape);
  if (!prepared) {
    const from = `from school_status st join schools s on s.code = st.school_code where ${where.join(' and ')}`;
    prepared = {
      total: db.$client.prepare<[Bound], number>(`select count(*) ${from}`).pluck(),
      rows: db.$client.prepare<[Bound], CountySchoolRow>(
        `select ${countySchoolColumns} ${from} order by s.code${paged ? ' limit @limit offset @offset' : ''}`,
      ),
    };
    statements.set(shape, prepared);
  }
  const total = prepared.total.get(values)!;
  const rows = prepared.rows.all(
    paged ? { ...values, limit: query.pageSize, offset: (query.page - 1) * query.pageSize } : values,
  );
  return { total, page: query.page, pageSize: query.pageSize, rows: rows.map(countySchoolRow) };
}

function countySchoolRow(r: CountySchoolRow): SchoolRow {
  return {
    code: r.code,
    name: r.name,
    township: r.township,
    typeCode: r.typeCode,
    urbanRuralCode: r.urbanRuralCode,
    ...schoolCodeLabels(r.typeCode, r.urbanRuralCode),
    connected: r.connected === 1,
    lastReachableAt: iso(r.lastReachableAt),
    bandwidthMbps: r.bandwidthMbps,
    standardMbps: r.standardMbps,
    meetsStandard: r.meetsStandard === 1,
    declaredConnected: r.declaredConnected === 1,
    declarationConflict: r.declarationConflict === 1,
    bandwidthSource: r.bandwidthSource,
    flaggedSamples: r.flaggedSamples,
    flagReasons: reasonList(r.flagReasons),
    classrooms: classroomFigures(r),
    devices: deviceFigures(r),
  };
}

/** Looks up a county (or a prefecture-level city without counties, which schools point at alike), or throws 404. */
export function findCounty(db: Db, code: string): TreeDivision {
  const tree = deploymentTreeOnConnection(db);
  const county = tree.get(code);
  if (!county || !tree.isSchoolUnit(code))
    throw new DomainError('not-found', 'county_unknown', `no county ${code} in the plan's division tree`);
  return county;
}

function lastInspection(db: Db, schoolCode: string) {
  const found = db
    .select({
      inspectionId: inspectionSchools.inspectionId,
      result: inspectionSchools.result,
      note: inspectionSchools.note,
      recordedAt: inspectionSchools.recordedAt,
    })
    .from(inspectionSchools)
    .where(and(eq(inspectionSchools.schoolCode, schoolCode), isNotNull(inspectionSchools.recordedAt)))
    .orderBy(desc(inspectionSchools.recordedAt))
    .limit(1)
    .get();
  return found?.result && found.recordedAt !== null
    ? { inspectionId: found.inspectionId, result: found.result, note: found.note, recordedAt: iso(found.recordedAt)! }
    : null;
}

const schoolByCode = perConnection((sqlite) =>
  sqlite.prepare<
    [string],
    CountySchoolRow & {
      countyCode: string;
      countyName: string;
      countyPinyin: string | null;
      classCount: number | null;
      centreSchoolCode: string | null;
    }
  >(
    `select ${countySchoolColumns}, d.code as countyCode, d.name as countyName, d.pinyin as countyPinyin, s.class_count as classCount, s.centre_school_code as centreSchoolCode
     from schools s join school_status st on st.school_code = s.code join divisions d on d.code = s.county_code where s.code = ?`,
  ),
);

/** A school with its figures, its classrooms' status and its devices' state, as of `now`. */
export function readSchool(db: Db, code: string, now: number): SchoolDetail {
  sweepBeforeReadOnConnection(db, now);
  const row = schoolByCode(db).get(code);
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
          .where(
            or(
              inArray(
                hardwareConflicts.deviceId,
                deviceRows.map((d) => d.device.id),
              ),
              inArray(
                hardwareConflicts.otherDeviceId,
                deviceRows.map((d) => d.device.id),
              ),
            ),
          )
          .all()
          .flatMap((c) => [c.a, c.b]),
  );
  return {
    asOf: new Date(now).toISOString(),
    school: {
      ...countySchoolRow(row),
      county: { code: row.countyCode, name: row.countyName, pinyin: row.countyPinyin },
      classCount: row.classCount,
      centreSchoolCode: row.centreSchoolCode,
      lastInspection: lastInspection(db, code),
    },
    classrooms: classroomRows.map(({ classroom, status }) => ({
      code: classroom.code,
      name: classroom.name,
      equipped: status?.equipped ?? false,
      equippedKind: status?.equippedKind ?? null,
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
      downSource: status?.downSource ?? null,
      flaggedSamples: status?.flaggedSamples ?? 0,
      flagReasons: reasonList(status?.flagReasons ?? null),
      enrolledAt: iso(device.enrolledAt)!,
      revokedAt: iso(device.revokedAt),
      hardwareConflict: conflicted.has(device.id),
      displays: latestDisplaysOnConnection(db, device.id, status?.lastCollectedAt ?? null),
    })),
  };
}
