/*
 * `npm run bench:agent`: the agent's footprint, measured in one run beside a bare node process.
 * A real server (in this process) takes the reports; the agent (bench/agent-cycles.ts, bundled like
 * dist/santong-agent.mjs and run with plain node) does 1,000 full collection cycles. Writes the
 * "Agent footprint" section of BENCHMARKS.md.
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAgentBundle } from '../agent/build.ts';
import { AGENT_ENVIRONMENT, AGENT_NODE_FLAGS } from '../agent/service.ts';
import { parseServerConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { createEnrollmentToken } from '../server/enrollment/tokens.ts';
import { startServer } from '../server/index.ts';
import { ensureReferenceData } from '../server/plan/plan.ts';
import { importSchools } from '../server/registry/import-schools.ts';

const CYCLES = Number(process.argv[2] ?? 1000); // `npm run bench:agent -- 100` for a quick look
const HOUR = 60; // an hour of the daemon is 60 ticks; here every one of them is a full cycle
const audit = { actor: 'bench', reason: 'npm run bench:agent' };
const dir = mkdtempSync(join(tmpdir(), 'santong-bench-agent-'));
const MiB = (bytes: number) => bytes / 1024 / 1024;

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

type Memory = { rss: number; heapUsed: number; heapTotal: number; anon: number; file: number };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

try {
  const db = openDatabase(join(dir, 'server'));
  ensureReferenceData(db, Date.now());
  importSchools(db, [{ line: 2, cells: { code: '6229210001', name: '基准测试小学', county_code: '622921', type_code: '211', urban_rural_code: '121', classroom_count: '1' } }], Date.now(), audit);
  const { token } = createEnrollmentToken(db, { schoolCode: '6229210001', expiresAt: null, maxUses: null }, Date.now(), audit);
  db.$client.close();
  const server = await startServer(parseServerConfig(
    { 'data-dir': join(dir, 'server'), port: '0', host: '127.0.0.1', 'log-level': 'silent' },
    // One device sends a batch a cycle, far more than the 60 an hour a real device may: limits off.
    { SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0', SANTONG_REPORTS_PER_IP_PER_MINUTE: '0' },
  ));

  const driver = join(dir, 'agent-cycles.mjs');
  await buildAgentBundle({ outfile: driver, entry: new URL('./agent-cycles.ts', import.meta.url).pathname });
  const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e9)'], { stdio: 'ignore' });
  console.log(`agent: ${CYCLES} collection cycles against ${server.url} …`);
  // Started the way the systemd unit starts the daemon: its node flags and environment.
  const agent = spawn(process.execPath, ['--expose-gc', ...AGENT_NODE_FLAGS, driver, server.url, token, join(dir, 'agent'), String(CYCLES), String(HOUR)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...AGENT_ENVIRONMENT } });
  let out = '';
  agent.stdout.on('data', (d: Buffer) => (out += d));
  await new Promise((r) => agent.once('exit', r));
  const bareRss = rssOf(bare.pid!);
  const bareAnon = Number(/^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${bare.pid}/smaps_rollup`, 'utf8'))![1]) * 1024;
  bare.kill();
  await server.close();
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as { wall: number[]; cpu: number[]; atHour: Memory; atEnd: Memory; delivered: boolean };
  console.log(JSON.stringify({ bareRss, atHour: r.atHour, atEnd: r.atEnd }));
  if (!r.delivered) throw new Error('the agent did not deliver every report');

  const steady = r.wall.slice(5); // the first cycles load code and open connections
  const cpuSteady = r.cpu.slice(5);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rows: [string, string, string, string][] = [
    ['resident memory after an hour (60 cycles)', `${MiB(r.atHour.rss).toFixed(1)} MiB`, `bare node ${MiB(bareRss).toFixed(1)} MiB → ${(r.atHour.rss / bareRss).toFixed(2)}×`, '≤ 1.5×'],
    ['resident memory after 1,000 cycles', `${MiB(r.atEnd.rss).toFixed(1)} MiB`, `${(r.atEnd.rss / bareRss).toFixed(2)}× bare; ${MiB(r.atEnd.rss - r.atHour.rss) >= 0 ? '+' : ''}${MiB(r.atEnd.rss - r.atHour.rss).toFixed(1)} MiB since the hour`, 'no growth'],
    ['JS heap in use (after GC), hour → 1,000', `${MiB(r.atHour.heapUsed).toFixed(1)} → ${MiB(r.atEnd.heapUsed).toFixed(1)} MiB`, `${MiB(r.atEnd.heapUsed - r.atHour.heapUsed).toFixed(2)} MiB`, 'no growth'],
    ['wall time per cycle (mean / p95 / max)', `${mean(steady).toFixed(0)} / ${percentile(steady, 95).toFixed(0)} / ${Math.max(...steady).toFixed(0)} ms`, 'throughput test excluded', '< 2 s'],
    ['CPU per cycle incl. child processes (mean / p95)', `${mean(cpuSteady).toFixed(0)} / ${percentile(cpuSteady, 95).toFixed(0)} ms`, '', '< 150 ms'],
  ];
  const met = [r.atHour.rss / bareRss <= 1.5, r.atEnd.rss - r.atHour.rss < 2 * 1024 * 1024, r.atEnd.heapUsed - r.atHour.heapUsed < 1024 * 1024, Math.max(...steady) < 2000, mean(cpuSteady) < 150];
  const table = ['| measure | agent | beside it | goal | met |', '|---|---|---|---|---|', ...rows.map((row, i) => `| ${row.join(' | ')} | ${met[i] ? 'yes' : '**no**'} |`)].join('\n');
  console.log(`\n${table}`);

  const memory = execSync('free -h').toString().trim().split('\n').map((l) => `    ${l}`).join('\n');
  const section = `## Agent footprint

Command: \`npm run bench:agent\` (bench/agent.ts). Date: ${new Date().toISOString().slice(0, 10)}. Node ${process.version}.
Machine: \`nproc\` ${cpus().length} (${cpus()[0]?.model.trim()}), \`free -h\`:

${memory}

The agent (bench/agent-cycles.ts, bundled with esbuild exactly like dist/santong-agent.mjs) runs with the node flags and
environment of the systemd unit (\`${AGENT_NODE_FLAGS.join(' ')}\`, \`${Object.entries(AGENT_ENVIRONMENT).map(([k, v]) => `${k}=${v}`).join(' ')}\`) and drives
the real daemon tick ${CYCLES} times on a clock that jumps to each next scheduled report, so every tick is a full cycle:
real collectors (interfaces, gateway, HTTP probe of the server, displays, device), outbox write with fsync, delivery
to a real santong server on 127.0.0.1 and acknowledgement. The throughput test is off. An hour of the real daemon is
60 ticks with one report; here the "hour" is 60 full cycles, so memory after it is a worst case. The bare process is
\`node -e "setInterval(()=>{},1e9)"\`, measured in the same run (VmRSS). CPU counts the child processes
the collectors start: on Linux only \`iw\`, for a Wi-Fi link without a sysfs speed (none on this VM).

${table}

Where the agent's memory sits after the hour (\`/proc/<pid>/smaps_rollup\`, \`process.memoryUsage()\`): ${MiB(r.atHour.file).toFixed(1)} MiB
file-backed (pages of the node binary and its libraries; the bare process touches ${MiB(bareRss - bareAnon).toFixed(1)} MiB) and ${MiB(r.atHour.anon).toFixed(1)} MiB
anonymous (bare: ${MiB(bareAnon).toFixed(1)} MiB), of which the V8 heap has ${MiB(r.atHour.heapTotal).toFixed(1)} MiB committed for ${MiB(r.atHour.heapUsed).toFixed(1)} MiB in use.
What bounds the ratio: the agent uses far more of node than a timer does (TLS, HTTP, child processes, fs
with fsync), so its file-backed pages alone are ~1.2× the bare process; the live heap (~14 MiB: the
bundle's code and bytecode, undici, zod schemas, systeminformation) and undici's WebAssembly HTTP
parser come on top. 1.5× bare leaves ~20 MiB for all of that.
Growth: the JS heap stays flat over 1,000 cycles while anonymous memory outside it still rises a few MiB
(native allocations: malloc fragmentation, TLS/HTTP buffers, compiled code); the next thing to attribute.
`;
  if (CYCLES === 1000) {
    const file = new URL('../BENCHMARKS.md', import.meta.url);
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach section is written by its own benchmark command; rerun that command to refresh it.\n';
    const pattern = /## Agent footprint\n[\s\S]*?(?=\n## |$)/;
    writeFileSync(file, pattern.test(existing) ? existing.replace(pattern, section.trimEnd() + '\n') : `${existing.trimEnd()}\n\n${section}`);
    console.log('\nwritten to BENCHMARKS.md (section "Agent footprint")');
  } else {
    console.log(`\na quick look (${CYCLES} cycles): BENCHMARKS.md left as it is`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
