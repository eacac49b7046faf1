/*
 * The agent side of `npm run bench:agent`, bundled like the agent and run with plain node: enrolls, then
 * runs the real daemon's tick (real collectors, outbox, delivery) N times on a clock that jumps to the
 * next scheduled report each time, so every tick is a full collection cycle. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAgent } from '../agent/context.ts';
import { Daemon } from '../agent/daemon.ts';
import { enroll } from '../agent/enroll.ts';

const [server, token, dir, cyclesText, hourText] = process.argv.slice(2);
const cycles = Number(cyclesText);
const hour = Number(hourText);
process.env.SANTONG_AGENT_QUIET = '1';

/** CPU of this process and of child processes it waited for (systeminformation runs a few), in ms. */
function cpuMs(): number {
  const own = process.cpuUsage();
  const stat = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const children = (Number(stat[13]) + Number(stat[14])) * 10; // cutime + cstime, in 1/100 s clock ticks
  return (own.user + own.system) / 1000 + children;
}

function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  // Where resident memory sits: anonymous (heap, malloc, code) vs file-backed (the node binary's pages).
  const smaps = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(smaps)?.[1] ?? 0) * 1024;
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, anon: kB('Anonymous'), file: kB('Rss') - kB('Anonymous') };
}

const configPath = join(dir!, 'config.json');
await enroll({ server: server!, token: token!, configPath, internetTargets: [`${server}/healthz`] });
const ctx = await openAgent(configPath);
ctx.config.throughput.enabled = false; // the throughput test is excluded from cycle figures
let now = Date.now();
const daemon = new Daemon(ctx, { now: () => now, bundle: null });
await daemon.load();
const wall: number[] = [];
const cpu: number[] = [];
let atHour = memory();
for (let i = 1; i <= cycles; i++) {
  const [t, c] = [performance.now(), cpuMs()];
  await daemon.tickOnce();
  wall.push(performance.now() - t);
  cpu.push(cpuMs() - c);
  now = Math.max(now + 60_000, daemon.schedule.nextRunAt ?? now); // the next tick is a scheduled report
  if (i === hour) atHour = memory();
}
const atEnd = memory();
const reported = (await ctx.outbox.list()).length === 0;
await ctx.dispatcher.close();
process.stdout.write(`${JSON.stringify({ wall, cpu, atHour, atEnd, delivered: reported })}\n`);
