import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../server/db/client.ts';
import { startPostgres } from '../../bench/harness/postgres.ts';
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
  it('starts durable: fsync, synchronous_commit and full_page_writes on', async () => {
    const server = await startPostgres({ durable: true });
    try {
      const client = new pg.Client(await server.createDatabase());
      await client.connect();
      const shown = await client.query(
        `select name, setting from pg_settings where name in ('fsync', 'synchronous_commit', 'full_page_writes')`,
      );
      await client.end();
      expect(Object.fromEntries(shown.rows.map((r) => [r.name, r.setting]))).toEqual({
        fsync: 'on',
        synchronous_commit: 'on',
        full_page_writes: 'on',
      });
    } finally {
      await server.stop();
    }
  });

  it('ingests on one server and on two sharing the database, every acknowledged report stored once', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-bench-pg-'));
    dirs.push(work);
    const meta = await generateDataset(tinyScale(), path.join(work, DATABASE_FILE));
    const run = await measurePostgresIngest({
      work,
      key: 'tiny',
      names: ['ingest-pg', 'ingest-pg-2'],
      phases: (name) => [
        { name, round: 1, warmupMs: 0, durationMs: 1_500, streams: [{ kind: 'ingest', connections: 4 }] },
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
    });
    expect(run.settings).toContain('fsync=on');
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
    expect(run.afterIngest.reportCount).toBe(meta.reports + run.phases.reduce((n, p) => n + p.acknowledged, 0));
  }, 120_000);
});
