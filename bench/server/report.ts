import fs from 'node:fs';
import path from 'node:path';
import {
  bytesPerReport,
  ceiling,
  ceilingGoals,
  goals,
  readGoals,
  readShare,
  healthz,
  ingestRatio,
  NATIONAL_DEMAND_PER_SECOND,
  readRatio,
  streamFigure,
  streamResults,
  type Goal,
  type ScaleRun,
} from './figures.ts';
import { repoRoot } from '../harness/server-process.ts';
import { nationalSteadyState, steadyStateAssumptions } from './steady-state.ts';

/*
 * One run's figures as Markdown: printed to the terminal and written between the markers of the
 * "Server (issue 6)" section of BENCHMARKS.md. Text outside the markers (the analysis) is kept.
 */
export interface RunContext {
  command: string;
  date: string;
  machine: string[];
  scales: [ScaleRun, ScaleRun];
}

const n = (x: number | undefined, digits = 0) =>
  x === undefined || Number.isNaN(x)
    ? '—'
    : x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const r = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x >= 10 ? x.toFixed(1) : x.toFixed(3));
const ms = (x: number | undefined) => (x === undefined ? '—' : `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`);
const MiB = 1024 ** 2;

function historyText(run: ScaleRun): string {
  const s = run.meta.scale;
  const registry = s.registryDivisor === 1 ? 'full registry' : `registry cut to 1/${s.registryDivisor}`;
  const history =
    s.historyEvery === 1
      ? `${s.historyDays} days of school-hour reports for every PC`
      : `${s.historyDays} days for the PCs of 1 school in ${s.historyEvery}, latest report only for the rest`;
  return `${registry}; ${history}`;
}

function failures(run: ScaleRun): string {
  const all: Record<string, number> = {};
  for (const s of streamResults(run))
    for (const [k, v] of Object.entries(s.failures)) all[`${s.kind} ${k}`] = (all[`${s.kind} ${k}`] ?? 0) + v;
  const list = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return list.length === 0 ? 'none' : list.join(', ');
}

/** The run as Markdown tables. */
export function renderRun(ctx: RunContext): string {
  const [p, nat] = ctx.scales;
  const read = (kind: 'coverage' | 'county', underLoad: boolean) => (run: ScaleRun) => {
    const phase = underLoad ? `ingest+${kind}` : kind;
    const f = (pick: Parameters<typeof streamFigure>[3]) => streamFigure(run, phase, kind, pick);
    return `${n(f((s) => s.perSecond))} req/s, p99 ${ms(f((s) => s.latencyMs.p99))} (÷ healthz ${r(readRatio(run, kind, underLoad))})`;
  };
  const ingest = (phase: string) => (run: ScaleRun) => {
    const f = (pick: Parameters<typeof streamFigure>[3]) => streamFigure(run, phase, 'ingest', pick);
    return `${n(f((s) => s.reportsPerSecond))} reports/s in ${n(f((s) => s.perSecond))} req/s, p99 ${ms(f((s) => s.latencyMs.p99))}`;
  };
  const healthzRange = (run: ScaleRun) => {
    const each = run.phases.filter((ph) => ph.name === 'healthz').map((ph) => ph.streams[0]!.perSecond);
    return `${n(Math.min(...each))}–${n(Math.max(...each))} req/s over ${each.length} round${each.length === 1 ? '' : 's'}`;
  };
  const lines = [
    `Run of ${ctx.date}: \`${ctx.command}\``,
    '',
    ...ctx.machine.map((m) => `- ${m}`),
    '',
    '| data | prefecture | national |',
    '|---|---|---|',
    `| schools / classrooms / PCs | ${[p, nat].map((x) => `${n(x.meta.schools)} / ${n(x.meta.classrooms)} / ${n(x.meta.devices)}`).join(' | ')} |`,
    `| reduction | ${historyText(p)} | ${historyText(nat)} |`,
    `| reports stored | ${n(p.reportCount)} | ${n(nat.reportCount)} |`,
    `| database size | ${n(p.dbBytes / MiB)} MiB | ${n(nat.dbBytes / MiB)} MiB |`,
    `| database bytes per stored report (reports table and its indexes) | ${n(bytesPerReport(p))} | ${n(bytesPerReport(nat))} |`,
    '',
    '| figure | prefecture | national |',
    '|---|---|---|',
    `| GET /healthz (baseline) | ${[p, nat].map((x) => `${n(healthz(x))} req/s, p99 ${ms(streamFigure(x, 'healthz', 'healthz', (s) => s.latencyMs.p99))}`).join(' | ')} |`,
    `| POST /api/v1/reports alone | ${ingest('ingest')(p)} | ${ingest('ingest')(nat)} |`,
    `| ingest reports/s ÷ healthz req/s | ${r(ingestRatio(p))} | ${r(ingestRatio(nat))} |`,
    `| GET /api/v1/coverage, idle | ${read('coverage', false)(p)} | ${read('coverage', false)(nat)} |`,
    `| GET /api/v1/coverage, beside full ingest | ${read('coverage', true)(p)} | ${read('coverage', true)(nat)} |`,
    `| county view, idle | ${read('county', false)(p)} | ${read('county', false)(nat)} |`,
    `| county view, beside full ingest | ${read('county', true)(p)} | ${read('county', true)(nat)} |`,
    `| ingest beside coverage reads | ${ingest('ingest+coverage')(p)} | ${ingest('ingest+coverage')(nat)} |`,
    `| response size: coverage / county view | ${[p, nat].map((x) => `${n(streamFigure(x, 'coverage', 'coverage', (s) => s.meanBytes) / 1024, 1)} KiB / ${n(streamFigure(x, 'county', 'county', (s) => s.meanBytes) / 1024, 1)} KiB`).join(' | ')} |`,
    `| /healthz spread between rounds (machine noise) | ${healthzRange(p)} | ${healthzRange(nat)} |`,
    `| server peak RSS (VmHWM) | ${n(p.peakRssBytes / MiB)} MiB | ${n(nat.peakRssBytes / MiB)} MiB |`,
    `| start: spawn to first 200 from /healthz | ${n(p.startMs)} ms | ${n(nat.startMs)} ms |`,
    `| first coverage read after start | ${ms(p.firstReadMs)} | ${ms(nat.firstReadMs)} |`,
    `| non-200 answers and transport errors | ${failures(p)} | ${failures(nat)} |`,
    '',
    `A whole country at the issue's rate (4,000,000 PCs, one report an hour) sends ${n(NATIONAL_DEMAND_PER_SECOND)} reports/s on average; measured national ingest: ${n(streamFigure(nat, 'ingest', 'ingest', (s) => s.reportsPerSecond))} reports/s.`,
    ...steadyStateLines(p, nat),
    '',
    '| goal (issue 6) | goal | measured | met? |',
    '|---|---|---|---|',
    ...goals(p, nat).map(goalRow),
    '',
    ...readLines(p, nat),
    '',
    '| goal (issue 15, national, against the ceiling of the same round) | goal | measured | met? |',
    '|---|---|---|---|',
    ...ceilingGoals(nat).map(goalRow),
    '',
    'Agent resident memory ÷ bare node (issue 15\'s last goal, ≤ 1.3): measured by `npm run bench:agent`, section "Agent footprint".',
  ];
  return `${lines.join('\n')}\n\nEach figure is the median over rounds; each ratio is taken within a round, against that round's /healthz.`;
}

const goalRow = (g: Goal) =>
  `| ${g.figure} | ${g.goal} | ${r(g.measured)} | ${g.met ? 'met' : `**missed** (×${r(g.missFactor)} off)`} |`;

/** Issue 13's reads at each level, idle, against the bare ceiling app and /healthz of the same round. */
function readLines(p: ScaleRun, nat: ScaleRun): string[] {
  const plain = (kind: 'ceiling' | 'healthz') => (run: ScaleRun) =>
    `${n(streamFigure(run, kind, kind, (s) => s.perSecond))} req/s, p99 ${ms(streamFigure(run, kind, kind, (s) => s.latencyMs.p99))}`;
  const read = (kind: 'coverage' | 'coverage-plain' | 'province' | 'county') => (run: ScaleRun) => {
    const f = (pick: Parameters<typeof streamFigure>[3]) => streamFigure(run, kind, kind, pick);
    if (Number.isNaN(f((s) => s.perSecond))) return '— (no province above this root)';
    return `${n(f((s) => s.perSecond))} req/s, p99 ${ms(f((s) => s.latencyMs.p99))}, ${n(f((s) => s.meanBytes) / 1024, 1)} KiB; ÷ ceiling **${r(readShare(run, kind, 'ceiling'))}**, ÷ healthz ${r(readShare(run, kind, 'healthz'))}`;
  };
  const via =
    nat.provinceVia === 'stand-in'
      ? 'readCoverage(db, 620000) through the stand-in Hono app (bench/harness/division-app.ts): the API had no ?division= yet'
      : 'GET /api/v1/coverage?division=620000 (its prefectures; counties only on request)';
  return [
    '| read (idle; issue 13) | prefecture (root 622900) | national (root 000000) |',
    '|---|---|---|',
    `| ceiling: bare Hono on @hono/node-server, constant 20-byte body | ${plain('ceiling')(p)} | ${plain('ceiling')(nat)} |`,
    `| GET /healthz | ${plain('healthz')(p)} | ${plain('healthz')(nat)} |`,
    `| top read: GET /api/v1/coverage (root and its children; its first 100 counties where they are its children, decision 162), Accept-Encoding: gzip (decision 194; size as sent) | ${read('coverage')(p)} | ${read('coverage')(nat)} |`,
    `| the same top read without Accept-Encoding (as measured before decision 194) | ${read('coverage-plain')(p)} | ${read('coverage-plain')(nat)} |`,
    `| province read: Gansu, ${via} | ${read('province')(p)} | ${read('province')(nat)} |`,
    `| county read: GET /api/v1/coverage/counties/{largest county} | ${read('county')(p)} | ${read('county')(nat)} |`,
    '',
    '| goal (issue 13) | goal | measured | met? |',
    '|---|---|---|---|',
    ...readGoals(p, nat).map(goalRow),
    '',
    `Ceiling req/s in this run: prefecture ${n(ceiling(p))}, national ${n(ceiling(nat))}.`,
  ];
}

/** The national database once retention has filled, worked out from this run's measured bytes. */
function steadyStateLines(p: ScaleRun, nat: ScaleRun): string[] {
  if (!p.folding) return [];
  const f = p.folding;
  const perReport = bytesPerReport(nat);
  const s = nationalSteadyState(nat.meta.devices, perReport, nat.dbBytes - nat.reportBytes, f.bytesPerDeviceDay);
  const a = steadyStateAssumptions;
  const GB = 1e9;
  return [
    '',
    `Steady state at national scale (issue 6, item 4), worked out from this run's measurements: ${n(nat.meta.devices)} PCs reporting ${a.reportsPerSchoolDay} times a school day, ${a.schoolDaysPerYear} school days a year, raw reports kept ${a.retentionDays} days.`,
    '',
    '| part | how it is sized | size |',
    '|---|---|---|',
    `| registry, status and rollup tables | the national database less its reports | ${n(s.registryBytes / GB, 1)} GB |`,
    `| raw reports within retention | ${n(s.rawReports / 1e9, 2)} billion × ${n(perReport)} B (national bytes per stored report) | ${n(s.rawBytes / GB, 0)} GB |`,
    `| folded device-days, per year of operation | ${n(s.deviceDaysPerYear / 1e6, 0)} million × ${n(f.bytesPerDeviceDay)} B (prefecture: ${n(f.reportsFolded)} reports folded into ${n(f.deviceDays)} rows by the server's retention code in ${n(f.foldMs / 1000, 1)} s) | ${n(s.foldedBytesPerYear / GB, 1)} GB |`,
    `| total after the first year | | ${n((s.registryBytes + s.rawBytes + s.foldedBytesPerYear) / GB, 0)} GB |`,
  ];
}

/** Every phase of every round as measured, for the terminal (and for runs of one scale only). */
export function renderPhases(run: ScaleRun): string {
  const rows = run.phases.flatMap((phase) =>
    phase.streams.map(
      (s) =>
        `| ${run.meta.scale.key} | ${phase.round} | ${phase.name} | ${s.kind} | ${n(s.perSecond)} | ${s.kind === 'ingest' ? n(s.reportsPerSecond) : ''} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p99)} | ${ms(s.latencyMs.max)} | ${Object.values(s.failures).reduce((a, b) => a + b, 0)} |`,
    ),
  );
  return [
    '| scale | round | phase | stream | req/s | reports/s | p50 | p99 | max | failures |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

const HEADING = '## Server (issue 6)';
const BEGIN = '<!-- bench:server:begin (written by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:server:end -->';

/** Replaces the generated part of the "Server (issue 6)" section, creating the section if missing. */
export function writeBenchmarks(markdown: string, file = path.join(repoRoot, 'BENCHMARKS.md')): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const generated = `${BEGIN}\n${markdown}\n${END}`;
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin >= 0 && end > begin) {
    fs.writeFileSync(file, text.slice(0, begin) + generated + text.slice(end + END.length));
    return;
  }
  const at = text.indexOf(HEADING);
  if (at >= 0) {
    // The heading exists without markers: the generated part goes right under the heading line.
    const lineEnd = text.indexOf('\n', at);
    fs.writeFileSync(file, `${text.slice(0, lineEnd + 1)}\n${generated}\n${text.slice(lineEnd + 1)}`);
    return;
  }
  fs.writeFileSync(file, `${text.trimEnd()}\n\n${HEADING}\n\n${generated}\n`);
}
