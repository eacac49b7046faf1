import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ScaleRun } from './server/figures.ts';
import { cacheRoot, ensureDataset } from './world/generate.ts';
import type { LoadPlan, PhasePlan, PhaseResult } from './harness/load-plan.ts';
import { mainProfile, topFrames, topOwnFrames } from './harness/profile-top.ts';
import { workingCopy } from './world/rebase.ts';
import { renderPhases, renderRun, writeBenchmarks } from './server/report.ts';
import { scalesFor, type Scale } from './world/scales.ts';
import { measureFolding, type FoldingFigures } from './server/steady-state.ts';
import { repoRoot, startBenchServer, startSideApp, type SideApp } from './harness/server-process.ts';
import { runLoad } from './harness/run-load.ts';
import { storageOf } from './server/storage.ts';
import { measurePostgresIngest, POSTGRES_PHASES, type PostgresPhase } from './server/postgres-ingest.ts';
import { renderPostgres } from './server/postgres-report.ts';

/*
 * npm run bench [-- --quick] [--cpu-prof] [--phases a,b] [--scale prefecture|national]
 *                 [--server-root DIR] [--keep] [--no-write]
 *                 [--postgres]
 * --phases names SQLite's phases (ceiling, healthz, coverage, …, ingest) and PostgreSQL's: ingest-pg (one server)
 * and ingest-pg-2 (two servers on one database), measured after SQLite's on a copy of the same working copy;
 * --postgres adds both to the default list (issue 14's figures, beside SQLite's and the ceiling).
 * Per scale: the cached database (generated first if missing) is copied, shifted to now, served by a
 * real `santong serve` child on 127.0.0.1 and driven by a separate load process; then the figures of
 * issue 6 are printed and written to BENCHMARKS.md. Everything it starts, it stops, Ctrl-C included.
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    phases: { type: 'string' },
    scale: { type: 'string' },
    'server-root': { type: 'string' },
    keep: { type: 'boolean' },
    'no-write': { type: 'boolean' },
    postgres: { type: 'boolean' },
  },
});
const quick = args.quick ?? false;
const CONNECTIONS = 16;
/** The province read at national scale: Gansu, Linxia's province. */
const PROVINCE = '620000';
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Each round: the ceiling, /healthz, the reads (the top read gzipped and plain, the province's where the tree has one), ingest, then ingest beside each read. */
function phases(withProvince = true): PhasePlan[] {
  const [rounds, warmupMs, durationMs] = quick ? [1, 1_000, 3_000] : [3, 2_000, 8_000];
  const c = CONNECTIONS;
  const only = args.phases?.split(',');
  const round = (r: number): PhasePlan[] => [
    { name: 'ceiling', round: r, warmupMs, durationMs, streams: [{ kind: 'ceiling', connections: c }] },
    { name: 'healthz', round: r, warmupMs, durationMs, streams: [{ kind: 'healthz', connections: c }] },
    { name: 'coverage', round: r, warmupMs, durationMs, streams: [{ kind: 'coverage', connections: c }] },
    {
      name: 'coverage-plain',
      round: r,
      warmupMs,
      durationMs,
      streams: [{ kind: 'coverage-plain', connections: c }],
    },
    ...(withProvince
      ? [{ name: 'province', round: r, warmupMs, durationMs, streams: [{ kind: 'province' as const, connections: c }] }]
      : []),
    { name: 'county', round: r, warmupMs, durationMs, streams: [{ kind: 'county', connections: c }] },
    { name: 'ingest', round: r, warmupMs, durationMs, streams: [{ kind: 'ingest', connections: c }] },
    {
      name: 'ingest+coverage',
      round: r,
      warmupMs,
      durationMs,
      streams: [
        { kind: 'ingest', connections: c },
        { kind: 'coverage', connections: c },
      ],
    },
    {
      name: 'ingest+county',
      round: r,
      warmupMs,
      durationMs,
      streams: [
        { kind: 'ingest', connections: c },
        { kind: 'county', connections: c },
      ],
    },
  ];
  return Array.from({ length: rounds }, (_, r) => round(r + 1))
    .flat()
    .filter((p) => !only || only.includes(p.name));
}

/**
 * PostgreSQL's phases this run measures: those --phases names, or every one with --postgres. Not in the default list:
 * per scale they add a PostgreSQL server, a copy of the working copy into it (20–57 s a scale in quick runs here) and
 * three server starts; a quick run with them took 4 min 44 s (BENCHMARKS.md, "PostgreSQL beside SQLite").
 */
function postgresPhases(): PostgresPhase[] {
  const only = args.phases?.split(',');
  const all = Object.keys(POSTGRES_PHASES) as PostgresPhase[];
  return only ? all.filter((name) => only.includes(name)) : args.postgres ? all : [];
}

/** A PostgreSQL phase's rounds: the ingest phase's timing and connections. */
function postgresPhasePlan(name: PostgresPhase): PhasePlan[] {
  const [rounds, warmupMs, durationMs] = quick ? [1, 1_000, 3_000] : [3, 2_000, 8_000];
  return Array.from({ length: rounds }, (_, r) => ({
    name,
    round: r + 1,
    warmupMs,
    durationMs,
    streams: [{ kind: 'ingest' as const, connections: CONNECTIONS }],
  }));
}

async function measure(scale: Scale): Promise<ScaleRun> {
  const dataset = await ensureDataset(scale, log);
  const work = path.join(cacheRoot, 'run', scale.key);
  const { workFile, rebaseMs } = workingCopy(
    { file: dataset.file, generatedAt: dataset.meta.generatedAt },
    work,
    (line) => log(`${scale.key}: ${line}`),
  );
  const storage = storageOf(dataset.dir);
  const cpuProfDir = args['cpu-prof']
    ? path.join(cacheRoot, 'profiles', `${scale.key}-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  const server = await startBenchServer(work, {
    logFile: path.join(work, 'server.log'),
    cpuProfDir,
    serverRoot: args['server-root'],
  });
  const hasProvince = scale.counties === 'china';
  const plannedPhases = phases(hasProvince);
  log(
    `${scale.key}: server up in ${server.startMs.toFixed(0)} ms (pid ${server.pid}); load for ${plannedPhases.length} phases`,
  );
  let results: PhaseResult[];
  let firstReadMs: number;
  let peakRssBytes: number;
  let provinceVia: ScaleRun['provinceVia'] = null;
  let plan: LoadPlan;
  const sideApps: SideApp[] = [];
  try {
    sideApps.push(await startSideApp('bench/harness/ceiling-app.ts'));
    const ceilingUrl = sideApps[0]!.url;
    let province: LoadPlan['province'];
    if (hasProvince) {
      // The server's own `?division=` when it has it (its answer names the division asked for), else the stand-in.
      const path = `/api/v1/coverage?division=${PROVINCE}`;
      const answer = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${dataset.meta.apiToken}` },
      });
      const body = (await answer.json().catch(() => null)) as { division?: { code?: string } } | null;
      if (answer.status === 200 && body?.division?.code === PROVINCE) {
        province = { url: server.url, path };
        provinceVia = 'api';
      } else {
        const standIn = await startSideApp('bench/harness/division-app.ts', [work]);
        sideApps.push(standIn);
        province = { url: standIn.url, path: `/coverage?division=${PROVINCE}` };
        provinceVia = 'stand-in';
      }
      log(
        `${scale.key}: province reads through ${provinceVia === 'api' ? 'the server' : 'the stand-in app (no ?division= yet)'}`,
      );
    }
    const started = performance.now();
    const first = await fetch(`${server.url}/api/v1/coverage`, {
      headers: { authorization: `Bearer ${dataset.meta.apiToken}` },
    });
    await first.text();
    if (first.status !== 200) throw new Error(`first coverage read answered ${first.status}`);
    firstReadMs = performance.now() - started;
    plan = {
      url: server.url,
      apiToken: dataset.meta.apiToken,
      countyView: dataset.meta.countyView,
      ceilingUrl,
      province,
      seed: dataset.meta.seed,
      loadDevices: dataset.meta.loadDevices,
      batchMin: 1,
      batchMax: 24,
      phases: plannedPhases,
    };
    results = await runLoad(plan, work);
    peakRssBytes = server.peakRss();
  } finally {
    for (const app of sideApps) await app.stop();
    await server.stop();
  }
  const pgNames = postgresPhases();
  const postgres =
    pgNames.length === 0
      ? undefined
      : await measurePostgresIngest({
          work,
          key: scale.key,
          names: pgNames,
          phases: postgresPhasePlan,
          plan,
          log,
          serverRoot: args['server-root'],
        });
  if (cpuProfDir) {
    const profile = mainProfile(cpuProfDir);
    if (profile) {
      log(
        `${scale.key}: server CPU profile ${path.relative(repoRoot, profile)}, top frames by self time:\n${topFrames(profile, 20).join('\n')}`,
      );
      log(
        `${scale.key}: the same time charged to the nearest function of server/ or shared/ on the stack:\n${topOwnFrames(profile, 20).join('\n')}`,
      );
    }
  }
  // The prefecture's working copy holds 30 days for every PC: fold its oldest tenth as retention would, to size folded rows.
  let folding: FoldingFigures | undefined;
  if (scale.name === 'prefecture') {
    folding = await measureFolding(workFile, 0.1);
    log(
      `${scale.key}: folded ${folding.reportsFolded.toLocaleString('en')} reports into ${folding.deviceDays.toLocaleString('en')} device-days in ${(folding.foldMs / 1000).toFixed(1)} s`,
    );
  }
  if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  return {
    meta: dataset.meta,
    phases: results,
    startMs: server.startMs,
    firstReadMs,
    rebaseMs,
    peakRssBytes,
    folding,
    provinceVia,
    postgres,
    ...storage,
  };
}

const machine = (load: number[]) => [
  `machine: ${os.availableParallelism()} CPUs (\`nproc\`), ${os.cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}`,
  `memory (\`free -h\`): ${execSync('free -h').toString().split('\n')[1]!.trim().replace(/\s+/g, ' ')}`,
  `load average at start ${load.map((x) => x.toFixed(2)).join(' ')}, at end ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(
      ' ',
    )} (other work on the machine shares its CPUs; ratios to /healthz taken in the same run absorb some of that)`,
];

/** What the PostgreSQL section states of the machine: its cores, and that others share them. */
const machineFacts = () =>
  `${os.availableParallelism()} cores (os.availableParallelism()), shared with other work on the machine; load average ${loadAtStart
    .map((x) => x.toFixed(2))
    .join(' ')} at the start of the run, ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at its end`;

const loadAtStart = os.loadavg();
const [small, large] = scalesFor(quick);
if (args.scale) {
  // One scale only (to profile or compare one path): the measured phases, no goal table, nothing written.
  const scale = [small, large].find((s) => s.name === args.scale);
  if (!scale) throw new Error(`--scale takes prefecture or national, not ${args.scale}`);
  const run = await measure(scale);
  process.stdout.write(`${renderPhases(run)}\n`);
  if (run.postgres) process.stdout.write(`\n${renderPostgres([run], machineFacts())}\n`);
  process.exit(0);
}
const prefecture = await measure(small);
const national = await measure(large);
process.stdout.write(`${renderPhases(prefecture)}\n${renderPhases(national)}\n\n`);
const markdown = renderRun({
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine: [
    ...machine(loadAtStart),
    `phases: ${quick ? '1 round of 1 s warm-up + 3 s' : '3 rounds of 2 s warm-up + 8 s'} each, ${CONNECTIONS} connections per stream, ingest batches of 1–24 reports`,
  ],
  scales: [prefecture, national],
});
process.stdout.write(`${markdown}\n`);
if (prefecture.postgres || national.postgres)
  process.stdout.write(`\n${renderPostgres([prefecture, national], machineFacts())}\n`);
// Only a full, unfiltered run of this checkout's server stands for the figures in BENCHMARKS.md.
if (!quick && !args['no-write'] && !args.phases && !args['server-root']) {
  writeBenchmarks(markdown);
  log('written to BENCHMARKS.md (section "Server (issue 6)")');
}
