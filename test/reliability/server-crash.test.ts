import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../server/db/client.ts';
import { santong } from '../helpers/cli.ts';
import { driveDevices, enrollDevices, ledgerAgainstDatabase, ServerTarget } from './ingest-load.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { killHard, prepareDataDir, spawnServer, type ServerProcess } from './server-process.ts';
import { longRun, seededRandom } from './seeded-random.ts';
import { encodeReportId } from '../../server/db/report-id.ts';

/*
 * Crash safety (issue 7, item 1): the real server as a child process under ingest load from many
 * simulated PCs, SIGKILLed at random moments and restarted on the same data dir. Replay a failure with
 * SANTONG_SEED=<printed seed>; SANTONG_LONG=1 runs 200 kills instead of 20.
 */
const KILLS = longRun ? 200 : 20;
const DEVICES = 24;
// Per-device batch caps are for real PCs; the simulated ones send as fast as the server answers.
const env = {
  SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0',
  SANTONG_REPORTS_PER_IP_PER_MINUTE: '0',
  SANTONG_ENROLL_PER_IP_PER_MINUTE: '0',
};

const prepared = await prepareDataDir('santong-crash-');

afterAll(() => prepared.remove());

describe('server crash safety', () => {
  it(
    `survives ${KILLS} SIGKILLs under ingest load: every acknowledged report stored once, no half batch, integrity ok, verify clean`,
    { timeout: longRun ? 1_800_000 : 240_000 },
    async () => {
      const random = seededRandom();
      let server: ServerProcess = spawnServer(prepared.dataDir, env);
      const target = new ServerTarget();
      target.up(await server.listening);
      const devices = await enrollDevices((await target.next())!.url, prepared.tokens, DEVICES);
      const load = await driveDevices(devices, target, random);

      let kills = 0;
      let killedWhileStarting = 0;
      while (kills < KILLS) {
        // Mid-ingest: after a few batches of this server's life were acknowledged (so the load is really
        // flowing, however slow the machine), then a random moment later.
        const wanted = load.acknowledgements() + random.int(1, 8);
        await waitFor(
          () => load.acknowledgements() >= wanted,
          `acknowledgements after restart ${kills} (seed ${random.seed}):\n${server.tail()}`,
          30_000,
        );
        await new Promise((r) => setTimeout(r, random.int(0, 300)));
        target.down();
        await killHard(server);
        kills++;
        server = spawnServer(prepared.dataDir, env);
        // Now and then again while it starts: loading code, opening the database, migrating.
        if (kills < KILLS && random.next() < 0.2) {
          await Promise.race([
            new Promise((r) => setTimeout(r, random.int(0, 1500))),
            server.listening.catch(() => {}),
          ]);
          if (!server.isListening()) {
            await killHard(server);
            kills++;
            killedWhileStarting++;
            server = spawnServer(prepared.dataDir, env);
          }
        }
        const url = await server.listening.catch((e: Error) => {
          throw new Error(`restart after kill ${kills} failed (seed ${random.seed}): ${e.message}`);
        });
        target.up(url);
      }
      target.stop();
      await load.done;
      await killHard(server);

      // Every batch ever sent, acknowledged or not, is wholly in the database or wholly absent.
      const sqlite = new Database(path.join(prepared.dataDir, DATABASE_FILE), { readonly: true });
      const integrity = sqlite.pragma('integrity_check', { simple: true });
      const count = sqlite.prepare('select count(*) as n from reports where id = ? and device_id = ?');
      const stored = (sqlite.prepare('select count(*) as n from reports').get() as { n: number }).n;
      const { acknowledged, found, halfWritten, expectedRows, lost } = await ledgerAgainstDatabase(
        load.ledger,
        (id, deviceId) => (count.get(encodeReportId(id), deviceId) as { n: number }).n,
      );
      sqlite.close();
      const verify = await santong(['verify', '--data-dir', prepared.dataDir]);

      const figures = {
        seed: random.seed,
        kills,
        killedWhileStarting,
        devices: DEVICES,
        requests: load.requests(),
        batches: load.ledger.length,
        acknowledged,
        found,
        stored,
        halfWritten,
      };
      console.log(`server-crash: ${JSON.stringify(figures)}`);
      expect(load.unexpected, `seed ${random.seed}`).toEqual([]);
      expect(integrity, `seed ${random.seed}`).toBe('ok');
      expect(lost, `seed ${random.seed}`).toEqual([]);
      expect(found).toBe(acknowledged);
      expect(halfWritten, `seed ${random.seed}`).toBe(0);
      // No report the ledger does not know about, so nothing was stored twice under another id.
      expect(stored).toBe(expectedRows);
      expect(acknowledged).toBeGreaterThan(0);
      expect(verify.code, `${verify.stdout}${verify.stderr} (seed ${random.seed})`).toBe(0);
    },
  );
});
