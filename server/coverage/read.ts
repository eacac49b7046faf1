import { ROLLUP_FIGURES } from './evaluate-statements.ts';
import { and, asc, desc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { Coverage, CountySchoolsQuery, SchoolDetail, SchoolRow } from '../../shared/schemas/coverage.ts';
import { schoolCodeLabels } from '../../shared/schemas/school.ts';
import type { divisionRollups } from '../db/schema.ts';
import { statement, type Param, type Statement, type Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { currentPlan } from '../plan/current.ts';
import { divisionTarget, progressOf } from '../plan/milestones.ts';
import { deploymentTree, type DeploymentTree, type TreeDivision } from '../divisions/deployment.ts';
import { reasonList } from './plausibility.ts';
import { localYear } from '../../shared/time/china-time.ts';
import { latestDisplays } from './device-displays.ts';
import { sweepBeforeRead } from './evaluate.ts';

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

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const rollupByCode = statement<RollupFigures, [string]>(
  `select ${rollupKeys.map((k) => `${snake(k)} as "${k}"`).join(', ')} from division_rollups where division_code = ?`,
);

const noFigures = Object.fromEntries(rollupKeys.map((k) => [k, 0])) as RollupFigures;

/** A division's rollup row: one primary-key lookup (no school or report is read). */
export async function rollupOf(store: Store, code: string): Promise<RollupFigures> {
  return (await store.row(rollupByCode, code)) ?? noFigures;
}

/**
 * The figures of one division — the deployment's root when `divisionCode` is null — against the plan, with
 * its direct sub-divisions (`children`) and its county-level divisions (`counties`, all or one page), each
 * from its own rollup row: the same few dozen primary-key lookups for a prefecture and for the country.
 */
export async function readCoverage(
  store: Store,
  divisionCode: string | null,
  now: number,
  rows: CountyRows = 'all',
): Promise<Coverage> {
  await sweepBeforeRead(store, now);
  const plan = await currentPlan(store);
  const tree = await deploymentTree(store);
  const division = divisionCode === null ? tree.root : tree.get(divisionCode);
  if (!division)
    throw new DomainError('not-found', 'division_unknown', `no division ${divisionCode} under ${tree.root.code}`);
  const isRoot = division.code === tree.root.code;
  const totals = await rollupOf(store, division.code);
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
  // A prefecture's children are its counties: each division's rollup is read once per read.
  const figures = new Map<string, RollupFigures>();
  for (const d of [...tree.children(division.code), ...listed])
    if (!figures.has(d.code)) figures.set(d.code, await rollupOf(store, d.code));
  const entries = new Map<string, ReturnType<typeof entryOf>>();
  const entry = (d: TreeDivision) => entries.get(d.code) ?? entries.set(d.code, entryOf(d)).get(d.code)!;
  const entryOf = (d: TreeDivision) => {
    const r = figures.get(d.code)!;
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
 * in SQL, defined once per filter combination (a few dozen at most) and prepared once per connection; rows come
 * back in the answer's shape, so a page of 100 schools costs one statement and no mapping layer (decision 196).
 */
const countySchoolColumns = `s.code, s.name, s.township, s.type_code as "typeCode", s.urban_rural_code as "urbanRuralCode",
  st.connected, st.last_reachable_at as "lastReachableAt", st.bandwidth_mbps as "bandwidthMbps",
  st.standard_mbps as "standardMbps", st.meets_standard as "meetsStandard", st.declared_connected as "declaredConnected",
  st.declaration_conflict as "declarationConflict", st.bandwidth_source as "bandwidthSource",
  st.flagged_samples as "flaggedSamples", st.flag_reasons as "flagReasons",
  st.classrooms_registered as "classroomsRegistered", st.classrooms_equipped as "classroomsEquipped",
  st.classrooms_equipped_projector as "classroomsEquippedProjector",
  st.classrooms_equipped_interactive_panel as "classroomsEquippedInteractivePanel",
  st.classrooms_equipped_large_display as "classroomsEquippedLargeDisplay",
  st.classrooms_declared_equipped as "classroomsDeclaredEquipped", st.devices_enrolled as "devicesEnrolled",
  st.devices_live as "devicesLive", st.devices_at_risk as "devicesAtRisk", st.devices_silent as "devicesSilent",
  st.devices_never as "devicesNever"`;
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

interface CountySchoolStatements {
  total: Statement<{ total: number }, Param[]>;
  rows: Statement<CountySchoolRow, Param[]>;
}
/** The statements of each filter combination asked so far, keyed by their conditions: defined once each. */
const countySchoolStatements = new Map<string, CountySchoolStatements>();

/** The statements of one filter combination (`where`, joined by and), paged (limit, offset last) or not. */
function countySchoolStatementsOf(where: readonly string[], paged: boolean): CountySchoolStatements {
  const shape = `${where.join(' and ')}${paged ? ' paged' : ''}`;
  let defined = countySchoolStatements.get(shape);
  if (!defined) {
    const from = `from school_status st join schools s on s.code = st.school_code where ${where.join(' and ')}`;
    defined = {
      total: statement(`select count(*) as "total" ${from}`),
      rows: statement(`select ${countySchoolColumns} ${from} order by s.code${paged ? ' limit ? offset ?' : ''}`),
    };
    countySchoolStatements.set(shape, defined);
  }
  return defined;
}

/** The filters of a county school query as SQL conditions, with the values they bind in order. */
function countySchoolFilters(countyCode: string, query: CountySchoolsQuery): { where: string[]; values: Param[] } {
  const where = ['st.county_code = ?'];
  const values: Param[] = [countyCode];
  const equals = (column: string, value: string | number | boolean | undefined) => {
    if (value === undefined || value === '') return;
    where.push(`${column} = ?`);
    values.push(typeof value === 'boolean' ? Number(value) : value);
  };
  equals('st.connected', query.connected);
  equals('st.meets_standard', query.meetsStandard);
  equals('st.declared_connected', query.declaredConnected);
  equals('st.declaration_conflict', query.conflict);
  if (query.flagged !== undefined) where.push(query.flagged ? 'st.flagged_samples > 0' : 'st.flagged_samples = 0');
  equals('s.type_code', query.typeCode);
  equals('s.township', query.township);
  if (query.hasSilentDevices !== undefined)
    where.push(`(st.devices_silent + st.devices_at_risk) ${query.hasSilentDevices ? '> 0' : '= 0'}`);
  if (query.noAgent !== undefined) where.push(query.noAgent ? 'st.devices_enrolled = 0' : 'st.devices_enrolled > 0');
  if (query.q) {
    // lower() on both sides: SQLite's like ignores ASCII case, PostgreSQL's does not.
    where.push(`(lower(s.code) like lower(?) escape '\\' or lower(s.name) like lower(?) escape '\\')`);
    const pattern = `%${query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    values.push(pattern, pattern);
  }
  return { where, values };
}

/** One county's schools with their figures as of `now`, filtered; one page of them, or all when not paged (CSV). */
export async function readCountySchools(
  store: Store,
  countyCode: string,
  query: CountySchoolsQuery,
  now: number,
  paged: boolean,
) {
  await sweepBeforeRead(store, now);
  const { where, values } = countySchoolFilters(countyCode, query);
  const statements = countySchoolStatementsOf(where, paged);
  const total = (await store.row(statements.total, ...values))!.total;
  const rows = await store.rows(
    statements.rows,
    ...(paged ? [...values, query.pageSize, (query.page - 1) * query.pageSize] : values),
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
export async function findCounty(store: Store, code: string): Promise<TreeDivision> {
  const tree = await deploymentTree(store);
  const county = tree.get(code);
  if (!county || !tree.isSchoolUnit(code))
    throw new DomainError('not-found', 'county_unknown', `no county ${code} in the plan's division tree`);
  return county;
}

async function lastInspection(store: Store, schoolCode: string) {
  const { inspectionSchools } = store.t;
  const [found] = await store.q
    .select({
      inspectionId: inspectionSchools.inspectionId,
      result: inspectionSchools.result,
      note: inspectionSchools.note,
      recordedAt: inspectionSchools.recordedAt,
    })
    .from(inspectionSchools)
    .where(and(eq(inspectionSchools.schoolCode, schoolCode), isNotNull(inspectionSchools.recordedAt)))
    .orderBy(desc(inspectionSchools.recordedAt))
    .limit(1);
  return found?.result && found.recordedAt !== null
    ? { inspectionId: found.inspectionId, result: found.result, note: found.note, recordedAt: iso(found.recordedAt)! }
    : null;
}

const schoolByCode = statement<
  CountySchoolRow & {
    countyCode: string;
    countyName: string;
    countyPinyin: string | null;
    classCount: number | null;
    centreSchoolCode: string | null;
  },
  [string]
>(
  `select ${countySchoolColumns}, d.code as "countyCode", d.name as "countyName", d.pinyin as "countyPinyin",
     s.class_count as "classCount", s.centre_school_code as "centreSchoolCode"
   from schools s join school_status st on st.school_code = s.code join divisions d on d.code = s.county_code
   where s.code = ?`,
);

/** A school with its figures, its classrooms' status and its devices' state, as of `now`. */
export async function readSchool(store: Store, code: string, now: number): Promise<SchoolDetail> {
  await sweepBeforeRead(store, now);
  const row = await store.row(schoolByCode, code);
  if (!row) throw new DomainError('not-found', 'school_unknown', `no school with code ${code}`);
  const { classrooms, classroomStatus, devices, deviceStatus, hardwareConflicts } = store.t;
  const classroomRows = await store.q
    .select({ classroom: classrooms, status: classroomStatus })
    .from(classrooms)
    .leftJoin(classroomStatus, eq(classroomStatus.classroomId, classrooms.id))
    .where(eq(classrooms.schoolCode, code))
    .orderBy(sql`length(${classrooms.code})`, asc(classrooms.code));
  const deviceRows = await store.q
    .select({ device: devices, status: deviceStatus, classroomCode: classrooms.code })
    .from(devices)
    .leftJoin(deviceStatus, eq(deviceStatus.deviceId, devices.id))
    .leftJoin(classrooms, eq(classrooms.id, devices.classroomId))
    .where(eq(devices.schoolCode, code))
    .orderBy(asc(devices.hostname));
  const deviceIds = deviceRows.map((d) => d.device.id);
  const conflicts =
    deviceIds.length === 0
      ? []
      : await store.q
          .select({ a: hardwareConflicts.deviceId, b: hardwareConflicts.otherDeviceId })
          .from(hardwareConflicts)
          .where(
            or(inArray(hardwareConflicts.deviceId, deviceIds), inArray(hardwareConflicts.otherDeviceId, deviceIds)),
          );
  const conflicted = new Set(conflicts.flatMap((c) => [c.a, c.b]));
  const displays = new Map<string, Awaited<ReturnType<typeof latestDisplays>>>();
  for (const { device, status } of deviceRows)
    displays.set(device.id, await latestDisplays(store, device.id, status?.lastCollectedAt ?? null));
  return {
    asOf: new Date(now).toISOString(),
    school: {
      ...countySchoolRow(row),
      county: { code: row.countyCode, name: row.countyName, pinyin: row.countyPinyin },
      classCount: row.classCount,
      centreSchoolCode: row.centreSchoolCode,
      lastInspection: await lastInspection(store, code),
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
      displays: displays.get(device.id)!,
    })),
  };
}
