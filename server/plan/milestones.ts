import type { CountIndicator, divisionTargetIndicators, Plan } from '../../shared/schemas/plan.ts';

type DivisionTargetIndicator = (typeof divisionTargetIndicators)[number];
import { localYear, startOfLocalYear } from '../../shared/time/china-time.ts';

/*
 * Progress against the plan's yearly milestones. A milestone's `cumulative` is what must be done by the
 * end of its year; within a year the expectation rises linearly from the previous year's figure.
 * Years are China Standard Time calendar years.
 */

/**
 * The absolute target of an indicator for a unit with `registered` units: the plan's count, or its share of
 * the registered units (rounded up: a share of 90% of 11 classrooms asks for 10).
 */
export function targetCount(indicator: Pick<CountIndicator, 'target' | 'share'>, registered: number): number {
  // max: ceil of the tolerance below zero is -0, which JSON writes as 0 but a strict comparison tells apart.
  return indicator.target ?? Math.max(0, Math.ceil((indicator.share ?? 1) * registered - 1e-9));
}

/** A division's target for one indicator as the coverage answer states it: a count, and the share it came from. */
export interface DivisionTargetFigure {
  target: number | null;
  targetShare: number | null;
}

/**
 * The target of `divisionCode` for one indicator (issue 13 item 4): the division's own entry in `plan.targets`
 * first, then the plan's share (a share applies everywhere, as a count of the division's registered units),
 * then the plan's absolute count at the root only; null where none applies (a county under an absolute plan).
 */
export function divisionTarget(
  plan: Pick<Plan, 'targets' | 'indicators'>,
  indicator: DivisionTargetIndicator,
  divisionCode: string,
  isRoot: boolean,
  registered: number,
): DivisionTargetFigure {
  const own = plan.targets.find((t) => t.division === divisionCode)?.[indicator];
  if (own && 'target' in own) return { target: own.target, targetShare: null };
  if (own) return { target: targetCount(own, registered), targetShare: own.share };
  const planned = plan.indicators[indicator];
  if (planned.share !== undefined) return { target: targetCount(planned, registered), targetShare: planned.share };
  return { target: isRoot ? targetCount(planned, registered) : null, targetShare: null };
}

/** The count the plan expects done at instant `at` (interpolated within the year); an absolute target's plan only. */
export function expectedCumulative(indicator: CountIndicator & { target: number }, at: number): number {
  const milestones = [...indicator.milestones].sort((a, b) => a.year - b.year);
  const first = milestones[0];
  if (!first) return indicator.target;
  // Before the first milestone year's work began: what existed then (its cumulative less its increment).
  const baseline = Math.max(0, first.cumulative - (first.increment ?? first.cumulative));
  const year = localYear(at);
  const current = milestones.find((m) => m.year === year);
  const previous = milestones.filter((m) => m.year < year).at(-1);
  if (!current) {
    if (!previous) return baseline;
    // Between milestones the last one stands; after the last one, the final target.
    return milestones.some((m) => m.year > year)
      ? previous.cumulative
      : Math.max(previous.cumulative, indicator.target);
  }
  const from = previous?.cumulative ?? baseline;
  const elapsed = (at - startOfLocalYear(year)) / (startOfLocalYear(year + 1) - startOfLocalYear(year));
  return from + (current.cumulative - from) * elapsed;
}

export type ProgressStatus = 'on-track' | 'behind' | 'no-data';

export interface Progress {
  expectedShare: number;
  measuredShare: number | null;
  status: ProgressStatus;
}

/**
 * A unit (prefecture or county) is on track when the share it has done (measured only, never declared)
 * is at least the share the plan expects by now. A county is held to the prefecture's share, since the
 * plan sets its milestones for the prefecture as a whole.
 */
export function progressOf(indicator: CountIndicator, done: number, registered: number, at: number): Progress {
  const expectedShare = expectedShareOf(indicator, at);
  if (registered === 0) return { expectedShare, measuredShare: null, status: 'no-data' };
  const measuredShare = done / registered;
  return { expectedShare, measuredShare, status: measuredShare >= expectedShare ? 'on-track' : 'behind' };
}

/**
 * The share of its registered units a unit is expected to have done at `at`: an absolute target's milestones
 * as a share of the target, or a share target as stated (it names no yearly path to it).
 */
function expectedShareOf(indicator: CountIndicator, at: number): number {
  if (indicator.target === undefined) return indicator.share ?? 1;
  return indicator.target > 0
    ? Math.min(1, expectedCumulative({ ...indicator, target: indicator.target }, at) / indicator.target)
    : 1;
}
