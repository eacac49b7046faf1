/*
 * `npm run bench:agent`: the agent's footprint, measured in one run beside bare node processes.
 * A real server (in this process) takes the reports and an https site on 127.0.0.1, signed by a CA of
 * this run, stands in for the internet targets; the agent (bench/agent/cycles.ts, bundled like
 * dist/santong-agent.mjs and started like the service) does 1,000 full collection cycles. Writes the
 * "Agent footprint" section of BENCHMARKS.md.
 */
import { execFileSync, execSync, spawn } from 'node:child_process';
import { count } from 'drizzle-orm';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildAgentBundle } from '../../agent/build.ts';
import { debName } from '../../shared/release-artifacts.ts';
import { buildExecutable } from '../../agent/package/executable.ts';
import { AGENT_ENVIRONMENT, AGENT_NODE_FLAGS, EXECUTABLE_NODE_OPTIONS } from '../../agent/service.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { parseServerConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { reports } from '../../server/db/schema.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { startServer } from '../../server/index.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import type { Sample } from './cycles.ts';
import {
  buildArtifacts,
  evictFromPageCache,
  executableSection,
  timeInstall,
  type ArtifactSize,
  type InstallTiming,
} from './executable.ts';

const flags = process.argv.slice(2);
const CYCLES = Number(flags.find((f) => !f.startsWith('--')) ?? 1000); // `npm run bench:agent -- 100` for a quick look
/** `--executable`: the same cycles in a standalone linux-x64 executable, started as its unit starts it (decision 170). */
const EXECUTABLE = flags.includes('--executable');
const HOUR = 60; // an hour of the daemon is 60 ticks; here every one of them is a full cycle
const EVERY = 100;
const audit = { actor: 'bench', reason: 'npm run bench:agent' };
const dir = mkdtempSync(join(tmpdir(), 'santong-bench-agent-'));
const MiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const loadAtStart = loadavg();

/** VmRSS and anonymous memory of another process. */
function memoryOf(pid: number): { rss: number; anon: number } {
  const kB = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)![1]) * 1024;
  return {
    rss: kB(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS'),
    anon: kB(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Anonymous'),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** An https site on 127.0.0.1 with a certificate from a CA made for this run (openssl; Node cannot sign X.509), or null without openssl. */
async function startTlsTarget(): Promise<{ url: string; caFile: string; close: () => void } | null> {
  const [key, caFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        caFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return null;
  }
  const site = createServer({ key: readFileSync(key), cert: readFileSync(caFile) }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(site.address() as AddressInfo).port}/`, caFile, close: () => site.close() };
}

const exited = (child: ReturnType<typeof spawn>) => new Promise((resolve) => child.once('exit', resolve));

try {
  const db = openDatabase(join(dir, 'server'));
  await ensureReferenceData(sqliteStore(db), Date.now());
  await importSchools(
    sqliteStore(db),
    [
      {
        line: 2,
        cells: {
          code: '6229210001',
          name: '基准测试小学',
          county_code: '622921',
          type_code: '211',
          urban_rural_code: '121',
          classroom_count: '1',
        },
      },
    ],
    Date.now(),
    audit,
  );
  const { token } = await createEnrollmentToken(
    sqliteStore(db),
    { schoolCode: '6229210001', expiresAt: null, maxUses: null },
    Date.now(),
    audit,
  );
  db.$client.close();
  const server = await startServer(
    parseServerConfig(
      { 'data-dir': join(dir, 'server'), port: '0', host: '127.0.0.1', 'log-level': 'silent' },
      // One device sends a batch a cycle, far more than the 60 an hour a real device may: limits off.
      { SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0', SANTONG_REPORTS_PER_IP_PER_MINUTE: '0' },
    ),
  );
  const tls = await startTlsTarget();
  if (!tls) console.log('no openssl: the probe target is the server over http, so TLS is not measured');

  const driver = join(dir, 'agent-cycles.mjs');
  const { bytes } = await buildAgentBundle({
    outfile: driver,
    entry: new URL('./cycles.ts', import.meta.url).pathname,
  });
  // The driver inside an executable: the launcher writes it beside the executable and imports it, as the agent's.
  const executable = EXECUTABLE ? join(dir, 'executable', 'santong-agent') : null;
  if (executable) {
    mkdirSync(dirname(executable));
    buildExecutable({ target: 'linux-x64', bundle: driver, outfile: executable, version: AGENT_VERSION });
    evictFromPageCache(executable);
  }
  const driverArgs = (args: string[]) => (executable ? args : [driver, ...args]);
  // Enrolled by hand with plain node (or the executable), as an IT teacher does, before the service ever starts.
  await exited(
    spawn(
      executable ?? process.execPath,
      driverArgs(['enroll', server.url, token, join(dir, 'agent'), tls?.url ?? '', tls?.caFile ?? '']),
      { stdio: 'inherit' },
    ),
  );
  const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e9)'], { stdio: 'ignore' });
  const bareAsService = spawn(process.execPath, [...AGENT_NODE_FLAGS, '-e', 'setInterval(()=>{},1e9)'], {
    stdio: 'ignore',
    env: { ...process.env, ...AGENT_ENVIRONMENT },
  });
  console.log(
    `agent: ${CYCLES} collection cycles against ${server.url}, probing ${tls?.url ?? `${server.url}/healthz`} …`,
  );
  // Started the way the systemd unit starts the daemon: its node flags (an executable's NODE_OPTIONS) and environment.
  const cycleArgs = [join(dir, 'agent'), String(CYCLES), String(HOUR), String(EVERY)];
  const agent = executable
    ? spawn(executable, cycleArgs, {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, ...AGENT_ENVIRONMENT, NODE_OPTIONS: `--expose-gc ${EXECUTABLE_NODE_OPTIONS}` },
      })
    : spawn(process.execPath, ['--expose-gc', ...AGENT_NODE_FLAGS, driver, ...cycleArgs], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, ...AGENT_ENVIRONMENT },
      });
  let out = '';
  agent.stdout.on('data', (d: Buffer) => (out += d));
  await exited(agent);
  const [plain, asService] = [memoryOf(bare.pid!), memoryOf(bareAsService.pid!)];
  bare.kill();
  bareAsService.kill();
  let artifacts: ArtifactSize[] = [];
  let install: InstallTiming = { skipped: 'not measured' };
  if (EXECUTABLE) {
    const release = join(dir, 'release');
    await buildAgentBundle({ outfile: join(release, 'santong-agent.mjs') });
    artifacts = buildArtifacts(join(release, 'santong-agent.mjs'), release);
    const db = openDatabase(join(dir, 'server'));
    install = await timeInstall({
      dir: join(dir, 'deb-root'),
      deb: join(release, debName(AGENT_VERSION, 'amd64')),
      server: server.url,
      token,
      reports: () => db.select({ n: count() }).from(reports).get()!.n,
    });
    db.$client.close();
  }
  tls?.close();
  await server.close();
  const loadAtEnd = loadavg();
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
    wall: number[];
    cpu: number[];
    samples: Sample[];
    delivered: boolean;
  };
  if (!r.delivered) throw new Error('the agent did not deliver every report');
  const atHour = r.samples.find((s) => s.cycle === HOUR)!;
  const atEnd = r.samples.at(-1)!;
  const half = r.samples.find((s) => s.cycle === Math.round(CYCLES / 2 / EVERY) * EVERY) ?? atHour;
  console.log(JSON.stringify({ plain, asService, samples: r.samples }));

  const steady = r.wall.slice(5); // the first cycles load code and open the outbox
  const cpuSteady = r.cpu.slice(5);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ratio = (rss: number) => Math.max(rss / plain.rss, rss / asService.rss);
  const growth = atEnd.rss - atHour.rss;
  const rows: [string, string, string, string, boolean][] = [
    [
      'resident memory after an hour (60 cycles)',
      `${MiB(atHour.rssBeforeGc)} MiB (${MiB(atHour.rss)} after a GC)`,
      `bare node ${MiB(plain.rss)} MiB → ${(atHour.rssBeforeGc / plain.rss).toFixed(2)}×; bare with the service's flags ${MiB(asService.rss)} MiB → ${(atHour.rssBeforeGc / asService.rss).toFixed(2)}×`,
      '≤ 1.5×',
      ratio(atHour.rssBeforeGc) <= 1.5,
    ],
    [
      `resident memory after ${CYCLES.toLocaleString('en')} cycles (after a GC)`,
      `${MiB(atEnd.rss)} MiB`,
      `${growth >= 0 ? '+' : ''}${MiB(growth)} MiB since the hour, ${atEnd.rss - half.rss >= 0 ? '+' : ''}${MiB(atEnd.rss - half.rss)} MiB over the last ${atEnd.cycle - half.cycle}`,
      'no growth',
      growth < 2 * 1024 * 1024 && atEnd.rss - half.rss < 1024 * 1024,
    ],
    [
      `JS heap in use (after GC), hour → ${CYCLES.toLocaleString('en')}`,
      `${MiB(atHour.heapUsed)} → ${MiB(atEnd.heapUsed)} MiB`,
      `${((atEnd.heapUsed - atHour.heapUsed) / 1024 / 1024).toFixed(2)} MiB`,
      'no growth',
      atEnd.heapUsed - atHour.heapUsed < 1024 * 1024,
    ],
    [
      'wall time per cycle (mean / p95 / max)',
      `${mean(steady).toFixed(0)} / ${percentile(steady, 95).toFixed(0)} / ${Math.max(...steady).toFixed(0)} ms`,
      'throughput test excluded',
      '< 2 s',
      Math.max(...steady) < 2000,
    ],
    [
      'CPU per cycle incl. child processes (mean / p95)',
      `${mean(cpuSteady).toFixed(0)} / ${percentile(cpuSteady, 95).toFixed(0)} ms`,
      '',
      '< 150 ms',
      mean(cpuSteady) < 150,
    ],
  ];
  const table = [
    '| measure | agent | beside it | goal | met |',
    '|---|---|---|---|---|',
    ...rows.map(([a, b, c, d, met]) => `| ${a} | ${b} | ${c} | ${d} | ${met ? 'yes' : '**no**'} |`),
  ].join('\n');
  const growthTable = [
    '| cycle | RSS | anonymous | file-backed | V8 heap committed / used | malloc [heap] | external |',
    '|---|---|---|---|---|---|---|',
    ...r.samples
      .filter((s) => s.cycle > 0)
      .map(
        (s) =>
          `| ${s.cycle} | ${MiB(s.rss)} | ${MiB(s.anon)} | ${MiB(s.file)} | ${MiB(s.heapTotal)} / ${MiB(s.heapUsed)} | ${MiB(s.mallocHeap)} | ${MiB(s.external)} |`,
      ),
  ].join('\n');
  console.log(`\n${table}\n\n${growthTable}`);

  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const memory = execSync('free -h')
    .toString()
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  const otherAnon = atHour.anon - atHour.heapTotal - atHour.mallocHeap;
  const footprint = `## Agent footprint

Command: \`npm run bench:agent\` (bench/agent/agent.ts). Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Node ${process.version}.
Machine: \`nproc\` ${cpus().length} (${cpus()[0]?.model.trim()}), load average ${load(loadAtStart)} at start, ${load(loadAtEnd)} at end
(other work shares the CPUs: memory figures hold under load, time figures are noisy). \`free -h\`:

${memory}

The agent (bench/agent/cycles.ts, bundled by agent/build.ts like dist/santong-agent.mjs: ${Math.round(bytes / 1024)} KiB) is enrolled
by a plain \`node\` process of its own, as an IT teacher does, and then started with the node flags and environment
of the systemd unit (\`${AGENT_NODE_FLAGS.join(' ')}\`, \`${Object.entries(AGENT_ENVIRONMENT)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}\`). It starts
the real daemon (schedule, first tick, minute timer) and drives its tick ${CYCLES} times on a clock that jumps to each
next scheduled report, so every tick is a full cycle: real collectors (interfaces, gateway, displays, device),
an https probe ${tls ? 'of a site on 127.0.0.1 whose certificate only the CA file of this run (`--ca-file`) vouches for, as the default internet targets are https' : 'of the server over http (no openssl on this machine, so TLS is not measured)'},
outbox write with fsync, delivery to a real santong server on 127.0.0.1 and acknowledgement. The throughput test is
off. An hour of the real daemon is 60 ticks with one report; here the "hour" is 60 full cycles, a worst case. Bare
node is \`node -e "setInterval(()=>{},1e9)"\`, once plain and once with the service's flags and environment, both
measured at the end of this run (VmRSS); the ratio goal holds only if it holds against both. The agent's RSS is
read as it is and again after a full GC (\`--expose-gc\`; the daemon idles 59 minutes of the hour, when V8's memory
reducer collects), and the breakdown below is after the GC. CPU counts the child processes the collectors start:
on Linux only \`iw\`, for a Wi-Fi link without a sysfs speed (none on this VM).

${table}

Memory every ${EVERY} cycles, MiB (\`/proc/self/smaps\`, \`process.memoryUsage()\`, after a GC):

${growthTable}

Where it sits after the hour: ${MiB(atHour.file)} MiB file-backed, pages of the node binary (its code, and V8's
and node's built-in JavaScript and ICU tables in .rodata) and libraries, shared with any other node process; the bare
process touches ${MiB(asService.rss - asService.anon)} MiB of them with the service's flags. ${MiB(atHour.anon)} MiB anonymous (bare: ${MiB(asService.anon)} MiB): the V8 heap
${MiB(atHour.heapTotal)} MiB committed for ${MiB(atHour.heapUsed)} MiB in use (the bundle's source and bytecode, zod's schemas, node's
http/https/tls/child_process modules), malloc's main heap ${MiB(atHour.mallocHeap)} MiB, and ${MiB(otherAnon)} MiB more (V8's own tables, thread
stacks, the second malloc arena, OpenSSL's certificate store).

Before and after, this bench on this machine (2026-11-29): the agent at a0eff26 was 116.6 MiB after the hour
(2.96× bare), malloc's heap alone 41.8 MiB, 39 ms of CPU a cycle. The bench before this one (http probe, enrolled
in the measuring process, minute timer never started) showed it as 79.4 MiB (2.04×): it could not see the TLS
context and node-cron costs below. What each change took away, each measured on its own (docs/decisions/016-agent-footprint.md):
- a TLS context per client instead of per connection when a CA file is set: node parsed every root certificate
  again for each https connection and glibc kept the memory (undici: flat at ~108 MiB; node's https without the
  fix: +0.2 MiB a cycle); now one context, which is also most of the CPU saved (39 → ~12 ms a cycle);
- node's \`http\`/\`https\` instead of undici: an empty process grows +26 MiB with undici and a request, +5 MiB with
  node's http (undici's WebAssembly parser and pools); the same bench 75.6 → 61.6 MiB;
- a plain minute timer instead of node-cron, which reads the clock through \`Intl\` in a time zone and so maps ICU
  data: +9 MiB in an empty process, against +0.2 MiB for the timer;
- \`--jitless\` in the service's flags (possible once nothing needs WebAssembly): 59.6 → 51.8 MiB, CPU the same
  within noise; it also removed the growth that was left (optimized code and the old-space pages around it, +3 to
  +9 MiB over 1,000 cycles with the JIT, while the JS heap in use stayed flat);
- systeminformation no longer loaded by the service on Linux (−2 MiB), and the bundle escaped to ASCII so V8 holds
  its source at one byte a character (−0.8 MiB).

What bounds it now: bare node itself (${MiB(asService.rss)} MiB, of which ${MiB(asService.rss - asService.anon)} MiB are the binary's pages) is
${((asService.rss / atHour.rssBeforeGc) * 100).toFixed(0)}% of the agent. Of the rest, measured alone beside an empty process with the service's flags: zod with
the shared wire schemas, parsing reports, +5.8 MiB (+2.4 MiB of live heap, the rest heap headroom and pages); node's
http, https and child_process modules +2.7 MiB just to load; an https exchange up to 2.4 MiB more than an http one, and
the public roots in the CA file's TLS context 1.6 MiB more. zod is
the largest lever left, and it stays: the wire format and its validation live once, in shared/ (STYLE.md).
File-backed pages are shared with every node process and the kernel may drop them under memory pressure, so RSS
moves by a MiB or two between runs; anonymous memory is the column that would show a leak. A longer run on
2026-11-29 (\`npm run bench:agent -- 3000\`) stayed between 53.5 and 54.4 MiB for 3,000 cycles, malloc's heap
settling at 4.9 MiB by cycle 1,200 and the JS heap in use at 7.3–7.5 MiB.
`;
  const title = EXECUTABLE ? 'Agent executables' : 'Agent footprint';
  const section = EXECUTABLE
    ? executableSection({
        table,
        header: footprint.slice(footprint.indexOf('Command:'), footprint.indexOf('The agent (bench/agent/cycles.ts')),
        cycles: CYCLES,
        atHour,
        bare: asService,
        artifacts,
        install,
      })
    : footprint;
  if (CYCLES === 1000) {
    const file = new URL('../../BENCHMARKS.md', import.meta.url);
    const existing = existsSync(file)
      ? readFileSync(file, 'utf8')
      : '# Benchmarks\n\nEach section is written by its own benchmark command; rerun that command to refresh it.\n';
    const pattern = new RegExp(`## ${title}\\n[\\s\\S]*?(?=\\n## |$)`);
    writeFileSync(
      file,
      pattern.test(existing)
        ? existing.replace(pattern, section.trimEnd() + '\n')
        : `${existing.trimEnd()}\n\n${section}`,
    );
    console.log(`\nwritten to BENCHMARKS.md (section "${title}")`);
  } else {
    console.log(`\n${section}\n\na quick look (${CYCLES} cycles): BENCHMARKS.md left as it is`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
