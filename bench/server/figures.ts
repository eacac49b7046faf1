import type { DatasetMeta } from '../world/generate.ts';
import type { PhaseResult, StreamKind, StreamResult } from '../harness/load-plan.ts';
import type { FoldingFigures } from './steady-state.ts';
import type { PostgresRun } from './postgres-ingest.ts';

/*
 * The figures of issue 6 from one run's raw results: every throughput as a ratio to /healthz on the
 * same server in the same run, so a slower or busier machine moves both sides alike.
 */
export interface ScaleRun {
  meta: DatasetMeta;
  phases: PhaseResult[];
  /** Spawn to first 200 from /healthz. */
  startMs: number;
  /** The first coverage read after start (includes the catch-up aging sweep, if any). */
  firstReadMs: number;
  rebaseMs: number | null;
  peakRssBytes: number;
  dbBytes: number;
  reportBytes: number;
  reportCount: number;
  /** Reports folded into device-days on the run's working copy (prefecture only). */
  folding?: FoldingFigures;
  /** What the province read measured: the server's `?division=`, the stand-in app, or nothing (no province). */
  provinceVia: 'api' | 'stand-in' | null;
  /** Ingest on PostgreSQL beside SQLite's (issue 14), when the run measured it. */
  postgres?: PostgresRun | undefined;
}

export interface Goal {
  figure: string;
  goal: string;
  measured: number;
  met: boolean;
  /** How far off a missed goal is, as a factor (measured ÷ goal or goal ÷ measured), ≥ 1. */
  missFactor: number;
}

/** One stream's result in one phase of one round, or undefined when the run skipped that phase. */
function streamIn(phases: PhaseResult[], phase: string, kind: StreamKind): StreamResult | undefined {
  return phases.find((p) => p.name === phase)?.streams.find((s) => s.kind === kind);
}

/** The median of the values that are numbers; NaN when there are none. */
export const median = (values: number[]) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median over rounds of a figure computed within each round (so a ratio's two sides are minutes apart at most). */
function overRounds(run: ScaleRun, figure: (phases: PhaseResult[]) => number | undefined): number {
  const rounds = [...new Set(run.phases.map((p) => p.round))];
  return median(rounds.map((round) => figure(run.phases.filter((p) => p.round === round)) ?? NaN));
}

/** A number of one stream (median over rounds): req/s, reports/s, p99 or mean bytes. */
export function streamFigure(
  run: ScaleRun,
  phase: string,
  kind: StreamKind,
  pick: (s: StreamResult) => number,
): number {
  return overRounds(run, (phases) => {
    const s = streamIn(phases, phase, kind);
    return s ? pick(s) : undefined;
  });
}

/** Every result of a stream over all rounds (for failures). */
export function streamResults(run: ScaleRun): StreamResult[] {
  return run.phases.flatMap((p) => p.streams);
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? NaN : a / b;
const healthzIn = (phases: PhaseResult[]) => streamIn(phases, 'healthz', 'healthz')?.perSecond;

/** The baseline: /healthz req/s measured on this server in this run. */
export const healthz = (run: ScaleRun) => streamFigure(run, 'healthz', 'healthz', (s) => s.perSecond);

/** Ingest reports/s acknowledged ÷ healthz req/s of the same round. */
export const ingestRatio = (run: ScaleRun) =>
  overRounds(run, (phases) => ratio(streamIn(phases, 'ingest', 'ingest')?.reportsPerSecond, healthzIn(phases)));

/** The ceiling: the bare Hono app's req/s in this run, loaded like the server. */
export const ceiling = (run: ScaleRun) => streamFigure(run, 'ceiling', 'ceiling', (s) => s.perSecond);

/** An idle read's req/s ÷ the ceiling's or /healthz's req/s of the same round. */
export const readShare = (
  run: ScaleRun,
  kind: 'coverage' | 'coverage-plain' | 'province' | 'county',
  base: 'ceiling' | 'healthz',
) =>
  overRounds(run, (phases) => ratio(streamIn(phases, kind, kind)?.perSecond, streamIn(phases, base, base)?.perSecond));

/** A read's req/s ÷ healthz req/s of the same round, idle or beside full ingest load. */
export const readRatio = (run: ScaleRun, kind: 'coverage' | 'county', underLoad: boolean) =>
  overRounds(run, (phases) =>
    ratio(streamIn(phases, underLoad ? `ingest+${kind}` : kind, kind)?.perSecond, healthzIn(phases)),
  );

/** A read's p99 beside full ingest ÷ its p99 idle, within each round. */
export const p99BesideIngest = (run: ScaleRun, kind: 'coverage' | 'county') =>
  overRounds(run, (ph) =>
    ratio(streamIn(ph, `ingest+${kind}`, kind)?.latencyMs.p99, streamIn(ph, kind, kind)?.latencyMs.p99),
  );

/** /healthz req/s ÷ the ceiling's of the same round: what santong's per-request middleware leaves of a bare app. */
export const healthzShare = (run: ScaleRun) =>
  overRounds(run, (ph) => ratio(healthzIn(ph), streamIn(ph, 'ceiling', 'ceiling')?.perSecond));

/** Ingest reports/s acknowledged ÷ the ceiling's req/s of the same round. */
export const ingestShare = (run: ScaleRun) =>
  overRounds(run, (ph) =>
    ratio(streamIn(ph, 'ingest', 'ingest')?.reportsPerSecond, streamIn(ph, 'ceiling', 'ceiling')?.perSecond),
  );

/** Bytes of the reports table and its indexes per stored report. */
export const bytesPerReport = (run: ScaleRun) => ratio(run.reportBytes, run.reportCount);

/** A read's p99 (median over rounds), idle or beside full ingest load. */
export const readP99 = (run: ScaleRun, kind: 'coverage' | 'county', underLoad: boolean) =>
  streamFigure(run, underLoad ? `ingest+${kind}` : kind, kind, (s) => s.latencyMs.p99);

const atLeast = (figure: string, measured: number, goal: number): Goal => ({
  figure,
  goal: `≥ ${goal}`,
  measured,
  met: measured >= goal,
  missFactor: measured >= goal ? 1 : goal / measured,
});
const atMost = (figure: string, measured: number, goal: number, unit = ''): Goal => ({
  figure,
  goal: `≤ ${goal}${unit}`,
  measured,
  met: measured <= goal,
  missFactor: measured <= goal ? 1 : measured / goal,
});

const GiB = 1024 ** 3;

/** The goal table, judged at national scale (the prefecture figures are context). */
export function goals(prefecture: ScaleRun, national: ScaleRun): Goal[] {
  return [
    atLeast('ingest reports/s ÷ healthz req/s (national)', ingestRatio(national), 0.25),
    atLeast('coverage req/s ÷ healthz req/s (national)', readRatio(national, 'coverage', false), 0.5),
    atLeast('county view req/s ÷ healthz req/s (national)', readRatio(national, 'county', false), 0.5),
    atMost(
      'coverage p99 national ÷ prefecture',
      ratio(readP99(national, 'coverage', false), readP99(prefecture, 'coverage', false)),
      1.5,
    ),
    atMost(
      'county view p99 national ÷ prefecture',
      ratio(readP99(national, 'county', false), readP99(prefecture, 'county', false)),
      1.5,
    ),
    atMost('coverage p99 under ingest ÷ idle (national)', p99BesideIngest(national, 'coverage'), 3),
    atMost('county view p99 under ingest ÷ idle (national)', p99BesideIngest(national, 'county'), 3),
    atMost('server peak RSS at national scale under load (GiB)', national.peakRssBytes / GiB, 1.5, ' GiB'),
  ];
}

/** Issue 13's goals for the national top read: its rate against the ceiling, its p99 against the prefecture's. */
export function readGoals(prefecture: ScaleRun, national: ScaleRun): Goal[] {
  return [
    atLeast(
      'top read req/s ÷ ceiling req/s (national; gzip as clients ask it, decision 194)',
      readShare(national, 'coverage', 'ceiling'),
      0.5,
    ),
    atLeast('top read req/s ÷ healthz req/s (national; continuity)', readShare(national, 'coverage', 'healthz'), 0.5),
    atMost(
      'top read p99 national ÷ prefecture',
      ratio(readP99(national, 'coverage', false), readP99(prefecture, 'coverage', false)),
      1.5,
    ),
  ];
}

/** Reports/s a whole country sends at the rate: 4,000,000 PCs, one report an hour each. */
export const NATIONAL_DEMAND_PER_SECOND = 4_000_000 / 3_600;

/**
 * Issue 15's goals, judged at national scale against the fixed ceiling (a bare Hono app in the same run, which our
 * code cannot move). The agent's memory goal is measured by `npm run bench:agent`, in its own section.
 */
export function ceilingGoals(national: ScaleRun): Goal[] {
  return [
    atLeast('/healthz req/s ÷ ceiling req/s', healthzShare(national), 0.8),
    atLeast('ingest reports/s ÷ ceiling req/s', ingestShare(national), 0.25),
    atLeast('top read (coverage) req/s ÷ ceiling req/s', readShare(national, 'coverage', 'ceiling'), 0.5),
    atMost('coverage p99 beside full ingest ÷ idle', p99BesideIngest(national, 'coverage'), 2),
    atMost('county view p99 beside full ingest ÷ idle', p99BesideIngest(national, 'county'), 2),
    atMost('bytes per stored report (reports table and its indexes)', bytesPerReport(national), 400, ' B'),
  ];
}
