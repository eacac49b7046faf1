import type { CoverageRules } from '../../shared/schemas/plan.ts';
import { alwaysOpen } from '../../server/coverage/calendar.ts';
import type { PresentationKind } from '../../shared/schemas/report.ts';
import type { MeasurementSource } from '../../shared/schemas/coverage.ts';
import { deviceBandwidth } from '../../server/coverage/plausibility.ts';
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
} from '../../server/coverage/rules.ts';

/*
 * The status rows of one generated school, derived with the server's own rule functions (rules.ts) in
 * the same order as evaluateSchool in server/coverage/evaluate.ts, without a query per device: at
 * national scale that is minutes instead of hours. The harness test checks the result against
 * evaluateSchools and verifyCoverage, so this copy cannot drift unnoticed. No closures: always open.
 */
export interface DeviceEvidence {
  classroomId: number | null;
  lastCollectedAt: number | null;
  lastReachableAt: number | null;
  lastPresentationAt: number | null;
  lastPresentationKind: PresentationKind | null;
  /** Speed tests, oldest first. */
  samples: { at: number; down: number; up: number | null }[];
}

export interface DerivedDevice {
  state: DeviceState;
  medianDownMbps: number | null;
  /** Whose figure the median is: the bench world has no server-timed tests, so the agent's or none. */
  downSource: MeasurementSource | null;
  medianUpMbps: number | null;
  throughputSamples: number;
}

export interface DerivedSchool {
  devices: DerivedDevice[];
  /** Classroom id → its latest presentation evidence in the window (instant and kind), or null. */
  classrooms: Map<number, PresentationEvidence | null>;
  connected: boolean;
  lastReachableAt: number | null;
  bandwidthMbps: number | null;
  bandwidthSource: MeasurementSource | null;
  standardMbps: number | null;
  meetsStandard: boolean;
  classroomsEquipped: number;
  equippedBy: Record<PresentationKind, number>;
  counts: Record<DeviceState, number>;
  nextChangeAt: number | null;
}

/** Derives device, classroom and school status for one school as of `now`. */
export function deriveSchool(
  school: { typeCode: string; urbanRuralCode: string },
  classroomIds: number[],
  devices: DeviceEvidence[],
  rules: CoverageRules,
  now: number,
): DerivedSchool {
  const windowStart = evidenceWindowStart(rules, now, alwaysOpen);
  const inWindow = (at: number | null): at is number => at !== null && at >= windowStart;
  const changes: number[] = [];
  const counts: Record<DeviceState, number> = { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 };
  const presentation = new Map<number, PresentationEvidence>();
  let lastReachableAt: number | null = null;
  let bandwidthMbps: number | null = null;

  const derived = devices.map((device): DerivedDevice => {
    const state = deviceState(device.lastCollectedAt, false, rules, now, alwaysOpen);
    counts[state]++;
    const samples = device.samples.filter((s) => s.at >= windowStart && s.at <= now);
    if (samples[0]) changes.push(evidenceExpiry(samples[0].at, rules, alwaysOpen));
    // The world's claims are all plausible (below each PC's 1000 Mbps link), as the server would judge them.
    const { down, source } = deviceBandwidth(
      samples.map((s) => ({ down: s.down, flag: null })),
      [],
    );
    const up = median(samples.flatMap((s) => (s.up === null ? [] : [s.up])));
    changes.push(...deviceStateChanges(device.lastCollectedAt, rules, alwaysOpen));
    if (inWindow(device.lastCollectedAt)) changes.push(evidenceExpiry(device.lastCollectedAt, rules, alwaysOpen));
    if (inWindow(device.lastReachableAt)) {
      lastReachableAt = Math.max(lastReachableAt ?? 0, device.lastReachableAt);
      changes.push(evidenceExpiry(device.lastReachableAt, rules, alwaysOpen));
    }
    if (device.classroomId !== null && inWindow(device.lastPresentationAt)) {
      const evidence = { at: device.lastPresentationAt, kind: device.lastPresentationKind };
      presentation.set(device.classroomId, laterPresentation(presentation.get(device.classroomId) ?? null, evidence)!);
      changes.push(evidenceExpiry(device.lastPresentationAt, rules, alwaysOpen));
    }
    if (down !== null) bandwidthMbps = Math.max(bandwidthMbps ?? 0, down);
    return { state, medianDownMbps: down, downSource: source, medianUpMbps: up, throughputSamples: samples.length };
  });

  const classrooms = new Map(classroomIds.map((id) => [id, presentation.get(id) ?? null]));
  const standardMbps = bandwidthStandard(school, rules.bandwidth.standards);
  return {
    devices: derived,
    classrooms,
    connected: lastReachableAt !== null,
    lastReachableAt,
    bandwidthMbps,
    bandwidthSource: bandwidthMbps === null ? null : 'agent',
    standardMbps,
    meetsStandard: meetsStandard(bandwidthMbps, standardMbps, rules),
    classroomsEquipped: [...classrooms.values()].filter((e) => e !== null).length,
    equippedBy: {
      projector: [...classrooms.values()].filter((e) => e?.kind === 'projector').length,
      'interactive-panel': [...classrooms.values()].filter((e) => e?.kind === 'interactive-panel').length,
      'large-display': [...classrooms.values()].filter((e) => e?.kind === 'large-display').length,
    },
    counts,
    nextChangeAt: nextChange(changes, now),
  };
}
