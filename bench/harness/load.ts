import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Pool } from 'undici';
import {
  percentile,
  type LoadPlan,
  type PhasePlan,
  type PhaseResult,
  type StreamPlan,
  type StreamResult,
} from './load-plan.ts';
import { HOUR_MS } from '../../shared/time/china-time.ts';
import { hash32, unit } from '../../server/demo/seeded-random.ts';
import { deviceKey, reportJson } from '../world/synthetic.ts';
import { presentationDisplayOf } from '../world/world.ts';

/*
 * The load process: plays agents and bureau readers against a real server from outside its process.
 *   node --import tsx bench/harness/load.ts PLAN.json      → one JSON line of PhaseResult[] on stdout
 * Every loop is bounded by its phase's end; the process exits when the runner goes away.
 */

/** Keys of the devices to play, derived from the dataset's seed (never read from the database). */
export function deviceKeys(plan: Pick<LoadPlan, 'seed' | 'loadDevices'>): { index: number; key: string }[] {
  const devices = plan.loadDevices.flatMap(([from, to]) => Array.from({ length: to - from }, (_, k) => from + k));
  // A fixed shuffle, so consecutive requests come from different schools as they would in the field.
  devices.sort((a, b) => hash32(a, 77) - hash32(b, 77));
  return devices.map((index) => ({ index, key: deviceKey(plan.seed, index) }));
}

/** A batch of `size` hourly reports ending now, as an agent sends after being offline for a while. */
export function reportBatch(device: number, size: number, now: number): string {
  const reports: string[] = [];
  for (let j = size - 1; j >= 0; j--) {
    const at = now - j * HOUR_MS - (hash32(device, j) % 600_000);
    const reachable = unit(device, at % 1_000_003) >= 0.02;
    const speedTest = reachable && j % 5 === 2;
    const down = speedTest ? Math.round(300 + 2200 * unit(device, at % 999_983)) / 10 : null;
    reports.push(
      reportJson({
        id: randomUUID(),
        collectedAt: at,
        reachable,
        latencyMs: reachable ? 20 + (j % 30) : null,
        downMbps: down,
        upMbps: down === null ? null : Math.round(down * 3) / 10,
        presentation: presentationDisplayOf(device, true),
        deviceIndex: device,
      }),
    );
  }
  return `{"reports":[${reports.join(',')}]}`;
}

interface Request {
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

function requestMaker(
  plan: LoadPlan,
  kind: StreamPlan['kind'],
  devices: { index: number; key: string }[],
): () => Request {
  const plainAuth = { authorization: `Bearer ${plan.apiToken}` };
  // API clients ask for gzip (decision 194); the server decides what it compresses.
  const auth = { ...plainAuth, 'accept-encoding': 'gzip' };
  if (kind === 'healthz') return () => ({ path: '/healthz', method: 'GET', headers: {} });
  if (kind === 'ceiling') return () => ({ path: '/', method: 'GET', headers: {} });
  if (kind === 'province') return () => ({ path: plan.province!.path, method: 'GET', headers: auth });
  if (kind === 'coverage') return () => ({ path: '/api/v1/coverage', method: 'GET', headers: auth });
  if (kind === 'coverage-plain') return () => ({ path: '/api/v1/coverage', method: 'GET', headers: plainAuth });
  if (kind === 'county')
    return () => ({ path: `/api/v1/coverage/counties/${plan.countyView}`, method: 'GET', headers: auth });
  if (kind === 'overview-page' || kind === 'county-page') {
    if (!plan.pageCookie) throw new Error(`the load plan has no session cookie for ${kind} streams`);
    const path = kind === 'overview-page' ? '/' : `/counties/${plan.countyView}`;
    return () => ({ path, method: 'GET', headers: { cookie: plan.pageCookie! } });
  }
  let next = 0;
  let draw = 0;
  return () => {
    const device = devices[next++ % devices.length]!;
    const size = plan.batchMin + (hash32(draw++, 99) % (plan.batchMax - plan.batchMin + 1));
    return {
      path: '/api/v1/reports',
      method: 'POST',
      headers: { authorization: `Bearer ${device.key}`, 'content-type': 'application/json' },
      body: reportBatch(device.index, size, Date.now()),
    };
  };
}

async function runStream(
  plan: LoadPlan,
  stream: StreamPlan,
  phase: PhasePlan,
  devices: { index: number; key: string }[],
  start: number,
): Promise<StreamResult> {
  const origin =
    stream.kind === 'ceiling' ? plan.ceilingUrl : stream.kind === 'province' ? plan.province?.url : plan.url;
  if (!origin) throw new Error(`the load plan has no address for ${stream.kind} streams`);
  // Ingest spread over several servers: connection k goes to server k mod n.
  const origins = stream.kind === 'ingest' && plan.ingestUrls?.length ? plan.ingestUrls : [origin];
  const pools = origins.map(
    (o, i) =>
      new Pool(o, {
        connections: Math.ceil((stream.connections - i) / origins.length),
        pipelining: 1,
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      }),
  );
  const make = requestMaker(plan, stream.kind, devices);
  const measureFrom = start + phase.warmupMs;
  const measureTo = measureFrom + phase.durationMs;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let ok = 0;
  let accepted = 0;
  let acknowledged = 0;
  let bytes = 0;
  let inflatedOne = false;
  const worker = async (_: unknown, k: number) => {
    const pool = pools[k % pools.length]!;
    while (performance.now() < measureTo) {
      const request = make();
      const sent = performance.now();
      let status = 0;
      let body: Buffer;
      let gzipped = false;
      try {
        const response = await pool.request({
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
        });
        status = response.statusCode;
        gzipped = response.headers['content-encoding'] === 'gzip';
        body = Buffer.from(await response.body.arrayBuffer());
      } catch (error) {
        const key = (error as { code?: string }).code ?? (error as Error).message;
        failures[key] = (failures[key] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const done = performance.now();
      const reports =
        stream.kind === 'ingest' && status === 200
          ? (JSON.parse(body.toString('utf8')) as { accepted: number }).accepted
          : 0;
      acknowledged += reports;
      if (done < measureFrom || done > measureTo) continue;
      latencies.push(done - sent);
      bytes += body.length;
      // A client inflates what it asked gzipped; the load process checks the first such answer of each stream
      // (a valid JSON document) and leaves the rest, so its own inflating does not take the server's cores.
      if (gzipped && !inflatedOne) {
        JSON.parse(gunzipSync(body).toString('utf8'));
        inflatedOne = true;
      }
      if (status === 200) {
        ok++;
        accepted += reports;
      } else failures[String(status)] = (failures[String(status)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: stream.connections }, worker));
  await Promise.all(pools.map((p) => p.close()));
  const sorted = Float64Array.from(latencies).sort();
  const seconds = phase.durationMs / 1000;
  return {
    kind: stream.kind,
    connections: stream.connections,
    requests: latencies.length,
    ok,
    failures,
    seconds,
    perSecond: latencies.length / seconds,
    reportsAccepted: accepted,
    reportsAcknowledged: acknowledged,
    reportsPerSecond: accepted / seconds,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    },
    meanBytes: latencies.length === 0 ? 0 : bytes / latencies.length,
  };
}

/** Runs the phases one after another, the streams of a phase side by side. */
export async function runPlan(plan: LoadPlan): Promise<PhaseResult[]> {
  const devices = plan.phases.some((p) => p.streams.some((s) => s.kind === 'ingest')) ? deviceKeys(plan) : [];
  const results: PhaseResult[] = [];
  for (const phase of plan.phases) {
    const start = performance.now();
    const streams = await Promise.all(phase.streams.map((s) => runStream(plan, s, phase, devices, start)));
    results.push({ name: phase.name, round: phase.round, streams });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Started by run.ts with an IPC channel: if the runner dies, so does the load.
  const orphaned = () => process.exit(3);
  process.on('disconnect', orphaned);
  const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as LoadPlan;
  const results = await runPlan(plan);
  process.off('disconnect', orphaned);
  process.stdout.write(JSON.stringify(results) + '\n');
  process.disconnect?.();
}
