import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUser } from '../../server/accounts/users.ts';
import { openDatabaseFile } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import type { PhasePlan, PhaseResult, StreamKind } from '../harness/load-plan.ts';
import { runLoad } from '../harness/run-load.ts';
import { startBenchServer } from '../harness/server-process.ts';
import { cacheRoot, ensureDataset } from '../world/generate.ts';
import { workingCopy } from '../world/rebase.ts';
import { scalesFor } from '../world/scales.ts';
import { sessionCookie } from './sign-in.ts';
import { median } from '../server/figures.ts';

/*
 * The overview and county pages beside full ingest (issue 15 item 5): the prefecture world of `npm run bench --
 * --quick` (Linxia's 1,492 schools, generated into bench/.cache on first use) served by a real `santong serve`,
 * a bureau account signed in through the login form, and the load process of the server benchmark reading each
 * page alone and then beside agents posting report batches as fast as the server acknowledges them. Each ratio
 * is taken within a round: p99 beside ingest ÷ p99 alone.
 */
const ROUNDS = 3;
const CONNECTIONS = 16;
const PASSWORD = 'benchmark password';
const pages = [
  ['overview-page', 'prefecture overview (/)'],
  ['county-page', 'county page (the largest county, first 100 schools)'],
] as const;

export async function pagesBesideIngest(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  const [scale] = scalesFor(true);
  const dataset = await ensureDataset(scale, log);
  const work = path.join(cacheRoot, 'run', 'pages');
  const { workFile } = workingCopy({ file: dataset.file, generatedAt: dataset.meta.generatedAt }, work);
  const db = openDatabaseFile(workFile);
  await createUser(sqliteStore(db), { username: 'bureau', password: PASSWORD, role: 'bureau' }, Date.now(), {
    actor: 'bench',
    reason: 'npm run bench:pages',
  });
  db.$client.close();

  const server = await startBenchServer(work, { logFile: path.join(work, 'server.log') });
  let results: PhaseResult[];
  try {
    const cookie = await sessionCookie((url, init) => fetch(`${server.url}${url}`, init), 'bureau', PASSWORD);
    const phase = (name: string, round: number, kinds: StreamKind[]): PhasePlan => ({
      name,
      round,
      warmupMs: 2_000,
      durationMs: 8_000,
      streams: kinds.map((kind) => ({ kind, connections: CONNECTIONS })),
    });
    const phases = Array.from({ length: ROUNDS }, (_, r) =>
      pages.flatMap(([kind]) => [phase(kind, r + 1, [kind]), phase(`ingest+${kind}`, r + 1, ['ingest', kind])]),
    ).flat();
    log(`pages beside ingest: ${dataset.meta.schools.toLocaleString('en')} schools, ${phases.length} phases`);
    results = await runLoad(
      {
        url: server.url,
        apiToken: dataset.meta.apiToken,
        countyView: dataset.meta.countyView,
        pageCookie: cookie,
        seed: dataset.meta.seed,
        loadDevices: dataset.meta.loadDevices,
        batchMin: 1,
        batchMax: 24,
        phases,
      },
      work,
    );
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return render(results, dataset.meta.schools);
}

function render(results: PhaseResult[], schools: number): string {
  const stream = (name: string, round: number, kind: StreamKind) =>
    results.find((p) => p.name === name && p.round === round)?.streams.find((s) => s.kind === kind);
  const rounds = [...new Set(results.map((p) => p.round))];
  const f = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
  const lines = [
    `Pages beside full ingest: ${schools.toLocaleString('en')} schools (the quick prefecture world), ${CONNECTIONS} connections a stream, ${rounds.length} rounds of 2 s warm-up + 8 s; medians over rounds; ${os.availableParallelism()} CPUs, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end.`,
    '',
    '| page | alone: req/s, p99 | beside ingest: req/s, p99 | ingest beside it, reports/s | p99 beside ÷ alone |',
    '|---|---|---|---|---:|',
  ];
  for (const [kind, label] of pages) {
    const alone = rounds.map((r) => stream(kind, r, kind));
    const beside = rounds.map((r) => stream(`ingest+${kind}`, r, kind));
    const ingest = rounds.map((r) => stream(`ingest+${kind}`, r, 'ingest'));
    const m = (xs: (number | undefined)[]) => median(xs.map((x) => (x !== undefined && Number.isFinite(x) ? x : NaN)));
    const ratio = m(rounds.map((_, i) => (beside[i]?.latencyMs.p99 ?? NaN) / (alone[i]?.latencyMs.p99 ?? NaN)));
    lines.push(
      `| ${label} | ${f(m(alone.map((s) => s?.perSecond)))}, ${f(m(alone.map((s) => s?.latencyMs.p99)))} ms | ${f(m(beside.map((s) => s?.perSecond)))}, ${f(m(beside.map((s) => s?.latencyMs.p99)))} ms | ${f(m(ingest.map((s) => s?.reportsPerSecond)))} | ${f(ratio, 2)} |`,
    );
  }
  const failures = results.flatMap((p) => p.streams).flatMap((s) => Object.entries(s.failures));
  if (failures.length > 0) lines.push('', `Failures: ${failures.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  return lines.join('\n');
}
