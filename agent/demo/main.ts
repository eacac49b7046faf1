/*
 * `npm run demo`: a server on a fresh demo database and a simulated fleet of classroom PCs reporting to
 * it. This is the one place where server code and agent code meet in one program (server/demo seeds the
 * database, agent/demo runs the fleet); it is never part of the agent bundle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../server/db/client.ts';
import { seedDemo, type DemoSeed } from '../../server/demo/seed.ts';
import { demoDisplays } from './classroom-displays.ts';
import { demoWorld } from '../../server/demo/world.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { Fleet } from './fleet.ts';
import { defaultRequestLimits } from '../../server/config.ts';
import { printAccess } from './console.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type DemoOptions = { dataDir: string; port: number; schools?: number; intervalMinutes?: number; seed?: number };
export type Demo = DemoSeed & {
  url: string;
  /** The per-address report limit the demo server runs with, sized for the whole fleet on 127.0.0.1. */
  reportsPerAddressPerMinute: number;
  fleet: Fleet;
  firstRound: Promise<void>;
  seededMs: number;
  stop(): Promise<void>;
};

/** Recreates the demo database, seeds it, starts the server and the fleet; `firstRound` resolves once every live PC reported. */
export async function runDemo(o: DemoOptions): Promise<Demo> {
  const started = Date.now();
  rmSync(o.dataDir, { recursive: true, force: true });
  mkdirSync(o.dataDir, { recursive: true });
  const db = openDatabase(o.dataDir);
  ensureReferenceData(db, started);
  // The demo's platforms live on the demo server itself, so its probe job finds them (and the one that is down).
  const site = { up: `http://127.0.0.1:${o.port}/healthz`, down: `http://127.0.0.1:${o.port}/api/v1/demo-offline` };
  const world = demoWorld({ schools: o.schools, seed: o.seed });
  const seeded = await seedDemo(db, world, started, (display) => demoDisplays(display), site);
  db.$client.close();
  const seededMs = Date.now() - started;

  // Every simulated PC reports from 127.0.0.1: the production limit per address (1,200 batches a minute, a
  // county's NAT exit; decision 050) would refuse most of the first round and keep the figures climbing for
  // minutes. The demo server alone gets a limit sized for the whole fleet, twice over; the defaults stay.
  const reportsPerAddressPerMinute = Math.max(defaultRequestLimits.reportsPerIpPerMinute, 2 * seeded.live.length);
  const { child, url } = await startServerProcess(o.dataDir, o.port, {
    SANTONG_REPORTS_PER_IP_PER_MINUTE: String(reportsPerAddressPerMinute),
  });
  const fleet = await Fleet.open({
    serverUrl: url,
    stateRoot: join(o.dataDir, 'fleet'),
    pcs: seeded.live,
    intervalMinutes: o.intervalMinutes,
  });
  const firstRound = fleet.start();
  return {
    ...seeded,
    url,
    reportsPerAddressPerMinute,
    fleet,
    firstRound,
    seededMs,
    stop: async () => {
      await fleet.stop();
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

function startServerProcess(
  dataDir: string,
  port: number,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/cli.ts', 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: root,
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolveStart, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      // Request logs are dropped; errors (pino level ≥ 50) are shown.
      for (const line of chunk.toString().split('\n'))
        if (/"level":(5|6)\d/.test(line)) process.stderr.write(`server: ${line}\n`);
      if (head === null) return;
      head += chunk.toString();
      const listening = /"url":"(http:\/\/[^"]+)".*"msg":"santong server listening"/.exec(head);
      if (listening) {
        head = null as unknown as string;
        resolveStart({ child, url: listening[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`santong serve exited with ${code}${head ? `:\n${head.slice(-2000)}` : ''}`)),
    );
  });
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      schools: { type: 'string' },
      interval: { type: 'string' },
    },
  });
  process.env.SANTONG_AGENT_QUIET = '1'; // thousands of agents: their per-report info lines would drown the console
  const dataDir = resolve(v['data-dir'] ?? './data-demo');
  const schools = v.schools ? Number(v.schools) : undefined;
  const say = (line = '') => process.stdout.write(`${line}\n`);
  say(`santong demo: recreating ${dataDir} (demo data only; it is deleted and rebuilt on every start)`);
  const demo = await runDemo({
    dataDir,
    port: Number(v.port ?? 8080),
    schools,
    intervalMinutes: v.interval ? Number(v.interval) : 60,
  });
  say(
    `seeded in ${(demo.seededMs / 1000).toFixed(1)} s: Linxia's 8 counties, ${schools ?? 1492} synthetic schools (names end in （演示）, codes start with 99), ${demo.historyDays} days of history`,
  );
  say(
    `limits      ${demo.reportsPerAddressPerMinute} report batches a minute from one address (the whole fleet sends from 127.0.0.1; production default ${defaultRequestLimits.reportsPerIpPerMinute})`,
  );
  printAccess(demo, dataDir, say);
  say(
    `fleet       ${demo.fleet.daemons.length} simulated classroom PCs running the real agent loop (outbox, sender, schedule)`,
  );
  const t = Date.now();
  await demo.firstRound;
  say();
  say(
    `ready       every live PC has reported (${((Date.now() - t) / 1000).toFixed(1)} s); ${await demo.fleet.queued()} report(s) still queued. Ctrl-C stops.`,
  );
  printAccess(demo, dataDir, say);
  const stop = () => void demo.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
