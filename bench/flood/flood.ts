import { execSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseServerConfig } from '../../server/config.ts';
import { DATABASE_FILE } from '../../server/db/client.ts';
import {
  epochNow,
  floodKinds,
  floodWindows,
  pickDevices,
  type FloodCounts,
  type FloodKind,
  type FloodPlan,
  type SentBatch,
} from './plan.ts';
import { renderComparison, renderFlooders, renderRounds, type ServerSample } from './report.ts';
import { cacheRoot, ensureDataset } from '../world/generate.ts';
import { mainProfile, topFrames, topOwnFrames } from '../harness/profile-top.ts';
import { needsRebase, rebaseDatabase } from '../world/rebase.ts';
import { scalesFor } from '../world/scales.ts';
import { killOnExit, repoRoot, startBenchServer } from '../harness/server-process.ts';

/*
 * npm run bench:flood [-- --quick] [--cpu-prof] [--server-root DIR] [--keep] [--flood full,garbage,invalid,oversized,nested]
 * Does a flood from one device slow the others (issue 7)? The prefecture database of `npm run bench`
 * (Linxia, 30 days of history; 2 days in --quick) is served by a real `santong serve` child on 127.0.0.1
 * with every production limit at its default (server/config.ts). Three processes beside it:
 *  - bench/flood/load.ts plays 2,000 school PCs with their own keys, 2 per school plus the flooder's
 *    schoolmates, sending batches of 1–24 reports on a fixed schedule (open loop, 50 batches/s in all: a
 *    morning boot of every PC in Linxia within ~3 minutes), the whole run long;
 *  - bench/flood/attack.ts floods in some windows: one PC's key on 64 connections at once (full batches,
 *    garbage, JSON that is no batch, 5 MiB bodies, nested `[` under many keys), or one address on enroll and login.
 *  - bench/flood/decoy.ts, the control: a bare node:http server that refuses everything; the same device
 *    flood aimed at it shows what any flood costs this shared machine (flooder CPU, loopback copying).
 * Windows alternate quiet / device flood / quiet / decoy flood / quiet / address flood / …, each flood
 * between two quiet windows, so drift falls on both sides.
 * Limits are keyed by client address, and here every request comes from 127.0.0.1: the server runs as
 * behind a reverse proxy (SANTONG_TRUST_PROXY=1) and each school's requests carry its own address in
 * X-Forwarded-For, the flooder's the same as its schoolmates', as behind a school's NAT.
 * Prints Markdown for BENCHMARKS.md ("Flood from one device"); writes nothing there itself.
 */
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    'cpu-prof': { type: 'boolean' },
    'server-root': { type: 'string' },
    keep: { type: 'boolean' },
    flood: { type: 'string' },
  },
});
// --flood picks what the flooding PC sends (to see which part of a flood costs what); all four by default.
const kinds = (args.flood?.split(',') ?? [...floodKinds]) as FloodKind[];
if (kinds.length === 0 || kinds.some((k) => !floodKinds.includes(k)))
  throw new Error(`--flood takes some of ${floodKinds.join(',')}`);
const quick = args.quick ?? false;
// Enough PCs that each sends fewer batches in a run than the 10 a key may send back to back (decision 050):
// the normal load must be refused by nothing but the flood.
const PCS = 2_000;
const BATCHES_PER_SECOND = 50;
const log = (line: string) => process.stderr.write(`${line}\n`);
const children = new Set<ChildProcess>();
const cleanup = killOnExit(children);

const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** The server's CPU time so far (all threads, user + system) from /proc, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const rssBytes = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** Starts a load process over the plan; resolves when it is ready, with its answer to come. */
function startLoad(script: string, planFile: string): Promise<{ child: ChildProcess; result: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, planFile], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const result = new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      children.delete(child);
      const last = out.trim().split('\n').at(-1);
      if (code === 0 && last) resolve(JSON.parse(last));
      else reject(new Error(`${script} exited with ${code}`));
    }),
  );
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ child, result }));
    child.once('exit', () => reject(new Error(`${script} exited before it was ready`)));
  });
}

/** Starts bench/flood/decoy.ts and resolves with its URL. */
function startDecoy(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/flood/decoy.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(String(d).trim()));
    child.once('exit', () => reject(new Error('the decoy server exited before it listened')));
  });
}

const loadAtStart = os.loadavg();
const scale = scalesFor(quick)[0];
const dataset = await ensureDataset(scale, log);
const work = path.join(cacheRoot, 'run', `flood-${scale.key}`);
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
log(`${scale.key}: copying the cached database to a working copy`);
fs.copyFileSync(dataset.file, path.join(work, DATABASE_FILE));
if (needsRebase(dataset.meta.generatedAt, Date.now()))
  rebaseDatabase(path.join(work, DATABASE_FILE), Date.now() - dataset.meta.generatedAt);

// Production limits, spelled out so nothing in the caller's environment changes them; only the proxy is added.
const limits = parseServerConfig({}, {});
const env = {
  SANTONG_TRUST_PROXY: '1',
  SANTONG_REPORTS_PER_IP_PER_MINUTE: String(limits.reportsPerIpPerMinute),
  SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: String(limits.reportBatchesPerDevicePerHour),
  SANTONG_ENROLL_PER_IP_PER_MINUTE: String(limits.enrollPerIpPerMinute),
  SANTONG_LOGIN_PER_IP_PER_MINUTE: String(limits.loginPerIpPerMinute),
  SANTONG_MAX_BODY_BYTES: String(limits.maxBodyBytes),
  SANTONG_MAX_REPORT_BODY_BYTES: String(limits.maxReportBodyBytes),
};
const cpuProfDir = args['cpu-prof']
  ? path.join(cacheRoot, 'profiles', `flood-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  : undefined;
const server = await startBenchServer(work, {
  logFile: path.join(work, 'server.log'),
  cpuProfDir,
  serverRoot: args['server-root'],
  env,
});
log(`${scale.key}: server up in ${server.startMs.toFixed(0)} ms (pid ${server.pid})`);

const { flooder, devices, minted } = pickDevices(dataset.meta.seed, dataset.meta.loadDevices, PCS);
const plan: FloodPlan = {
  url: server.url,
  decoyUrl: await startDecoy(),
  windows: floodWindows(quick),
  devices,
  batchesPerSecond: BATCHES_PER_SECOND,
  batchMin: 1,
  batchMax: 24,
  connections: 64,
  flooder: { ...flooder, connections: 64, kinds, minted },
  addressFlooder: { address: '203.0.113.77', connections: 32 },
};
const runSeconds = plan.windows.at(-1)!.end / 1000;
// The normal PCs must stay inside their own budget, or the figures would measure that instead of the flood.
const perPc = (BATCHES_PER_SECOND * runSeconds) / devices.length;
if (perPc > limits.reportBatchesPerDevicePerHour * 0.8)
  throw new Error(
    `each normal PC would send ${perPc.toFixed(0)} batches, near its limit of ${limits.reportBatchesPerDevicePerHour}`,
  );
const planFile = path.join(work, 'flood-plan.json');
fs.writeFileSync(planFile, JSON.stringify(plan));

let sent: SentBatch[];
let floods: FloodCounts[];
const samples: ServerSample[] = [];
let peakRss = 0;
try {
  const [pcs, attacker] = await Promise.all([
    startLoad('bench/flood/load.ts', planFile),
    startLoad('bench/flood/attack.ts', planFile),
  ]);
  const t0 = epochNow() + 300;
  pcs.child.send({ t0 });
  attacker.child.send({ t0 });
  log(`${plan.windows.length} windows over ${runSeconds.toFixed(0)} s: ${plan.windows.map((w) => w.kind).join(', ')}`);
  // The server's CPU over each window's measured part, and its resident memory at the window's end.
  const sampling = plan.windows.map(async (w, i) => {
    const at = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - epochNow())));
    await at(w.measureFrom);
    const cpu = cpuSeconds(server.pid);
    await at(w.end);
    samples[i] = {
      cpuSeconds: cpuSeconds(server.pid) - cpu,
      seconds: (w.end - w.measureFrom) / 1000,
      rssBytes: rssBytes(server.pid),
    };
  });
  [sent, floods] = (await Promise.all([pcs.result, attacker.result, ...sampling])) as [SentBatch[], FloodCounts[]];
} finally {
  peakRss = server.peakRss();
  await server.stop();
  cleanup(); // the decoy, and any load process still running after a failure
}
if (cpuProfDir) {
  const profile = mainProfile(cpuProfDir);
  if (profile) {
    log(
      `server CPU profile ${path.relative(repoRoot, profile)}, top frames by self time:\n${topFrames(profile, 25).join('\n')}`,
    );
    log(
      `the same time charged to the nearest function of server/ or shared/ on the stack:\n${topOwnFrames(profile, 25).join('\n')}`,
    );
  }
}
if (args.keep) {
  fs.writeFileSync(path.join(work, 'flood-results.json'), JSON.stringify({ sent, floods, samples }));
  log(
    `kept ${path.relative(repoRoot, work)}: the database, server.log, flood-plan.json and flood-results.json (every batch as sent)`,
  );
} else fs.rmSync(work, { recursive: true, force: true });

let head = 'a checkout outside git';
try {
  head = execSync('git rev-parse --short HEAD', {
    cwd: args['server-root'] ?? repoRoot,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .toString()
    .trim();
} catch {}
const neighbours = devices.filter((d) => d.neighbour).length;
process.stdout.write(
  [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: \`npm run bench:flood${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (server at ${head})`,
    '',
    `- machine: ${os.availableParallelism()} CPUs (\`nproc\`), ${os.cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}, at end ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
    `- data: ${scale.key} (${dataset.meta.schools.toLocaleString('en')} schools, ${dataset.meta.devices.toLocaleString('en')} PCs, ${dataset.meta.reports.toLocaleString('en')} reports); limits as shipped: ${limits.reportBatchesPerDevicePerHour} batches/h per device, ${limits.reportsPerIpPerMinute}/min reports, ${limits.enrollPerIpPerMinute}/min enroll, ${limits.loginPerIpPerMinute}/min login per address`,
    `- normal load: ${devices.length} PCs (${neighbours} of them the flooder's schoolmates), ${BATCHES_PER_SECOND} batches/s of 1–24 reports on a fixed schedule; windows of ${((plan.windows[1]!.end - plan.windows[1]!.measureFrom) / 1000).toFixed(0)} s, a flood's from its start, a quiet one's after ${((plan.windows[1]!.measureFrom - plan.windows[1]!.start) / 1000).toFixed(0)} s for the backlog to clear; ${plan.windows.filter((w) => w.kind === 'device-flood').length} of each flood between ${plan.windows.filter((w) => w.kind === 'quiet').length} quiet ones`,
    `- server peak RSS over the run (VmHWM): ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
    '',
    renderComparison(plan, sent, samples),
    '',
    renderRounds(plan, sent),
    '',
    renderFlooders(plan, floods),
    '',
  ].join('\n'),
);
