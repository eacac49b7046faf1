import type { MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';
import type { PresentationKind } from '../../shared/schemas/report.ts';
import type { Calendar } from './calendar.ts';
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
import type { CoverageRules } from '../../shared/schemas/plan.ts';

/*
 * The one home of what evidence means (docs/coverage.md): which reports count for "connected" and
 * "equipped", and how a school's figures follow from its devices' evidence. Pure: ingest, retention, the
 * aging sweep and the bench feed it rows and write what it returns. `recompute.ts` is the deliberate second
 * implementation, in SQL, that `verify` holds this one to (decision 001).
 */

/** What one stored report says, as evidence: when it was collected, whether it reached the internet, its presentation kind. */
export interface ReportFacts {
  collectedAt: number;
  online: boolean;
  presenting: PresentationKind | null;
}

/** A device's newest evidence (device_status keeps it; retention keeps it per day in device_days). */
export interface DeviceEvidence {
  lastCollectedAt: number | null;
  /** The latest report that reached the internet: the school is connected while it is in the window. */
  lastReachableAt: number | null;
  /** The latest report that showed a presentation display while online: the classroom is equipped. */
  lastPresentation: PresentationEvidence | null;
}

export const noEvidence: DeviceEvidence = { lastCollectedAt: null, lastReachableAt: null, lastPresentation: null };

const latest = (a: number | null, b: number | null) => (a === null ? b : b === null || a >= b ? a : b);

/**
 * The evidence after one more report. A presentation display counts only in a report that also reached the
 * internet: 班班通 is a connected classroom, not a projector in a room without a line.
 */
export function withReport(evidence: DeviceEvidence, report: ReportFacts): DeviceEvidence {
  const at = report.collectedAt;
  return {
    lastCollectedAt: latest(evidence.lastCollectedAt, at),
    lastReachableAt: report.online ? latest(evidence.lastReachableAt, at) : evidence.lastReachableAt,
    lastPresentation:
      report.online && report.presenting !== null
        ? laterPresentation(evidence.lastPresentation, { at, kind: report.presenting })
        : evidence.lastPresentation,
  };
}

/** The evidence of two sets of reports together (a stored status and a new batch; two folded days). */
export function mergeEvidence(a: DeviceEvidence, b: DeviceEvidence): DeviceEvidence {
  return {
    lastCollectedAt: latest(a.lastCollectedAt, b.lastCollectedAt),
    lastReachableAt: latest(a.lastReachableAt, b.lastReachableAt),
    lastPresentation: laterPresentation(a.lastPresentation, b.lastPresentation),
  };
}

/** Evidence as device_status and device_days store it, one column per field. */
export interface StoredEvidence {
  lastCollectedAt: number | null;
  lastReachableAt: number | null;
  lastPresentationAt: number | null;
  lastPresentationKind: PresentationKind | null;
}

/** The evidence stored columns hold. */
export function fromStored(row: StoredEvidence): DeviceEvidence {
  return {
    lastCollectedAt: row.lastCollectedAt,
    lastReachableAt: row.lastReachableAt,
    lastPresentation:
      row.lastPresentationAt === null ? null : { at: row.lastPresentationAt, kind: row.lastPresentationKind },
  };
}

/** The columns that store the evidence. */
export function toStored(evidence: DeviceEvidence): StoredEvidence {
  return {
    lastCollectedAt: evidence.lastCollectedAt,
    lastReachableAt: evidence.lastReachableAt,
    lastPresentationAt: evidence.lastPresentation?.at ?? null,
    lastPresentationKind: evidence.lastPresentation?.kind ?? null,
  };
}

/** One device's speed-test figures in the evidence window. */
export interface Throughput {
  down: number | null;
  up: number | null;
  samples: number;
  source: MeasurementSource | null;
  flagged: number;
  /** Comma-separated, sorted flag reasons as stored, or null. */
  reasons: string | null;
}

export const noThroughput: Throughput = { down: null, up: null, samples: 0, source: null, flagged: 0, reasons: null };

/**
 * A device's throughput from its claims and the server's own measurements within the window: the bandwidth
 * plausibility.ts allows, and the median claimed upload.
 */
export function throughputOf(
  claims: readonly { down: number; up: number | null; flag: SampleFlag | null }[],
  serverMeasured: readonly number[],
): Throughput {
  const bandwidth = deviceBandwidth(claims, serverMeasured);
  return {
    down: bandwidth.down,
    up: median(claims.flatMap((s) => (s.up === null ? [] : [s.up]))),
    samples: claims.length,
    source: bandwidth.source,
    flagged: bandwidth.flagged,
    reasons: storedReasons(bandwidth.reasons),
  };
}

export interface DeviceInput {
  id: string;
  /** The classroom the device is enrolled to; null for an office PC, which equips no classroom. */
  classroomId: number | null;
  revoked: boolean;
  evidence: DeviceEvidence;
  /** Its throughput in the window; ignored for a revoked device. */
  throughput: Throughput;
}

export interface SchoolInput {
  school: { typeCode: string; urbanRuralCode: string };
  devices: readonly DeviceInput[];
  classroomIds: readonly number[];
  /** Standing (not withdrawn) declarations: counted apart from measured figures, never instead of them. */
  declarations: readonly { indicator: 'connected' | 'equipped'; classroomId: number | null }[];
  /**
   * Instants at which a figure changes by time alone that the input does not show, e.g. the expiry of the
   * oldest speed-test samples (throughput figures read before, not again).
   */
  changes?: readonly (number | null)[];
}

/** The rules in force, the school's calendar and the instant of the evaluation. */
export interface Judge {
  rules: CoverageRules;
  calendar: Calendar;
  now: number;
}

export interface ClassroomFigures {
  id: number;
  /** Its latest presentation evidence in the window; equipped when there is one. */
  evidence: PresentationEvidence | null;
  /** Declared equipped by an operator and not measured so. */
  declared: boolean;
}

export interface SchoolFigures {
  devices: { id: string; state: DeviceState; throughput: Throughput }[];
  classrooms: ClassroomFigures[];
  connected: boolean;
  lastReachableAt: number | null;
  bandwidthMbps: number | null;
  bandwidthSource: MeasurementSource | null;
  standardMbps: number | null;
  meetsStandard: boolean;
  declaredConnected: boolean;
  /** Declared connected, yet the school's PCs reported in the window and none reached the internet. */
  declarationConflict: boolean;
  flaggedSamples: number;
  flagReasons: string | null;
  classroomsEquipped: number;
  equippedBy: Record<PresentationKind, number>;
  classroomsDeclaredEquipped: number;
  devicesEnrolled: number;
  devicesBy: Record<DeviceState, number>;
  /** The earliest instant after `now` at which a figure changes by the passage of time alone. */
  nextChangeAt: number | null;
}

/** A school's figures (its devices, classrooms and the school itself) from its evidence as of `judge.now`. */
export function schoolFigures(input: SchoolInput, judge: Judge): SchoolFigures {
  const { rules, calendar, now } = judge;
  const windowStart = evidenceWindowStart(rules, now, calendar);
  const inWindow = (at: number | null): at is number => at !== null && at >= windowStart;
  const expiry = (at: number) => evidenceExpiry(at, rules, calendar);
  const changes: (number | null)[] = [...(input.changes ?? [])];
  const devicesBy: Record<DeviceState, number> = { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 };
  const presentationByClassroom = new Map<number, PresentationEvidence>();
  let lastReachableAt: number | null = null;
  let lastReportInWindow: number | null = null;
  let bandwidthMbps: number | null = null;
  let bandwidthSource: MeasurementSource | null = null;
  let flaggedSamples = 0;
  const flagReasons: string[] = [];

  const devices = input.devices.map((device) => {
    const { evidence, revoked } = device;
    const state = deviceState(evidence.lastCollectedAt, revoked, rules, now, calendar);
    devicesBy[state]++;
    // A revoked key's evidence no longer counts: revocation means the device is not trusted.
    if (revoked) return { id: device.id, state, throughput: noThroughput };
    const throughput = device.throughput;
    changes.push(...deviceStateChanges(evidence.lastCollectedAt, rules, calendar));
    if (inWindow(evidence.lastCollectedAt)) {
      lastReportInWindow = Math.max(lastReportInWindow ?? 0, evidence.lastCollectedAt);
      changes.push(expiry(evidence.lastCollectedAt));
    }
    if (inWindow(evidence.lastReachableAt)) {
      lastReachableAt = Math.max(lastReachableAt ?? 0, evidence.lastReachableAt);
      changes.push(expiry(evidence.lastReachableAt));
    }
    const presentation = evidence.lastPresentation;
    if (device.classroomId !== null && presentation !== null && inWindow(presentation.at)) {
      const earlier = presentationByClassroom.get(device.classroomId) ?? null;
      presentationByClassroom.set(device.classroomId, laterPresentation(earlier, presentation)!);
      changes.push(expiry(presentation.at));
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
    return { id: device.id, state, throughput };
  });

  const declaredClassrooms = new Set(
    input.declarations.filter((d) => d.indicator === 'equipped').map((d) => d.classroomId),
  );
  const equippedBy: Record<PresentationKind, number> = { projector: 0, 'interactive-panel': 0, 'large-display': 0 };
  let classroomsEquipped = 0;
  let classroomsDeclaredEquipped = 0;
  const classrooms = input.classroomIds.map((id): ClassroomFigures => {
    const evidence = presentationByClassroom.get(id) ?? null;
    const declared = evidence === null && declaredClassrooms.has(id);
    if (evidence !== null) classroomsEquipped++;
    if (evidence?.kind) equippedBy[evidence.kind]++;
    if (declared) classroomsDeclaredEquipped++;
    return { id, evidence, declared };
  });

  const connected = lastReachableAt !== null;
  const declaredConnected = !connected && input.declarations.some((d) => d.indicator === 'connected');
  const standardMbps = bandwidthStandard(input.school, rules.bandwidth.standards);
  return {
    devices,
    classrooms,
    connected,
    lastReachableAt,
    bandwidthMbps,
    bandwidthSource,
    standardMbps,
    meetsStandard: meetsStandard(bandwidthMbps, standardMbps, rules),
    declaredConnected,
    declarationConflict: declaredConnected && lastReportInWindow !== null,
    flaggedSamples,
    flagReasons: storedReasons(flagReasons),
    classroomsEquipped,
    equippedBy,
    classroomsDeclaredEquipped,
    devicesEnrolled: input.devices.length - devicesBy.revoked,
    devicesBy,
    nextChangeAt: nextChange(changes, now),
  };
}
