import { ceiling, median, streamFigure, type ScaleRun } from './figures.ts';
import type { PostgresPhase, PostgresPhaseRun, PostgresStorage } from './postgres-ingest.ts';
import { nationalSteadyState, steadyStateAssumptions } from './steady-state.ts';

/*
 * Issue 14's figures from one run, as Markdown: ingest on PostgreSQL (one server, two on one database) beside
 * SQLite's and the ceiling of the same run, exactly-once kept, bytes per stored report on both, and the whole
 * country's steady-state size worked out from each.
 */

const n = (x: number | undefined, digits = 0) =>
  x === undefined || Number.isNaN(x)
    ? '—'
    : x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const r = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(2));
const ms = (x: number) => (Number.isNaN(x) ? '—' : `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`);
const MiB = 1024 ** 2;
const GB = 1e9;
/** The country of issue 6: 4,000,000 PCs (a quick run's nation is cut to a fraction of it). */
const COUNTRY_PCS = 4_000_000;

const pgPhase = (run: ScaleRun, name: PostgresPhase): PostgresPhaseRun | undefined =>
  run.postgres?.phases.find((p) => p.name === name);

/** A PostgreSQL phase's ingest stream figure, median over its rounds. */
const pgFigure = (
  phase: PostgresPhaseRun | undefined,
  pick: (s: PostgresPhaseRun['results'][0]['streams'][0]) => number,
) =>
  median((phase?.results ?? []).map((p) => p.streams.find((s) => s.kind === 'ingest')).map((s) => (s ? pick(s) : NaN)));

const sqliteIngest = (run: ScaleRun) => streamFigure(run, 'ingest', 'ingest', (s) => s.reportsPerSecond);
const pgIngest = (run: ScaleRun, name: PostgresPhase) => pgFigure(pgPhase(run, name), (s) => s.reportsPerSecond);
const pgBytesPerReport = (s: PostgresStorage) => (s.reportBytes + s.clampedBytes) / s.reportCount;

function ingestCell(reports: number, requests: number, p99: number): string {
  return Number.isNaN(reports)
    ? '— (phase not run)'
    : `${n(reports)} reports/s in ${n(requests)} req/s, p99 ${ms(p99)}`;
}

function onceCell(phase: PostgresPhaseRun | undefined): string {
  if (!phase) return '— (phase not run)';
  const stored = phase.after - phase.before;
  const failures = phase.results
    .flatMap((p) => p.streams)
    .flatMap((s) => Object.entries(s.failures))
    .reduce((sum, [, v]) => sum + v, 0);
  return `${n(stored)} stored, ${n(phase.acknowledged)} acknowledged: ${stored === phase.acknowledged ? '**equal**' : '**DIFFERENT**'}; ${n(failures)} non-200 answers or transport errors`;
}

/** Both scales' PostgreSQL figures beside SQLite's, then the goals of issue 14 and the country's size. */
export function renderPostgres(runs: ScaleRun[], machine: string): string {
  const cols = runs.filter((run) => run.postgres);
  if (cols.length === 0) return '';
  const head = `| figure | ${cols.map((c) => c.meta.scale.name).join(' | ')} |`;
  const rule = `|---|${cols.map(() => '---').join('|')}|`;
  const row = (label: string, cell: (run: ScaleRun) => string) => `| ${label} | ${cols.map(cell).join(' | ')} |`;
  const pgCell = (name: PostgresPhase) => (run: ScaleRun) => {
    const phase = pgPhase(run, name);
    return ingestCell(
      pgIngest(run, name),
      pgFigure(phase, (s) => s.perSecond),
      pgFigure(phase, (s) => s.latencyMs.p99),
    );
  };
  const sqliteCell = (run: ScaleRun) =>
    ingestCell(
      sqliteIngest(run),
      streamFigure(run, 'ingest', 'ingest', (s) => s.perSecond),
      streamFigure(run, 'ingest', 'ingest', (s) => s.latencyMs.p99),
    );
  const pgOne = (run: ScaleRun) => pgIngest(run, 'ingest-pg');
  const pgTwo = (run: ScaleRun) => pgIngest(run, 'ingest-pg-2');
  const goal = (measured: number, at: number) =>
    Number.isNaN(measured) ? '—' : `${r(measured)} (${measured >= at ? 'met' : `**missed**, ≥ ${at}`})`;
  const settings = cols[0]!.postgres!.settings.join(', ');
  return [
    `PostgreSQL ${settings} (durable, as in production; the tests' servers run with durability off). ${machine}.`,
    'One PostgreSQL server, the santong servers, the load client and the ceiling app all share those cores.',
    '',
    head,
    rule,
    row(
      'copy of the working copy into PostgreSQL (migrate-to-postgres code)',
      (run) => `${n(run.postgres!.copied.reportCount)} reports in ${n(run.postgres!.copyMs / 1000, 1)} s`,
    ),
    row('ingest, SQLite, one server', sqliteCell),
    row('ingest, PostgreSQL, one server', pgCell('ingest-pg')),
    row('ingest, PostgreSQL, two servers on one database (connections spread over both)', pgCell('ingest-pg-2')),
    row('ceiling (bare Hono app, same client and connections)', (run) => `${n(ceiling(run))} req/s`),
    row('PostgreSQL one server ÷ SQLite (issue 14: ≥ 0.5)', (run) => goal(pgOne(run) / sqliteIngest(run), 0.5)),
    row('PostgreSQL two servers ÷ one (issue 14: ≥ 1.5 where the cores allow)', (run) =>
      goal(pgTwo(run) / pgOne(run), 1.5),
    ),
    row('ingest reports/s ÷ ceiling req/s: SQLite / PG one / PG two', (run) =>
      [sqliteIngest(run), pgOne(run), pgTwo(run)].map((x) => r(x / ceiling(run))).join(' / '),
    ),
    row('exactly once, PostgreSQL one server (new rows in reports vs reports acknowledged, warm-up included)', (run) =>
      onceCell(pgPhase(run, 'ingest-pg')),
    ),
    row('exactly once, PostgreSQL two servers', (run) => onceCell(pgPhase(run, 'ingest-pg-2'))),
    row(
      'PostgreSQL transactions committed / rolled back during the phase (a rollback: a serialization conflict, run again)',
      (run) => run.postgres!.phases.map((p) => `${p.name}: ${n(p.commits)} / ${n(p.rollbacks)}`).join('; '),
    ),
    row('server peak RSS (VmHWM), PostgreSQL phases', (run) =>
      run
        .postgres!.phases.map((p) => `${p.name}: ${p.peakRssBytes.map((b) => `${n(b / MiB)} MiB`).join(' + ')}`)
        .join('; '),
    ),
    row('bytes per stored report, SQLite (reports table and its indexes, the cached data set)', (run) =>
      n(run.reportBytes / run.reportCount),
    ),
    row(
      'bytes per stored report, PostgreSQL (every day partition of reports and clamped_reports, heap + TOAST + indexes), after the copy and VACUUM FULL of reports_default',
      (run) => {
        const s = run.postgres!.copied;
        return `${n(pgBytesPerReport(s))} (${n(s.reportCount)} reports in ${s.partitions} partitions, ${n((s.reportBytes + s.clampedBytes) / MiB, 1)} MiB)`;
      },
    ),
    row('the same as the copy left it, before reclaiming the dead pages it leaves in reports_default', (run) =>
      n(pgBytesPerReport(run.postgres!.asCopied)),
    ),
    row('the same after the ingest phases', (run) => {
      const s = run.postgres!.afterIngest;
      return `${n(pgBytesPerReport(s))} (${n(s.reportCount)} reports)`;
    }),
    row('bytes per stored report, PostgreSQL ÷ SQLite', (run) =>
      r(pgBytesPerReport(run.postgres!.copied) / (run.reportBytes / run.reportCount)),
    ),
    ...steadyState(runs),
  ].join('\n');
}

/** The whole country's database once retention has filled, on each backend, from this run's bytes per report. */
function steadyState(runs: ScaleRun[]): string[] {
  const p = runs.find((run) => run.meta.scale.name === 'prefecture');
  const nat = runs.find((run) => run.meta.scale.name === 'national' && run.postgres);
  if (!nat?.postgres || !p?.folding) return [];
  const divisor = nat.meta.scale.registryDivisor;
  const a = steadyStateAssumptions;
  const pgStorage = nat.postgres.copied;
  const sqlite = nationalSteadyState(
    COUNTRY_PCS,
    nat.reportBytes / nat.reportCount,
    (nat.dbBytes - nat.reportBytes) * divisor,
    p.folding.bytesPerDeviceDay,
  );
  const postgres = nationalSteadyState(
    COUNTRY_PCS,
    pgBytesPerReport(pgStorage),
    (pgStorage.dbBytes - pgStorage.reportBytes - pgStorage.clampedBytes) * divisor,
    p.folding.bytesPerDeviceDay,
  );
  const total = (s: typeof sqlite) => s.registryBytes + s.rawBytes + s.foldedBytesPerYear;
  return [
    '',
    `The whole country at steady state, worked out as for SQLite in "Server (issue 6)": ${n(COUNTRY_PCS)} PCs reporting ${a.reportsPerSchoolDay} times a school day, ${a.schoolDaysPerYear} school days a year, raw reports kept ${a.retentionDays} days (${n(sqlite.rawReports / 1e9, 2)} billion reports).`,
    '',
    '| part | how it is sized | SQLite | PostgreSQL |',
    '|---|---|---|---|',
    `| raw reports within retention | bytes per stored report of this run's national data set (above) | ${n(sqlite.rawBytes / GB, 0)} GB | ${n(postgres.rawBytes / GB, 0)} GB |`,
    `| registry, status and rollup tables | this run's national database less its reports, × ${divisor} (the registry cut of the data set${divisor === 1 ? ', none' : ''}); PostgreSQL's includes its system catalogs | ${n(sqlite.registryBytes / GB, 1)} GB | ${n(postgres.registryBytes / GB, 1)} GB |`,
    `| folded device-days, per year | ${n(sqlite.deviceDaysPerYear / 1e6, 0)} million × ${n(p.folding.bytesPerDeviceDay)} B, measured on SQLite only (folded rows were not measured on PostgreSQL) | ${n(sqlite.foldedBytesPerYear / GB, 1)} GB | ${n(postgres.foldedBytesPerYear / GB, 1)} GB |`,
    `| total after the first year | | ${n(total(sqlite) / GB, 0)} GB | ${n(total(postgres) / GB, 0)} GB |`,
  ];
}
