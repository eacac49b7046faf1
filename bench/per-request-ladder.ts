import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { sqliteStore } from '../server/db/store.ts';
import { createApp, routeDocs } from '../server/app.ts';
import { apiAuth } from '../server/auth/middleware.ts';
import { DATABASE_FILE, openDatabaseFile } from '../server/db/client.ts';
import { requestContext } from '../server/http/access-log.ts';
import type { AppDeps, AppEnv } from '../server/http/app-env.ts';
import { methodNotAllowed } from '../server/http/method-not-allowed.ts';
import { requestLimits } from '../server/http/request-limits.ts';
import { securityHeaders } from '../server/http/security-headers.ts';
import { createLogger, logDestination } from '../server/log.ts';
import { coverageRoutes } from '../server/routes/coverage.ts';
import { healthRoutes } from '../server/routes/health.ts';
import { median } from './server/figures.ts';
import { runPlan } from './harness/load.ts';
import type { StreamKind } from './harness/load-plan.ts';
import { readCpuMicros, repoRoot } from './harness/server-process.ts';
import { CEILING_BODY } from './harness/ceiling-app.ts';
import { cacheRoot, ensureDataset } from './world/generate.ts';
import { workingCopy } from './world/rebase.ts';
import { scalesFor } from './world/scales.ts';

/*
 * What each part of the middleware chain costs a request (issue 15 item 4, decision 184): one process serves the
 * app's parts stacked one on another, each on its own port, over a working copy of the quick national world; the
 * load of bench/harness/load.ts asks each in turn, and the serving process's CPU time over the measured window
 * (/proc/PID/stat) divided by the answers is the row's cost. A row's cost less the row above it is what its part
 * adds. The bare rows answer the same bytes with no middleware at all, as the ceiling does.
 *   node --import tsx bench/per-request-ladder.ts [--rounds 5] [--seconds 3]
 */
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    serve: { type: 'string' },
    token: { type: 'string' },
  },
});

/** The rungs, in order: each adds one part to the one above it, the last is the whole app. */
function rungs(deps: AppDeps, topRead: Uint8Array<ArrayBuffer>): [string, StreamKind, Hono<AppEnv>][] {
  const context = requestContext(deps);
  const headers = securityHeaders({ httpsOnly: false });
  const allow = methodNotAllowed([...routeDocs, { method: 'get', path: '/api/v1/openapi.json' }]);
  const limits = requestLimits(deps.limits);
  const app = () => new Hono<AppEnv>();
  const full = createApp(deps) as unknown as Hono<AppEnv>;
  const json = { 'content-type': 'application/json' };
  const bareHealth = (c: Context) => c.text(CEILING_BODY);
  const bareTop = (c: Context) => c.body(topRead, 200, json);
  type Rung = [string, StreamKind, Hono<AppEnv>];
  // The rungs above a route: the app's global middleware over it, one part at a time, then the app itself.
  const around = (kind: StreamKind, route: Hono<AppEnv>): Rung[] => [
    ['+ security headers', kind, app().use(headers).use(context).route('/', route)],
    ['+ method-not-allowed and limits', kind, app().use(headers).use(context).use(allow).use(limits).route('/', route)],
    ['= the app (createApp)', kind, full],
  ];
  return [
    ['/healthz bare: a constant 20-byte body', 'healthz', app().get('/healthz', bareHealth)],
    ['+ the dependencies and the access log', 'healthz', app().use(context).get('/healthz', bareHealth)],
    ['+ its route (select 1, JSON with the time)', 'healthz', app().use(context).route('/', healthRoutes)],
    ...around('healthz', healthRoutes),
    ['top read bare: its bytes as a constant', 'coverage', app().get('/api/v1/coverage', bareTop)],
    ['+ the dependencies and the access log', 'coverage', app().use(context).get('/api/v1/coverage', bareTop)],
    ['+ authentication (API token)', 'coverage', app().use(context).get('/api/v1/coverage', apiAuth, bareTop)],
    ['+ its route (query validation, the kept answer)', 'coverage', app().use(context).route('/', coverageRoutes)],
    ...around('coverage', coverageRoutes),
  ];
}

/** The serving process: every rung on its own port, then "ready". */
async function serveRungs(dataDir: string, token: string) {
  const db = openDatabaseFile(path.join(dataDir, DATABASE_FILE));
  // Info level into a file, written as the server writes stdout.
  const logger = createLogger('info', logDestination(path.join(dataDir, 'ladder.log')));
  const deps: AppDeps = { store: sqliteStore(db), logger, clock: () => Date.now(), maxReportBodyBytes: 1024 * 1024 };
  const answer = await createApp(deps).request('/api/v1/coverage', { headers: { authorization: `Bearer ${token}` } });
  if (answer.status !== 200) throw new Error(`the top read answered ${answer.status}`);
  const topRead = new Uint8Array(await answer.arrayBuffer());
  for (const [name, kind, app] of rungs(deps, topRead)) {
    const port = await new Promise<number>((resolve) =>
      serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port)),
    );
    process.stdout.write(`rung ${port} ${kind} ${name}\n`);
  }
  process.stdout.write('ready\n');
  process.on('disconnect', () => process.exit(0));
}

async function measureRungs() {
  const rounds = Number(args.rounds ?? 5);
  const durationMs = Number(args.seconds ?? 3) * 1000;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const dataset = await ensureDataset(scalesFor(true)[1], log);
  const work = path.join(cacheRoot, 'run', 'per-request-ladder');
  workingCopy({ file: dataset.file, generatedAt: dataset.meta.generatedAt }, work, log);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/per-request-ladder.ts', '--serve', work, '--token', dataset.meta.apiToken],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const served: { port: number; kind: StreamKind; name: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the serving process exited with ${code}`)));
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('ready\n')) return;
      for (const m of out.matchAll(/^rung (\d+) (\S+) (.+)$/gm))
        served.push({ port: Number(m[1]), kind: m[2] as StreamKind, name: m[3]! });
      resolve();
    });
  });
  const costs = served.map(() => [] as number[]);
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const [i, rung] of served.entries()) {
        const kind = rung.kind;
        const at = (ms: number) => new Promise<number>((r) => setTimeout(() => r(readCpuMicros(child.pid!)), ms));
        const from = at(1_000);
        const to = at(1_000 + durationMs);
        const [phase] = await runPlan({
          url: `http://127.0.0.1:${rung.port}`,
          apiToken: dataset.meta.apiToken,
          countyView: dataset.meta.countyView,
          seed: dataset.meta.seed,
          loadDevices: [],
          batchMin: 1,
          batchMax: 1,
          phases: [{ name: kind, round, warmupMs: 1_000, durationMs, streams: [{ kind, connections: 16 }] }],
        });
        const stream = phase!.streams[0]!;
        if (stream.ok !== stream.requests) throw new Error(`${rung.name}: ${JSON.stringify(stream.failures)}`);
        costs[i]!.push(((await to) - (await from)) / stream.requests);
      }
      log(`round ${round} done`);
    }
  } finally {
    child.kill('SIGTERM');
  }
  const n = (x: number) => x.toFixed(1);
  const lines = [
    `${rounds} rounds of 1 s warm-up + ${durationMs / 1000} s a rung, 16 connections; CPU µs of the serving process per answer.`,
    'The lowest round is the estimate (other work on the machine only ever adds to a round); "adds" compares lowest rounds.',
    '| rung | lowest | median | adds |',
    '|---|---|---|---|',
  ];
  const lowest = (values: number[]) => Math.min(...values);
  served.forEach((rung, i) => {
    const above = i === 0 || served[i - 1]!.kind !== rung.kind ? NaN : lowest(costs[i - 1]!);
    const adds = lowest(costs[i]!) - above;
    lines.push(
      `| ${rung.name} | ${n(lowest(costs[i]!))} | ${n(median(costs[i]!))} | ${Number.isNaN(adds) ? '' : n(adds)} |`,
    );
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (args.serve) await serveRungs(args.serve, args.token!);
  else await measureRungs();
}
