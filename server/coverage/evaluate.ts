import type { MeasurementSource } from '../../shared/schemas/coverage.ts';
import type { CoverageRules } from '../../shared/schemas/plan.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { evaluateStatements, type EvaluateStatements, type SchoolRow } from './evaluate-statements.ts';
import { currentPlan } from '../plan/current.ts';
import type { Calendar } from './calendar.ts';
import { loadCalendars } from './closures.ts';
import { deviceBandwidth, storedReasons } from './plausibility.ts';
import {
  bandwidthStandard,
  deviceState,
  deviceStateChanges,
  evidenceExpiry,
  evidenceWindowStart,
  laterPresentation,
  median,
  meetsStandard,
  nextChange,
  type DeviceState,
  type PresentationEvidence,
} from './rules.ts';

/** What one evaluation needs to judge evidence: the rules, the school's calendar and the instant. */
interface Judge {
  rules: CoverageRules;
  calendar: Calendar;
  now: number;
  windowStart: number;
  /** Instants at which some figure changes by time alone; the earliest becomes next_change_at. */
  changes: (number | null)[];
  /** Devices whose speed tests must be read again; null: all of them. */
  remeasure: ReadonlySet<string> | null;
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
export function evaluateSchools(
  db: Db,
  schoolCodes: Iterable<string>,
  now: number,
  reported?: ReadonlySet<string>,
): void {
  const rules = currentPlan(db).coverage;
  const calendarOf = loadCalendars(db);
  const q = evaluateStatements(db);
  const counties = new Set<string>();
  for (const code of new Set(schoolCodes)) {
    const previous = q.previousCounty.get(code);
    if (previous) counties.add(previous.countyCode);
    const school = q.school.get(code);
    if (!school) {
      q.dropStatus.run(code);
      continue;
    }
    counties.add(school.countyCode);
    const calendar = calendarOf(school.countyCode);
    const incremental = reported !== undefined && previous?.nextChangeAt != null && previous.nextChangeAt > now;
    // Kept as a bound: it holds the expiry of samples this evaluation does not read again.
    const changes = incremental ? [previous.nextChangeAt] : [];
    evaluateSchool(q, school, {
      rules,
      calendar,
      now,
      windowStart: evidenceWindowStart(rules, now, calendar),
      changes,
      remeasure: incremental ? reported : null,
    });
  }
  refreshCountyRollups(db, counties, now);
}

function evaluateSchool(q: EvaluateStatements, school: SchoolRow, judge: Judge): void {
  const { rules, calendar, now, windowStart, changes } = judge;
  const code = school.code;
  const stateCounts: Record<DeviceState, number> = { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 };
  const presentationByClassroom = new Map<number, PresentationEvidence>();
  let lastReachableAt: number | null = null;
  let lastReportInWindow: number | null = null;
  let bandwidthMbps: number | null = null;
  let bandwidthSource: MeasurementSource | null = null;
  let flaggedSamples = 0;
  const flagReasons: string[] = [];

  const schoolDevices = q.devices.all(code);
  for (const device of schoolDevices) {
    const revoked = device.revokedAt !== null;
    const state = deviceState(device.lastCollectedAt, revoked, rules, now, calendar);
    stateCounts[state]++;
    const throughput: Throughput = revoked
      ? { down: null, up: null, samples: 0, source: null, flagged: 0, reasons: null }
      : judge.remeasure === null || judge.remeasure.has(device.id)
        ? measuredThroughput(q, device.id, judge)
        : {
            down: device.storedDown,
            up: device.storedUp,
            samples: device.storedSamples ?? 0,
            source: device.storedSource,
            flagged: device.storedFlagged ?? 0,
            reasons: device.storedReasons,
          };
    q.writeDevice.run(
      device.id,
      code,
      state,
      throughput.down,
      throughput.up,
      throughput.samples,
      throughput.source,
      throughput.flagged,
      throughput.reasons,
    );
    // A revoked key's evidence no longer counts: revocation means the device is not trusted.
    if (revoked || !device.hasStatus) continue;
    changes.push(...deviceStateChanges(device.lastCollectedAt, rules, calendar));
    const inWindow = (at: number | null): at is number => at !== null && at >= windowStart;
    if (inWindow(device.lastCollectedAt)) {
      lastReportInWindow = Math.max(lastReportInWindow ?? 0, device.lastCollectedAt);
      changes.push(evidenceExpiry(device.lastCollectedAt, rules, calendar));
    }
    if (inWindow(device.lastReachableAt)) {
      lastReachableAt = Math.max(lastReachableAt ?? 0, device.lastReachableAt);
      changes.push(evidenceExpiry(device.lastReachableAt, rules, calendar));
    }
    if (device.classroomId !== null && inWindow(device.lastPresentationAt)) {
      const evidence = { at: device.lastPresentationAt, kind: device.lastPresentationKind };
      presentationByClassroom.set(
        device.classroomId,
        laterPresentation(presentationByClassroom.get(device.classroomId) ?? null, evidence)!,
      );
      changes.push(evidenceExpiry(device.lastPresentationAt, rules, calendar));
    }
    // The best device's figure, and whose it is; on a tie the server's own measurement names the source.
    if (
      throughput.down !== null &&
      (bandwidthMbps === null ||
        throughput.down > bandwidthMbps ||
        (throughput.down === bandwidthMbps && throughput.source === 'server'))
    ) {
      bandwidthMbps = throughput.down;
      bandwidthSource = throughput.source;
    }
    flaggedSamples += throughput.flagged;
    if (throughput.reasons) flagReasons.push(...throughput.reasons.split(','));
  }

  const declared = q.declarations.all(code);
  const declaredClassrooms = new Set(declared.filter((d) => d.indicator === 'equipped').map((d) => d.classroomId));
  const schoolClassrooms = q.classrooms.all(code);
  let equipped = 0;
  let declaredEquipped = 0;
  const equippedBy = { projector: 0, 'interactive-panel': 0, 'large-display': 0 };
  for (const classroom of schoolClassrooms) {
    const evidence = presentationByClassroom.get(classroom.id) ?? null;
    const isEquipped = evidence !== null;
    const isDeclared = !isEquipped && declaredClassrooms.has(classroom.id);
    if (isEquipped) equipped++;
    if (evidence?.kind) equippedBy[evidence.kind]++;
    if (isDeclared) declaredEquipped++;
    q.writeClassroom.run(
      classroom.id,
      code,
      Number(isEquipped),
      evidence?.at ?? null,
      evidence?.kind ?? null,
      Number(isDeclared),
    );
  }

  const connected = lastReachableAt !== null;
  const declaredConnected = !connected && declared.some((d) => d.indicator === 'connected');
  const standardMbps = bandwidthStandard(school, rules.bandwidth.standards);
  q.writeSchool.run({
    schoolCode: code,
    countyCode: school.countyCode,
    connected: Number(connected),
    lastReachableAt,
    bandwidthMbps,
    standardMbps,
    meetsStandard: Number(meetsStandard(bandwidthMbps, standardMbps, rules)),
    declaredConnected: Number(declaredConnected),
    // Declared connected, yet the school's PCs reported in the window and none reached the internet.
    declarationConflict: Number(declaredConnected && lastReportInWindow !== null),
    bandwidthSource,
    flaggedSamples,
    flagReasons: storedReasons(flagReasons),
    classroomsRegistered: schoolClassrooms.length,
    classroomsEquipped: equipped,
    classroomsEquippedProjector: equippedBy.projector,
    classroomsEquippedInteractivePanel: equippedBy['interactive-panel'],
    classroomsEquippedLargeDisplay: equippedBy['large-display'],
    classroomsDeclaredEquipped: declaredEquipped,
    devicesEnrolled: schoolDevices.length - stateCounts.revoked,
    devicesLive: stateCounts.live,
    devicesAtRisk: stateCounts['at-risk'],
    devicesSilent: stateCounts.silent,
    devicesNever: stateCounts.never,
    evaluatedAt: now,
    nextChangeAt: nextChange(changes, now),
  });
}

interface Throughput {
  down: number | null;
  up: number | null;
  samples: number;
  source: MeasurementSource | null;
  flagged: number;
  reasons: string | null;
}

/**
 * One device's bandwidth within the window (plausibility.ts weighs the agent's claims against the
 * server's own measurements) and its median claimed upload; records when a sample ages out.
 */
function measuredThroughput(q: EvaluateStatements, deviceId: string, judge: Judge): Throughput {
  const samples = q.samples.all(deviceId, judge.windowStart, judge.now);
  const serverSamples = q.serverSamples.all(deviceId, judge.windowStart, judge.now);
  for (const oldest of [samples[0]?.collectedAt, serverSamples[0]?.finishedAt]) {
    if (oldest !== undefined) judge.changes.push(evidenceExpiry(oldest, judge.rules, judge.calendar));
  }
  const bandwidth = deviceBandwidth(
    samples,
    serverSamples.map((s) => s.down),
  );
  return {
    down: bandwidth.down,
    up: median(samples.flatMap((s) => (s.up === null ? [] : [s.up]))),
    samples: samples.length,
    source: bandwidth.source,
    flagged: bandwidth.flagged,
    reasons: storedReasons(bandwidth.reasons),
  };
}

/** Recomputes the rollup rows of the given counties from their schools' status rows. */
export function refreshCountyRollups(db: Db, countyCodes: Iterable<string>, now: number): void {
  const q = evaluateStatements(db);
  for (const countyCode of countyCodes)
    q.writeCounty.run({ countyCode, ...q.countyTotals.get(countyCode)!, updatedAt: now });
}

/**
 * The aging sweep: re-evaluates every school whose figures change by the passage of time by `now`
 * (evidence leaving the window, devices going at-risk or silent), in chunks of one transaction each
 * so a long sweep never holds the write lock for long. Returns the number of schools re-evaluated.
 */
export function sweepExpired(db: Db, now: number, chunkSize = 200, maxChunks = Infinity): number {
  let count = 0;
  for (let chunk = 0; chunk < maxChunks; chunk++) {
    const due = evaluateStatements(db).dueSchools.all(now, chunkSize);
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
