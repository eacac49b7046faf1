/*
 * The agent side of `npm run bench:agent`, bundled like the agent and run with plain node.
 *   enroll SERVER TOKEN DIR [TARGET CAFILE]: enrolls, in a process of its own as a real install does
 *     (enrollment loads systeminformation for the hardware ids; the service never does on Linux).
 *   DIR CYCLES HOUR EVERY: starts the real daemon (its minute timer armed, as `run` does),
 *     then drives its tick CYCLES times on a clock that jumps to the next scheduled report each time, so
 *     every tick is a full collection cycle. Memory is sampled at HOUR and every EVERY cycles. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAgent } from '../../agent/context.ts';
import { Daemon } from '../../agent/daemon.ts';
import { enroll } from '../../agent/enroll.ts';

process.env.SANTONG_AGENT_QUIET = '1';

if (process.argv[2] === 'enroll') {
  const [, server, token, dir, target, caFile] = process.argv.slice(2);
  await enroll({
    server: server!,
    token: token!,
    configPath: join(dir!, 'config.json'),
    internetTargets: [target || `${server}/healthz`],
    caFile: caFile || undefined,
  });
  process.exit(0);
}

const [dir, cyclesText, hourText, everyText] = process.argv.slice(2);
const cycles = Number(cyclesText);
const hour = Number(hourText);
const every = Number(everyText);

/** CPU of this process and of child processes it waited for (`iw` on a Wi-Fi PC), in ms. */
function cpuMs(): number {
  const own = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const children = (Number(stat[13]) + Number(stat[14])) * 10; // cutime + cstime, in 1/100 s clock ticks
  return (own.user + own.system) / 1000 + children;
}

export type Sample = {
  cycle: number;
  rssBeforeGc: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  anon: number;
  file: number;
  mallocHeap: number;
};

/** Resident memory as it is, then after a full GC, with where it sits (smaps: anonymous vs file-backed, malloc's [heap]). */
function sample(cycle: number): Sample {
  const rssBeforeGc = process.memoryUsage.rss();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
  const heapMapping = /\[heap\]\n(?:[^\n]*\n)*?Rss:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps', 'utf8'));
  return {
    cycle,
    rssBeforeGc,
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    anon: kB('Anonymous'),
    file: kB('Rss') - kB('Anonymous'),
    mallocHeap: Number(heapMapping?.[1] ?? 0) * 1024,
  };
}

const ctx = await openAgent(join(dir!, 'config.json'));
ctx.config.throughput.enabled = false; // the throughput test is excluded from cycle figures
let now = Date.now();
const daemon = new Daemon(ctx, { now: () => now, bundle: null });
const wall: number[] = [];
const cpu: number[] = [];
const samples: Sample[] = [sample(0)];
for (let i = 1; i <= cycles; i++) {
  const [t, c] = [performance.now(), cpuMs()];
  await (i === 1 ? daemon.start() : daemon.tickOnce()); // start(): load, first tick, minute timer
  wall.push(performance.now() - t);
  cpu.push(cpuMs() - c);
  now = Math.max(now + 60_000, daemon.schedule.nextRunAt ?? now); // the next tick is a scheduled report
  if (i === hour || i % every === 0) samples.push(sample(i));
}
const delivered = (await ctx.outbox.list()).length === 0;
await daemon.stop();
await ctx.dispatcher.close();
process.stdout.write(`${JSON.stringify({ wall, cpu, samples, delivered })}\n`);
