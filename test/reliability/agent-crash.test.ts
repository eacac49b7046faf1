import Database from 'better-sqlite3';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../agent/outbox.ts';
import { DATABASE_FILE } from '../../server/db/client.ts';
import { runAgent } from '../agent/agent-process.ts';
import { makeReport, tempDir } from '../agent/report-fixture.ts';
import { santong } from '../helpers/cli.ts';
import { AgentRuns, AIMS, type Aim } from './agent-crash-runs.ts';
import { Relay } from './agent-relay.ts';
import { longRun, seededRandom, type Random } from './seeded-random.ts';
import { killHard, prepareDataDir, spawnServer } from './server-process.ts';
import { decodeReportId } from '../../server/db/report-id.ts';

/*
 * Crash safety of the agent (issue 7, item 1): the real agent (`once`, from source) against the real
 * server (`santong serve`) through a relay on 127.0.0.1, SIGKILLed at random moments of collect →
 * outbox → send → acknowledge (agent-crash-runs.ts), then run once more, unkilled, to drain its outbox.
 * Every report that was ever in the outbox must be stored exactly once, each replay answered as a
 * duplicate, and nothing may be left behind. Replay a failure with SANTONG_SEED=<printed seed>;
 * SANTONG_LONG=1 runs 200 kills instead of 20.
 */
const KILLS = longRun ? 200 : 20;
const SCHOOL = '6229210001';
// One PC reporting dozens of times a minute: the per-device batch cap is for real PCs.
const env = { SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0' };

const prepared = await prepareDataDir('santong-agent-crash-');
afterAll(() => prepared.remove());

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('agent crash safety', () => {
  it(
    `survives ${KILLS} SIGKILLs between collect, outbox, send and acknowledge: every queued report stored once, nothing left behind`,
    { timeout: longRun ? 1_800_000 : 240_000 },
    async () => {
      const random = seededRandom();
      const started = performance.now();
      const server = spawnServer(prepared.dataDir, env);
      const serverUrl = await server.listening;
      const relay = await Relay.start(serverUrl);
      const { dir, cleanup } = await tempDir('santong-agent-crash-');
      const configPath = join(dir, 'config.json');
      const stateDir = join(dir, 'state');
      const runs = await AgentRuns.watch(configPath, stateDir, relay, random);
      try {
        const enrolled = await runAgent([
          'enroll',
          '--server',
          relay.url,
          '--token',
          prepared.tokens.get(SCHOOL)!,
          '--target',
          `${relay.url}/healthz`,
          '--config',
          configPath,
        ]);
        expect(enrolled.code, enrolled.stderr).toBe(0);
        const { deviceId } = JSON.parse(await readFile(configPath, 'utf8')) as { deviceId: string };

        const backlog = new Set<string>();
        let kills = 0;
        let rounds = 0;
        let aims: Aim[] = [];
        await runs.clean();
        while (kills < KILLS) {
          if (++rounds > KILLS * 4)
            throw new Error(
              `too many runs finished before their kill (seed ${random.seed}): ${JSON.stringify(runs.finishedFirst)}`,
            );
          // Every aim in turn, in a shuffled order; an aim whose run finished first is tried again.
          if (aims.length === 0) aims = shuffled(AIMS, random);
          if (!(await runs.killed(aims[0]!))) continue;
          aims.shift();
          kills++;
          if (random.next() < 0.2) {
            await runs.clean();
            // Reports queued while the school's link was down: bigger batches to send and remove.
            if (random.next() < 0.5) {
              const queue = await Outbox.open(stateDir);
              for (let i = random.int(1, 60); i > 0; i--) {
                const report = makeReport();
                await queue.add(report);
                backlog.add(report.id);
              }
            }
          }
        }
        const drain = await runs.clean();
        await killHard(server);
        runs.close();

        // The server's answer to every batch that reached it: new ids accepted, ids it had counted as duplicates.
        const stored = new Set<string>();
        const wrongAnswers: string[] = [];
        let replayed = 0;
        let duplicatesAnswered = 0;
        for (const batch of relay.ledger.filter((b) => b.stored)) {
          const known = batch.reportIds.filter((id) => stored.has(id)).length;
          if (batch.duplicates !== known || batch.accepted !== batch.reportIds.length - known) {
            wrongAnswers.push(
              `${batch.reportIds.length} reports, ${known} known: answered ${batch.accepted} accepted, ${batch.duplicates} duplicates`,
            );
          }
          replayed += known;
          duplicatesAnswered += batch.duplicates ?? 0;
          for (const id of batch.reportIds) stored.add(id);
        }
        const sqlite = new Database(join(prepared.dataDir, DATABASE_FILE), { readonly: true });
        const rows = sqlite
          .prepare('select id, count(*) as n from reports where device_id = ? group by id')
          .all(deviceId) as { id: Buffer; n: number }[];
        const otherRows = (
          sqlite.prepare('select count(*) as n from reports where device_id != ?').get(deviceId) as { n: number }
        ).n;
        sqlite.close();
        const inDatabase = new Set(rows.map((r) => decodeReportId(r.id)));
        const written = runs.written();
        const verify = await santong(['verify', '--data-dir', prepared.dataDir]);

        const figures = {
          seed: random.seed,
          kills,
          runs: rounds + 1,
          phases: runs.phases,
          finishedFirst: runs.finishedFirst,
          tornTemps: runs.tornTemps,
          stateTemps: runs.stateTemps,
          writtenByAgent: written.size - backlog.size,
          backlog: backlog.size,
          batches: relay.ledger.length,
          replayed,
          duplicatesAnswered,
          found: [...written].filter((id) => inDatabase.has(id)).length,
          stored: rows.length,
          seconds: Math.round((performance.now() - started) / 1000),
        };
        console.log(`agent-crash: ${JSON.stringify(figures)}`);
        const seed = `seed ${random.seed}`;
        expect(runs.unexpected, seed).toEqual([]);
        // The watch saw every name, every file a listing found and every id the agent sent: `written` is complete.
        expect(runs.unnamedEvents()).toBe(0);
        expect(runs.missedByWatch(), seed).toEqual([]);
        expect(
          [...written].filter((id) => !inDatabase.has(id)),
          `lost (${seed})`,
        ).toEqual([]);
        expect(
          [...inDatabase].filter((id) => !written.has(id)),
          `stored but never queued (${seed})`,
        ).toEqual([]);
        expect(
          rows.filter((r) => r.n !== 1),
          seed,
        ).toEqual([]);
        expect(otherRows).toBe(0);
        expect(
          relay.ledger.filter((b) => b.status !== undefined && !b.stored),
          `batches the server refused (${seed})`,
        ).toEqual([]);
        expect(wrongAnswers, seed).toEqual([]);
        expect(replayed, 'a report the server had was sent again').toBeGreaterThan(0);
        expect(duplicatesAnswered).toBe(replayed);
        expect(drain.stdout).toMatch(/服务器已确认收到（新收 \d+ 份/);
        expect(await readdir(join(stateDir, 'outbox')), `outbox after the drain (${seed})`).toEqual([]);
        expect(await readdir(join(stateDir, 'quarantine')), seed).toEqual([]);
        expect(
          (await readdir(stateDir)).filter((n) => n.startsWith('.tmp-')),
          `temp files left in the state dir (${seed})`,
        ).toEqual([]);
        expect(verify.code, `${verify.stdout}${verify.stderr} (${seed})`).toBe(0);
      } finally {
        runs.close();
        await relay.close();
        await killHard(server);
        await cleanup();
      }
    },
  );
});
