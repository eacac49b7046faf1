import { inTransaction, type Db } from '../db/client.ts';
import { onConnection, type ConnectionRunner } from '../db/per-connection.ts';
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
import { currentPlanOnConnection } from '../plan/current-connection.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { loadCalendars } from './county-calendars.ts';
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
export function evaluateSchools(
  db: Db,
  schoolCodes: Iterable<string>,
  now: number,
  reported?: ReadonlySet<string>,
): void {
  const rules = currentPlanOnConnection(db).coverage;
  const calendarOf = loadCalendars(db);
  const q = onConnection(db);
  const counties = new Set<string>();
  for (const code of new Set(schoolCodes)) {
    const previous = q.row(previousCounty, code);
    if (previous) counties.add(previous.countyCode);
    const school = q.row(schoolOf, code);
    if (!school) {
      q.execute(dropStatus, code);
      continue;
    }
    counties.add(school.countyCode);
    const judge = { rules, calendar: calendarOf(school.countyCode), now };
    const incremental = reported !== undefined && previous?.nextChangeAt != null && previous.nextChangeAt > now;
    evaluateSchool(q, school, judge, incremental ? reported : null, incremental ? previous.nextChangeAt : null);
  }
  refreshRollups(db, counties, now);
}

/**
 * Reads one school's evidence, computes its figures (school-figures.ts) and writes them. `remeasure`: the
 * devices whose speed tests are read again (null: all); `bound`: the previous next_change_at, kept because it
 * holds the expiry of samples this evaluation does not read again.
 */
function evaluateSchool(
  q: ConnectionRunner,
  school: SchoolRow,
  judge: Judge,
  remeasure: ReadonlySet<string> | null,
  bound: number | null,
): void {
  const code = school.code;
  const windowStart = evidenceWindowStart(judge.rules, judge.now, judge.calendar);
  const changes: (number | null)[] = [bound];
  const devices = q.rows(devicesOf, code).map((row): DeviceInput => {
    const revoked = row.revokedAt !== null;
    const throughput = revoked
      ? noThroughput
      : remeasure === null || remeasure.has(row.id)
        ? measuredThroughput(q, row.id, windowStart, judge, changes)
        : storedThroughput(row);
    return { id: row.id, classroomId: row.classroomId, revoked, evidence: evidenceOf(row), throughput };
  });
  const figures = schoolFigures(
    {
      school,
      devices,
      classroomIds: q.rows(classroomsOf, code).map((c) => c.id),
      declarations: q.rows(declarationsOf, code),
      changes,
    },
    judge,
  );
  for (const { id, state, throughput: t } of figures.devices)
    q.execute(writeDevice, id, code, state, t.down, t.up, t.samples, t.source, t.flagged, t.reasons);
  for (const c of figures.classrooms)
    q.execute(
      writeClassroom,
      c.id,
      code,
      Number(c.evidence !== null),
      c.evidence?.at ?? null,
      c.evidence?.kind ?? null,
      Number(c.declared),
    );
  const row: SchoolStatusRow = {
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
  q.execute(writeSchool, ...SCHOOL_STATUS.map((column) => row[column]));
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
function measuredThroughput(
  q: ConnectionRunner,
  deviceId: string,
  windowStart: number,
  judge: Judge,
  changes: (number | null)[],
): Throughput {
  const claims = q.rows(samplesOf, deviceId, windowStart, judge.now);
  const serverSamples = q.rows(serverSamplesOf, deviceId, windowStart, judge.now);
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
export function refreshRollups(db: Db, countyCodes: Iterable<string>, now: number): void {
  const q = onConnection(db);
  const tree = deploymentTreeOnConnection(db);
  const depthOf = new Map<string, number>();
  for (const code of countyCodes) {
    const chain = tree.ancestors(code);
    depthOf.set(code, chain.length);
    chain.forEach((a, i) => depthOf.set(a.code, chain.length - 1 - i));
  }
  const deepestFirst = [...depthOf].sort((a, b) => b[1] - a[1]).map(([code]) => code);
  for (const divisionCode of deepestFirst) {
    const own = q.row(schoolTotals, divisionCode)!;
    const children = q.row(childTotals, divisionCode)!;
    const figures: Record<string, number | string> = { divisionCode, updatedAt: now };
    for (const figure of ROLLUP_FIGURES) figures[figure] = own[figure] + children[figure];
    q.execute(writeRollup, ...DIVISION_ROLLUP.map((column) => figures[column]!));
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
    const due = onConnection(db)
      .rows(dueSchools, now, chunkSize)
      .map((d) => d.schoolCode);
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
