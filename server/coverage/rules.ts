import type { BandwidthStandard, CoverageRules } from '../../shared/schemas/plan.ts';
import { presentationDisplayKinds, type DisplayKind, type PresentationKind } from '../../shared/schemas/report.ts';
import { alwaysOpen, openTime, openWindowEnd, openWindowStart, type Calendar } from './calendar.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';

/*
 * The coverage rules of docs/coverage.md as pure functions: no database, no clock, so each edge
 * of each window can be tested by arithmetic alone. Ages count school-open time only (calendar.ts).
 */

export type DeviceState = 'never' | 'live' | 'at-risk' | 'silent' | 'revoked';

/** Start of the evidence window: reports collected at or after this instant count. */
export function evidenceWindowStart(rules: CoverageRules, now: number, calendar: Calendar = alwaysOpen): number {
  return openWindowStart(calendar, now, rules.evidenceWindowDays * DAY_MS);
}

/** live: last report ≤ liveDays old; at-risk: ≤ atRiskDays; silent: older; never: no report yet. */
export function deviceState(
  lastCollectedAt: number | null,
  revoked: boolean,
  rules: CoverageRules,
  now: number,
  calendar: Calendar = alwaysOpen,
): DeviceState {
  if (revoked) return 'revoked';
  if (lastCollectedAt === null) return 'never';
  const age = openTime(calendar, lastCollectedAt, now);
  if (age <= rules.liveDays * DAY_MS) return 'live';
  if (age <= rules.atRiskDays * DAY_MS) return 'at-risk';
  return 'silent';
}

/** The instants after which a device's state changes by time alone (strictly later than now). */
export function deviceStateChanges(
  lastCollectedAt: number | null,
  rules: CoverageRules,
  calendar: Calendar = alwaysOpen,
): number[] {
  if (lastCollectedAt === null) return [];
  return [
    openWindowEnd(calendar, lastCollectedAt, rules.liveDays * DAY_MS) + 1,
    openWindowEnd(calendar, lastCollectedAt, rules.atRiskDays * DAY_MS) + 1,
  ];
}

/** The instant evidence collected at `at` stops counting. */
export function evidenceExpiry(at: number, rules: CoverageRules, calendar: Calendar = alwaysOpen): number {
  return openWindowEnd(calendar, at, rules.evidenceWindowDays * DAY_MS) + 1;
}

/** urban = urban/rural code 1xx, rural = 2xx (national statistics' 城乡分类代码). */
export function areaOf(urbanRuralCode: string): 'urban' | 'rural' {
  return urbanRuralCode.startsWith('1') ? 'urban' : 'rural';
}

/** The bandwidth standard (Mbps) for a school: the first rule of the plan that matches it, or null. */
export function bandwidthStandard(
  school: { typeCode: string; urbanRuralCode: string },
  standards: readonly BandwidthStandard[],
): number | null {
  const rule = standards.find(
    (s) =>
      (!s.typeCodes || s.typeCodes.includes(school.typeCode)) && (!s.area || s.area === areaOf(school.urbanRuralCode)),
  );
  return rule?.minMbps ?? null;
}

/** Meets the standard at standard × tolerance (measurement noise: a 100 Mbps line rarely tests at 100). */
export function meetsStandard(
  bandwidthMbps: number | null,
  standardMbps: number | null,
  rules: CoverageRules,
): boolean {
  return bandwidthMbps !== null && standardMbps !== null && bandwidthMbps >= standardMbps * rules.bandwidth.tolerance;
}

/** The median of a list of measurements (mean of the middle two for an even count), or null if empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The earliest of the given instants that is later than now, or null. */
export function nextChange(candidates: Iterable<number | null>, now: number): number | null {
  let next: number | null = null;
  for (const at of candidates) if (at !== null && at > now && (next === null || at < next)) next = at;
  return next;
}

/**
 * The presentation kind a report shows (班班通 equipment), or null for none: the first of projector,
 * interactive panel, large display among its displays, so a report with two kinds has one answer.
 */
export function presentationKindOf(displays: readonly { kind: DisplayKind }[]): PresentationKind | null {
  return presentationDisplayKinds.find((kind) => displays.some((d) => d.kind === kind)) ?? null;
}

/** Presentation evidence: when it was collected and which kind it showed. */
export interface PresentationEvidence {
  at: number;
  kind: PresentationKind | null;
}

/**
 * The later of two pieces of presentation evidence; at the same instant, the kind that comes first in
 * presentationDisplayKinds. An equipped classroom's kind is that of its latest evidence (docs/coverage.md).
 */
export function laterPresentation<E extends PresentationEvidence>(a: E | null, b: E | null): E | null {
  if (a === null) return b;
  if (b === null || a.at > b.at) return a;
  if (b.at > a.at) return b;
  return kindRank(b.kind) < kindRank(a.kind) ? b : a;
}

const kindRank = (kind: PresentationKind | null) =>
  kind === null ? presentationDisplayKinds.length : presentationDisplayKinds.indexOf(kind);
