import type { CoverageRules } from '../../shared/schemas/plan.ts';
import { execute, rows, runSteps, type Steps } from '../db/steps.ts';
import type { Store } from '../db/store.ts';
import {
  childTotals,
  classroomsOf,
  declarationsOf,
  devicesOf,
  DIVISION_ROLLUP,
  dropStatus,
  dueSchools,
  previousStatuses,
  ROLLUP_FIGURES,
  SCHOOL_STATUS,
  schoolsOf,
  schoolTotals,
  samplesOf,
  serverSamplesOf,
  writeClassrooms,
  writeDevices,
  writeRollups,
  writeSchools,
  CLASSROOM_STATUS,
  DEVICE_STATUS,
  type ClaimRow,
  type DeclarationRow,
  type DeviceEvidenceRow,
  type ServerSampleRow,
  type SchoolRow,
  type SchoolStatusRow,
} from './evaluate-statements.ts';
import { listChunks, multiRowChunks } from '../db/multi-row.ts';
import type { Param, Statement } from '../db/store.ts';
import { currentPlan } from '../plan/current.ts';
import { deploymentTree, type DeploymentTree } from '../divisions/deployment.ts';
import type { Calendar } from './calendar.ts';
import { readCalendars } from './county-calendars.ts';
import { evidenceExpiry, evidenceWindowStart } from './rules.ts';
import {
  fromStored,
  noEvidence,
  noThroughput,
  schoolFigures,
  throughputOf,
  type DeviceEvidence,
  type DeviceInput,
  type Judge,
  type Throughput,
} from './school-figures.ts';

/** What an evaluation reads besides the schools' rows: the plan's rules, the counties' calendars, the division tree. */
export interface EvaluationInputs {
  rules: CoverageRules;
  calendarOf: (countyCode: string) => Calendar;
  tree: DeploymentTree;
}

/**
 * Re-derives the status of the given schools (their devices, classrooms and the school itself) from
 * registry, evidence, declarations and the school calendar as of `now`, then the rollups of their
 * counties. Run it inside the transaction that changed the inputs, so figures commit with them.
 *
 * `reported`: when only these devices' reports are new (ingest), the other devices' speed-test medians
 * are taken as last stored instead of read again from their samples — they cannot have changed before
 * the school's next_change_at, which holds each device's oldest sample's expiry and is kept as a bound.
 * A school that is due (or has no status yet) is evaluated in full.
 */
export async function evaluateSchools(
  store: Store,
  schoolCodes: Iterable<string>,
  now: number,
  reported?: ReadonlySet<string>,
): Promise<void> {
  const inputs: EvaluationInputs = {
    rules: (await currentPlan(store)).coverage,
    calendarOf: await readCalendars(store),
    tree: await deploymentTree(store),
  };
  await runSteps(store, evaluation(inputs, schoolCodes, now, reported));
}

/** evaluateSchools as steps (server/db/steps.ts), run on the store above. */
export function* evaluation(
  inputs: EvaluationInputs,
  schoolCodes: Iterable<string>,
  now: number,
  reported?: ReadonlySet<string>,
): Steps<void> {
  const counties = new Set<string>();
  const written: StatusRows = { devices: [], classrooms: [], schools: [] };
  for (const chunk of listChunks([...new Set(schoolCodes)])) {
    const evidence = yield* readEvidence(inputs, chunk, now, reported);
    for (const code of new Set(chunk)) {
      const previous = evidence.previous.get(code);
      if (previous) counties.add(previous.countyCode);
      const school = evidence.schools.get(code);
      if (!school) {
        yield* execute(dropStatus, code);
        continue;
      }
      counties.add(school.countyCode);
      evaluateSchool(school, evidence, written);
    }
  }
  // Every school's status rows at once, a few to a statement: each school was read before any was written, and
  // no school's evaluation reads another's rows. The rollups below sum what is written here.
  yield* writeRows(writeDevices, written.devices);
  yield* writeRows(writeClassrooms, written.classrooms);
  yield* writeRows(writeSchools, written.schools);
  yield* rollups(inputs.tree, counties, now);
}

/** What an evaluation reads of a list of schools, by school code (devices' samples by device id). */
interface Evidence {
  previous: Map<string, { countyCode: string; nextChangeAt: number | null }>;
  schools: Map<string, SchoolRow>;
  judges: Map<string, Judge>;
  devices: Map<string, DeviceEvidenceRow[]>;
  classrooms: Map<string, { id: number }[]>;
  declarations: Map<string, DeclarationRow[]>;
  /**
   * The schools evaluated incrementally (see evaluateSchools' `reported`): their previous next_change_at, kept as
   * a bound because it holds the expiry of samples this evaluation does not read again.
   */
  bounds: Map<string, number>;
  /** Each device read again: its claims and the server's samples in its school's window. */
  measured: Map<string, { claims: ClaimRow[]; serverSamples: ServerSampleRow[] }>;
}

/**
 * Reads a list of schools' evidence (codes may repeat): a statement per kind of row for the whole list, then the
 * speed tests of the devices read again, each kept to its own school's window.
 */
function* readEvidence(
  inputs: EvaluationInputs,
  codes: string[],
  now: number,
  reported: ReadonlySet<string> | undefined,
): Steps<Evidence> {
  const n = codes.length;
  const evidence: Evidence = {
    previous: new Map((yield* rows(previousStatuses(n), ...codes)).map((r) => [r.schoolCode, r])),
    schools: new Map((yield* rows(schoolsOf(n), ...codes)).map((r) => [r.code, r])),
    judges: new Map(),
    devices: groupBy(yield* rows(devicesOf(n), ...codes), (d) => d.schoolCode),
    classrooms: groupBy(yield* rows(classroomsOf(n), ...codes), (c) => c.schoolCode),
    declarations: groupBy(yield* rows(declarationsOf(n), ...codes), (d) => d.schoolCode),
    bounds: new Map(),
    measured: new Map(),
  };

  const windowStarts = new Map<string, number>();
  for (const [code, school] of evidence.schools) {
    const judge = { rules: inputs.rules, calendar: inputs.calendarOf(school.countyCode), now };
    evidence.judges.set(code, judge);
    const bound = evidence.previous.get(code)?.nextChangeAt;
    const incremental = reported !== undefined && bound != null && bound > now;
    if (incremental) evidence.bounds.set(code, bound);
    const windowStart = evidenceWindowStart(judge.rules, now, judge.calendar);
    for (const device of evidence.devices.get(code) ?? [])
      if (device.revokedAt === null && (!incremental || reported.has(device.id)))
        windowStarts.set(device.id, windowStart);
  }
  for (const ids of listChunks([...windowStarts.keys()])) {
    const from = Math.min(...ids.map((id) => windowStarts.get(id)!));
    const claims = groupBy(yield* rows(samplesOf(ids.length), ...ids, from, now), (c) => c.deviceId);
    const server = groupBy(yield* rows(serverSamplesOf(ids.length), ...ids, from, now), (s) => s.deviceId);
    for (const id of new Set(ids)) {
      const start = windowStarts.get(id)!;
      evidence.measured.set(id, {
        claims: (claims.get(id) ?? []).filter((c) => c.collectedAt >= start),
        serverSamples: (server.get(id) ?? []).filter((s) => s.finishedAt >= start),
      });
    }
  }
  return evidence;
}

/** `items` grouped by `key`, each group in the order the items came. */
function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The status rows an evaluation writes, each in its statement's column order. */
interface StatusRows {
  devices: Param[][];
  classrooms: Param[][];
  schools: Param[][];
}

function* writeRows(statementFor: (rows: number) => Statement<never, Param[]>, rows: Param[][]): Steps<void> {
  for (const chunk of multiRowChunks(rows)) yield* execute(statementFor(chunk.length), ...chunk.flat());
}

/** Computes one school's figures (school-figures.ts) from its evidence and adds its status rows to `written`. */
function evaluateSchool(school: SchoolRow, evidence: Evidence, written: StatusRows): void {
  const code = school.code;
  const judge = evidence.judges.get(code)!;
  const changes: (number | null)[] = [evidence.bounds.get(code) ?? null];
  const devices: DeviceInput[] = [];
  for (const device of evidence.devices.get(code) ?? []) {
    const revoked = device.revokedAt !== null;
    const measured = evidence.measured.get(device.id);
    const throughput = revoked
      ? noThroughput
      : measured
        ? measuredThroughput(measured.claims, measured.serverSamples, judge, changes)
        : storedThroughput(device);
    devices.push({ id: device.id, classroomId: device.classroomId, revoked, evidence: evidenceOf(device), throughput });
  }
  const classroomIds = (evidence.classrooms.get(code) ?? []).map((c) => c.id);
  const declarations = evidence.declarations.get(code) ?? [];
  const figures = schoolFigures({ school, devices, classroomIds, declarations, changes }, judge);
  for (const { id, state, throughput: t } of figures.devices) {
    const device = {
      deviceId: id,
      schoolCode: code,
      state,
      medianDownMbps: t.down,
      medianUpMbps: t.up,
      throughputSamples: t.samples,
      downSource: t.source,
      flaggedSamples: t.flagged,
      flagReasons: t.reasons,
    } satisfies Record<(typeof DEVICE_STATUS)[number], Param>;
    written.devices.push(DEVICE_STATUS.map((column) => device[column]));
  }
  for (const c of figures.classrooms) {
    const classroom = {
      classroomId: c.id,
      schoolCode: code,
      equipped: Number(c.evidence !== null),
      lastEvidenceAt: c.evidence?.at ?? null,
      equippedKind: c.evidence?.kind ?? null,
      declaredEquipped: Number(c.declared),
    } satisfies Record<(typeof CLASSROOM_STATUS)[number], Param>;
    written.classrooms.push(CLASSROOM_STATUS.map((column) => classroom[column]));
  }
  const status: SchoolStatusRow = {
    schoolCode: code,
    countyCode: school.countyCode,
    connected: Number(figures.connected),
    lastReachableAt: figures.lastReachableAt,
    bandwidthMbps: figures.bandwidthMbps,
    standardMbps: figures.standardMbps,
    meetsStandard: Number(figures.meetsStandard),
    declaredConnected: Number(figures.declaredConnected),
    declarationConflict: Number(figures.declarationConflict),
    bandwidthSource: figures.bandwidthSource,
    flaggedSamples: figures.flaggedSamples,
    flagReasons: figures.flagReasons,
    classroomsRegistered: figures.classrooms.length,
    classroomsEquipped: figures.classroomsEquipped,
    classroomsEquippedProjector: figures.equippedBy.projector,
    classroomsEquippedInteractivePanel: figures.equippedBy['interactive-panel'],
    classroomsEquippedLargeDisplay: figures.equippedBy['large-display'],
    classroomsDeclaredEquipped: figures.classroomsDeclaredEquipped,
    devicesEnrolled: figures.devicesEnrolled,
    devicesLive: figures.devicesBy.live,
    devicesAtRisk: figures.devicesBy['at-risk'],
    devicesSilent: figures.devicesBy.silent,
    devicesNever: figures.devicesBy.never,
    evaluatedAt: judge.now,
    nextChangeAt: figures.nextChangeAt,
    // Declared, never measured: carried beside the measured figures so the rollups sum them alike (decision 164).
    teachers: school.teachers,
    teacherSpacesOpened: school.teacherSpacesOpened,
    teacherSpacesVerified: school.teacherSpacesVerified,
  };
  written.schools.push(SCHOOL_STATUS.map((column) => status[column]));
}

/** A device's evidence as device_status holds it (none before its first report). */
const evidenceOf = (row: DeviceEvidenceRow): DeviceEvidence => (row.hasStatus ? fromStored(row) : noEvidence);

const storedThroughput = (row: DeviceEvidenceRow): Throughput => ({
  down: row.storedDown,
  up: row.storedUp,
  samples: row.storedSamples ?? 0,
  source: row.storedSource,
  flagged: row.storedFlagged ?? 0,
  reasons: row.storedReasons,
});

/** One device's throughput from its samples in the window; records when its oldest sample ages out. */
function measuredThroughput(
  claims: ClaimRow[],
  serverSamples: ServerSampleRow[],
  judge: Judge,
  changes: (number | null)[],
): Throughput {
  for (const oldest of [claims[0]?.collectedAt, serverSamples[0]?.finishedAt]) {
    if (oldest !== undefined) changes.push(evidenceExpiry(oldest, judge.rules, judge.calendar));
  }
  return throughputOf(
    claims,
    serverSamples.map((s) => s.down),
  );
}

/**
 * Recomputes the rollups of the given counties from their schools' status rows, then of every division above
 * them up to the deployment root, each from its children's rows (decision 140): deepest first, so a parent
 * sums children already brought up to date. A division's rollup adds its own schools and its children's rows,
 * so a prefecture-level city without counties (a school unit itself) sums the same way.
 */
export async function refreshRollups(store: Store, countyCodes: Iterable<string>, now: number): Promise<void> {
  await runSteps(store, rollups(await deploymentTree(store), countyCodes, now));
}

/** refreshRollups as steps (server/db/steps.ts): a level of the tree at a time, its divisions a list at a time. */
export function* rollups(tree: DeploymentTree, countyCodes: Iterable<string>, now: number): Steps<void> {
  const depthOf = new Map<string, number>();
  for (const code of countyCodes) {
    const chain = tree.ancestors(code);
    depthOf.set(code, chain.length);
    chain.forEach((a, i) => depthOf.set(a.code, chain.length - 1 - i));
  }
  // A division's children are one level deeper than it: each level sums rows the level below has written.
  const levels = new Map<number, string[]>();
  for (const [code, depth] of depthOf) levels.set(depth, [...(levels.get(depth) ?? []), code]);
  for (const depth of [...levels.keys()].sort((a, b) => b - a)) {
    for (const list of listChunks(levels.get(depth)!)) {
      const own = new Map((yield* rows(schoolTotals(list.length), ...list)).map((r) => [r.divisionCode, r]));
      const children = new Map((yield* rows(childTotals(list.length), ...list)).map((r) => [r.divisionCode, r]));
      const written: Param[][] = [];
      for (const divisionCode of new Set(list)) {
        const figures: Record<string, Param> = { divisionCode, updatedAt: now };
        for (const figure of ROLLUP_FIGURES)
          figures[figure] = (own.get(divisionCode)?.[figure] ?? 0) + (children.get(divisionCode)?.[figure] ?? 0);
        written.push(DIVISION_ROLLUP.map((column) => figures[column]!));
      }
      yield* writeRows(writeRollups, written);
    }
  }
}

/**
 * The aging sweep: re-evaluates every school whose figures change by the passage of time by `now`
 * (evidence leaving the window, devices going at-risk or silent), in chunks of one transaction each
 * so a long sweep never holds the write lock for long. Returns the number of schools re-evaluated.
 */
export async function sweepExpired(store: Store, now: number, chunkSize = 200, maxChunks = Infinity): Promise<number> {
  let count = 0;
  for (let chunk = 0; chunk < maxChunks; chunk++) {
    const due = (await store.rows(dueSchools, now, chunkSize)).map((d) => d.schoolCode);
    if (due.length === 0) return count;
    await store.transaction((tx) => evaluateSchools(tx, due, now));
    count += due.length;
  }
  return count;
}

/**
 * The sweep a read runs first: at most one small chunk, so figures are exact at `asOf` whenever the
 * backlog is small (it is, with the aging job running every minute) and a read never waits behind a
 * long sweep when it is not (after downtime, or when a whole region's PCs go quiet for a holiday eve).
 */
export async function sweepBeforeRead(store: Store, now: number): Promise<void> {
  await sweepExpired(store, now, 50, 1);
}
