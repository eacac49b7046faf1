import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../server/db/client.ts';
import { runPlan } from '../../bench/harness/load.ts';
import { measurePostgresIngest } from '../../bench/server/postgres-ingest.ts';
import { generateDataset } from '../../bench/world/generate.ts';
import { tinyScale } from '../../bench/world/scales.ts';

/*
 * The benchmark's PostgreSQL (issue 14's goals): its starter runs durable, as production does, and the ingest phases
 * copy the world across, drive one and then two real servers on it, and count what was stored against what the
 * client was told was accepted.
 */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("the benchmark's PostgreSQL", () => {
  it('runs durable, ingests on one server and on two sharing the database, every acknowledged report stored once', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-bench-pg-'));
    dirs.push(work);
    const meta = await generateDataset(tinyScale(), path.join(work, DATABASE_FILE));
    const run = await measurePostgresIngest({
      work,
      key: 'tiny',
      names: ['ingest-pg', 'ingest-pg-2'],
      phases: (name) => [
        { name, round: 1, warmupMs: 0, durationMs: 1_000, streams: [{ kind: 'ingest', connections: 4 }] },
      ],
      plan: {
        apiToken: meta.apiToken,
        countyView: meta.countyView,
        seed: meta.seed,
        loadDevices: meta.loadDevices,
        batchMin: 1,
        batchMax: 24,
      },
      log: () => undefined,
      // In this process rather than a load process of its own: the figures do not matter here, the plumbing does.
      load: (plan) => runPlan(plan),
    });
    // Durable, as production runs: PostgreSQL's own settings as the run read them.
    expect(run.settings).toEqual(expect.arrayContaining(['fsync=on', 'synchronous_commit=on', 'full_page_writes=on']));
    expect(run.copied.reportCount).toBe(meta.reports);
    expect(run.copied.partitions).toBeGreaterThan(1);
    expect(run.copied.reportBytes).toBeGreaterThan(0);
    expect(run.phases.map((p) => [p.name, p.servers])).toEqual([
      ['ingest-pg', 1],
      ['ingest-pg-2', 2],
    ]);
    for (const phase of run.phases) {
      expect(phase.acknowledged, phase.name).toBeGreaterThan(0);
      expect(phase.after - phase.before, phase.name).toBe(phase.acknowledged);
    }
    // The client spread its connections over both servers: the second one's log has report batches too.
    expect(fs.readFileSync(path.join(work, 'server-pg-2.log'), 'utf8')).toContain('"path":"/api/v1/reports"');
    expect(run.afterIngest.reportCount).toBe(meta.reports + run.phases.reduce((n, p) => n + p.acknowledged, 0));
  }, 120_000);
});
