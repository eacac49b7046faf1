import type { CoverageRules } from '../../shared/schemas/plan.ts';
import { execute, row, rows, runSteps, type Steps } from '../db/steps.ts';
import type { Store } from '../db/store.ts';
import {
  childTotals,
  classroomsOf,
  declarationsOf,
  devicesOf,
  DIVISION_ROLLUP,
  dropStatus,
  dueSchools,
  previousCounty,
  ROLLUP_FIGURES,
  SCHOOL_STATUS,
  schoolOf,
  schoolTotals,
  samplesOf,
  serverSamplesOf,
  writeClassroom,
  writeDevice,
  writeRollup,
  writeSchool,
  type DeviceEvidenceRow,
  type SchoolRow,
  type SchoolStatusRow,
} from './evaluate-statements.ts';
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
  for (const code of new Set(schoolCodes)) {
    const previous = yield* row(previousCounty, code);
    if (previous) counties.add(previous.countyCode);
    const school = yield* row(schoolOf, code);
    if (!school) {
      yield* execute(dropStatus, code);
      continue;
    }
    counties.add(school.countyCode);
    const judge = { rules: inputs.rules, calendar: inputs.calendarOf(school.countyCode), now };
    const incremental = reported !== undefined && previous?.nextChangeAt != null && previous.nextChangeAt > now;
    yield* evaluateSchool(school, judge, incremental ? reported : null, incremental ? previous.nextChangeAt : null);
  }
  yield* rollups(inputs.tree, counties, now);
}

/**
 * Reads one school's evidence, computes its figures (school-figures.ts) and writes them. `remeasure`: the
 * devices whose speed tests are read again (null: all); `bound`: the previous next_change_at, kept because it
 * holds the expiry of samples this evaluation does not read again.
 */
function* evaluateSchool(
  school: SchoolRow,
  judge: Judge,
  remeasure: ReadonlySet<string> | null,
  bound: number | null,
): Steps<void> {
  const code = school.code;
  const windowStart = evidenceWindowStart(judge.rules, judge.now, judge.calendar);
  const changes: (number | null)[] = [bound];
  const devices: DeviceInput[] = [];
  for (const device of yield* rows(devicesOf, code)) {
    const revoked = device.revokedAt !== null;
    const throughput = revoked
      ? noThroughput
      : remeasure === null || remeasure.has(device.id)
        ? yield* measuredThroughput(device.id, windowStart, judge, changes)
        : storedThroughput(device);
    devices.push({ id: device.id, classroomId: device.classroomId, revoked, evidence: evidenceOf(device), throughput });
  }
  const classroomIds = (yield* rows(classroomsOf, code)).map((c) => c.id);
  const declarations = yield* rows(declarationsOf, code);
  const figures = schoolFigures({ school, devices, classroomIds, declarations, changes }, judge);
  for (const { id, state, throughput: t } of figures.devices)
    yield* execute(writeDevice, id, code, state, t.down, t.up, t.samples, t.source, t.flagged, t.reasons);
  for (const c of figures.classrooms)
    yield* execute(
      writeClassroom,
      c.id,
      code,
      Number(c.evidence !== null),
      c.evidence?.at ?? null,
      c.evidence?.kind ?? null,
      Number(c.declared),
    );
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
  yield* execute(writeSchool, ...SCHOOL_STATUS.map((column) => status[column]));
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

/** One device's throughput read again from its samples in the window; records when its oldest sample ages out. */
function* measuredThroughput(
  deviceId: string,
  windowStart: number,
  judge: Judge,
  changes: (number | null)[],
): Steps<Throughput> {
  const claims = yield* rows(samplesOf, deviceId, windowStart, judge.now);
  const serverSamples = yield* rows(serverSamplesOf, deviceId, windowStart, judge.now);
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

/** refreshRollups as steps (server/db/steps.ts). */
export function* rollups(tree: DeploymentTree, countyCodes: Iterable<string>, now: number): Steps<void> {
  const depthOf = new Map<string, number>();
  for (const code of countyCodes) {
    const chain = tree.ancestors(code);
    depthOf.set(code, chain.length);
    chain.forEach((a, i) => depthOf.set(a.code, chain.length - 1 - i));
  }
  const deepestFirst = [...depthOf].sort((a, b) => b[1] - a[1]).map(([code]) => code);
  for (const divisionCode of deepestFirst) {
    const own = (yield* row(schoolTotals, divisionCode))!;
    const children = (yield* row(childTotals, divisionCode))!;
    const figures: Record<string, number | string> = { divisionCode, updatedAt: now };
    for (const figure of ROLLUP_FIGURES) figures[figure] = own[figure] + children[figure];
    yield* execute(writeRollup, ...DIVISION_ROLLUP.map((column) => figures[column]!));
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
