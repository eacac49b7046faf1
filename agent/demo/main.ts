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
import { z } from 'zod';
import { openDatabase } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
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
  /** Requests the server has refused with 429 so far (from its request log). */
  refused(): number;
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
  await ensureReferenceData(sqliteStore(db), started);
  // The demo's platforms live on the demo server itself, so its probe job finds them (and the one that is down).
  const site = { up: `http://127.0.0.1:${o.port}/healthz`, down: `http://127.0.0.1:${o.port}/api/v1/demo-offline` };
  const world = demoWorld({ schools: o.schools, seed: o.seed });
  const seeded = await seedDemo(sqliteStore(db), world, started, (display) => demoDisplays(display), site);
  db.$client.close();
  const seededMs = Date.now() - started;

  // Every simulated PC reports from 127.0.0.1: the production limit per address (1,200 batches a minute, a
  // county's NAT exit; decision 050) would refuse most of the first round and keep the figures climbing for
  // minutes. The demo server alone gets the production budget plus two rounds of the whole fleet; the
  // defaults stay as they are for every real server.
  const reportsPerAddressPerMinute = defaultRequestLimits.reportsPerIpPerMinute + 2 * seeded.live.length;
  const url = `http://127.0.0.1:${o.port}`;
  // The fleet's 8,000 outboxes open while the server starts: neither needs the other until the first tick.
  const [server, opened] = await Promise.allSettled([
    startServerProcess(o.dataDir, o.port, { SANTONG_REPORTS_PER_IP_PER_MINUTE: String(reportsPerAddressPerMinute) }),
    Fleet.open({
      serverUrl: url,
      stateRoot: join(o.dataDir, 'fleet'),
      pcs: seeded.live,
      intervalMinutes: o.intervalMinutes,
    }),
  ]);
  if (server.status === 'rejected' || opened.status === 'rejected') {
    if (server.status === 'fulfilled') server.value.child.kill('SIGTERM');
    if (opened.status === 'fulfilled') await opened.value.stop();
    throw server.status === 'rejected' ? server.reason : (opened as PromiseRejectedResult).reason;
  }
  const { child, refused } = server.value;
  const fleet = opened.value;
  const firstRound = fleet.start();
  return {
    ...seeded,
    url,
    reportsPerAddressPerMinute,
    refused,
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
): Promise<{ child: ChildProcess; url: string; refused: () => number }> {
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
    let refused = 0;
    let partial = ''; // a chunk may end mid-line
    const onData = (chunk: Buffer) => {
      // Request logs are dropped, but refusals counted; errors (pino level ≥ 50) are shown.
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.includes('"status":429')) refused++;
        if (/"level":(5|6)\d/.test(line)) process.stderr.write(`server: ${line}\n`);
      }
      if (head === null) return;
      head += chunk.toString();
      const listening = /"url":"(http:\/\/[^"]+)".*"msg":"santong server listening"/.exec(head);
      if (listening) {
        head = null as unknown as string;
        resolveStart({ child, url: listening[1]!, refused: () => refused });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`santong serve exited with ${code}${head ? `:\n${head.slice(-2000)}` : ''}`)),
    );
  });
}

/** The demo's flags: a fixed port (the fleet and the platforms' URLs are built from it before the server listens). */
const demoFlags = z.object({
  'data-dir': z.string().min(1).default('./data-demo'),
  port: z.coerce.number().int().min(1, 'a port such as 8080').max(65535).default(8080),
  schools: z.coerce.number().int().min(8, 'at least 8, one a county').max(20_000).optional(),
  interval: z.coerce.number().int().min(1).max(1440).default(60),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      schools: { type: 'string' },
      interval: { type: 'string' },
    },
  });
  const parsed = demoFlags.safeParse(values);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  const v = parsed.data;
  process.env.SANTONG_AGENT_QUIET = '1'; // thousands of agents: their per-report info lines would drown the console
  const dataDir = resolve(v['data-dir']);
  const schools = v.schools;
  const say = (line = '') => process.stdout.write(`${line}\n`);
  say(`santong demo: recreating ${dataDir} (demo data only; it is deleted and rebuilt on every start)`);
  const demo = await runDemo({
    dataDir,
    port: v.port,
    schools,
    intervalMinutes: v.interval,
  });
  say(
    `seeded in ${(demo.seededMs / 1000).toFixed(1)} s: Linxia's 8 counties, ${schools ?? 1492} synthetic schools (names end in （演示）, codes start with 99), ${demo.historyDays} days of history`,
  );
  say(
    `limits      ${demo.reportsPerAddressPerMinute} report batches a minute from one address (the whole fleet sends from 127.0.0.1; production default ${defaultRequestLimits.reportsPerIpPerMinute})`,
  );
  printAccess(demo, dataDir, say);
  say(
    `fleet       ${demo.fleet.daemons.length} simulated classroom PCs running the real agent loop (outbox, sender, schedule);`,
  );
  say(`            the figures are already at their level: every PC's previous report was seeded. Ctrl-C stops.`);
  const stop = () => void demo.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const t = Date.now();
  await demo.firstRound;
  say();
  say(
    `fleet       every live PC has delivered a fresh report (${((Date.now() - t) / 1000).toFixed(1)} s); ${await demo.fleet.queued()} report(s) still queued`,
  );
  printAccess(demo, dataDir, say);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
