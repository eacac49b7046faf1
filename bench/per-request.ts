import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './server/figures.ts';
import { runPlan } from './harness/load.ts';
import type { LoadPlan, PhasePlan, StreamKind } from './harness/load-plan.ts';
import { mainProfile, topFrames, topOwnFrames } from './harness/profile-top.ts';
import { readCpuMicros, startBenchServer, startSideApp, type BenchServer } from './harness/server-process.ts';
import { cacheRoot, ensureDataset } from './world/generate.ts';
import { workingCopy } from './world/rebase.ts';
import { scalesFor } from './world/scales.ts';

/*
 * What every request pays (issue 15 item 4), narrowly: the ceiling, /healthz and the top read only (asked with
 * Accept-Encoding: gzip as clients ask it, and plain: decision 194), on the quick
 * national world, in rounds. Beside each rate it reads the serving process's CPU time over the measured window
 * (/proc/PID/stat), so a request's cost is seen apart from the client sharing the machine's two cores.
 * With --server-root DIR a second server (another checkout, e.g. the commit before a change) serves its own copy
 * of the same world and is loaded in the same rounds, right after this checkout's: before and after share one
 * machine state. The client is bench/harness/load.ts's, run in this process (which does nothing else meanwhile).
 *   node --import tsx bench/per-request.ts [--rounds 3] [--seconds 5] [--server-root DIR] [--phases healthz] [--cpu-prof]
 */
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'server-root': { type: 'string' },
    phases: { type: 'string' },
    'cpu-prof': { type: 'boolean' },
  },
});
const rounds = Number(args.rounds ?? 3);
const durationMs = Number(args.seconds ?? 5) * 1000;
const WARMUP_MS = 1_000;
const CONNECTIONS = 16;
/** To profile one path: --phases healthz loads only /healthz (the table then lacks the ratios it did not measure). */
const only = args.phases?.split(',');
const kinds = (['ceiling', 'healthz', 'coverage', 'coverage-plain'] as const).filter((k) => !only || only.includes(k));
const log = (line: string) => process.stderr.write(`${line}\n`);

const dataset = await ensureDataset(scalesFor(true)[1], log);

interface Measured {
  perSecond: number;
  /** CPU time of the serving process per answered request, µs. */
  cpuMicros: number;
  failures: number;
}

interface Candidate {
  name: string;
  server: BenchServer;
  cpuProfDir: string | undefined;
  /** By round, then by stream kind. */
  rounds: Map<StreamKind, Measured>[];
}

async function startCandidate(name: string, serverRoot: string | undefined): Promise<Candidate> {
  const work = path.join(cacheRoot, 'run', `per-request-${name}`);
  workingCopy({ file: dataset.file, generatedAt: dataset.meta.generatedAt }, work, (line) => log(`${name}: ${line}`));
  const cpuProfDir = args['cpu-prof']
    ? path.join(cacheRoot, 'profiles', `per-request-${name}-${Date.now()}`)
    : undefined;
  const server = await startBenchServer(work, { logFile: path.join(work, 'server.log'), cpuProfDir, serverRoot });
  // The first top read builds the kept answer; the rounds measure the answer kept.
  const first = await fetch(`${server.url}/api/v1/coverage`, {
    headers: { authorization: `Bearer ${dataset.meta.apiToken}` },
  });
  await first.text();
  if (first.status !== 200) throw new Error(`${name}: first coverage read answered ${first.status}`);
  log(`${name}: server up (pid ${server.pid})`);
  return { name, server, cpuProfDir, rounds: [] };
}

/** One stream of one kind against `url`, with the CPU time `pid` spends within the measured window. */
async function measure(kind: StreamKind, url: string, ceilingUrl: string, pid: number): Promise<Measured> {
  const phase: PhasePlan = {
    name: kind,
    round: 1,
    warmupMs: WARMUP_MS,
    durationMs,
    streams: [{ kind, connections: CONNECTIONS }],
  };
  const plan: LoadPlan = {
    url,
    apiToken: dataset.meta.apiToken,
    countyView: dataset.meta.countyView,
    ceilingUrl,
    seed: dataset.meta.seed,
    loadDevices: [],
    batchMin: 1,
    batchMax: 1,
    phases: [phase],
  };
  // Read when the load's measured window opens and closes (the load checks the same clock between requests).
  const at = (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(readCpuMicros(pid)), ms));
  const cpuFrom = at(WARMUP_MS);
  const cpuTo = at(WARMUP_MS + durationMs);
  const [result] = await runPlan(plan);
  const stream = result!.streams[0]!;
  return {
    perSecond: stream.perSecond,
    cpuMicros: ((await cpuTo) - (await cpuFrom)) / Math.max(1, stream.requests),
    failures: stream.requests - stream.ok,
  };
}

const loadAtStart = os.loadavg();
const candidates = [await startCandidate('this', undefined)];
if (args['server-root']) candidates.push(await startCandidate('other', args['server-root']));
const ceiling = await startSideApp('bench/harness/ceiling-app.ts');
try {
  for (let round = 1; round <= rounds; round++) {
    for (const candidate of candidates) {
      const figures = new Map<StreamKind, Measured>();
      for (const kind of kinds) {
        const pid = kind === 'ceiling' ? ceiling.pid : candidate.server.pid;
        figures.set(kind, await measure(kind, candidate.server.url, ceiling.url, pid));
      }
      candidate.rounds.push(figures);
      log(`round ${round}, ${candidate.name}: done`);
    }
  }
} finally {
  await ceiling.stop();
  for (const candidate of candidates) await candidate.server.stop();
}

const n = (x: number, digits = 0) =>
  Number.isNaN(x) ? '—' : x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const lines = [
  `load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}, at end ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${rounds} rounds of 1 s warm-up + ${durationMs / 1000} s a phase, ${CONNECTIONS} connections`,
  '| server | round | ceiling req/s (CPU µs/req) | /healthz req/s (CPU µs/req) | top read, gzip, req/s (CPU µs/req) | top read, plain, req/s (CPU µs/req) | /healthz ÷ ceiling | top read gzip ÷ ceiling | top read plain ÷ ceiling |',
  '|---|---|---|---|---|---|---|---|---|',
];
const cell = (m: Measured | undefined) => (m ? `${n(m.perSecond)} (${n(m.cpuMicros, 1)})` : '—');
for (const candidate of candidates) {
  const ratio = (figures: Map<StreamKind, Measured>, kind: StreamKind) =>
    (figures.get(kind)?.perSecond ?? NaN) / (figures.get('ceiling')?.perSecond ?? NaN);
  candidate.rounds.forEach((figures, i) =>
    lines.push(
      `| ${candidate.name} | ${i + 1} | ${cell(figures.get('ceiling'))} | ${cell(figures.get('healthz'))} | ${cell(figures.get('coverage'))} | ${cell(figures.get('coverage-plain'))} | ${n(ratio(figures, 'healthz'), 3)} | ${n(ratio(figures, 'coverage'), 3)} | ${n(ratio(figures, 'coverage-plain'), 3)} |`,
    ),
  );
  const mid = (kind: StreamKind, pick: (m: Measured) => number) =>
    median(candidate.rounds.map((f) => (f.get(kind) ? pick(f.get(kind)!) : NaN)));
  const midCell = (kind: StreamKind) =>
    `${n(mid(kind, (m) => m.perSecond))} (${n(
      mid(kind, (m) => m.cpuMicros),
      1,
    )})`;
  lines.push(
    `| ${candidate.name} | median | ${midCell('ceiling')} | ${midCell('healthz')} | ${midCell('coverage')} | ${midCell('coverage-plain')} | **${n(median(candidate.rounds.map((f) => ratio(f, 'healthz'))), 3)}** | **${n(median(candidate.rounds.map((f) => ratio(f, 'coverage'))), 3)}** | **${n(median(candidate.rounds.map((f) => ratio(f, 'coverage-plain'))), 3)}** |`,
  );
  const failures = candidate.rounds.flatMap((f) => [...f.values()]).reduce((t, m) => t + m.failures, 0);
  if (failures) lines.push(`(${candidate.name}: ${failures} answers were not 200)`);
}
process.stdout.write(`${lines.join('\n')}\n`);
for (const candidate of candidates) {
  const profile = candidate.cpuProfDir ? mainProfile(candidate.cpuProfDir) : null;
  if (!profile) continue;
  log(`${candidate.name}: ${profile}\n${topFrames(profile, 25).join('\n')}`);
  log(`${candidate.name}, charged to our own code:\n${topOwnFrames(profile, 20).join('\n')}`);
}
