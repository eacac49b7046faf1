import { describe, expect, it, onTestFinished } from 'vitest';
import { santong } from '../helpers/cli.ts';
import { usePostgres } from '../helpers/postgres.ts';
import { driveDevices, enrollDevices, ledgerAgainstDatabase, reportsOnPostgres, ServerTarget } from './ingest-load.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { killHard, prepareDataDir, spawnServer, type ServerProcess } from './server-process.ts';
import { longRun, seededRandom } from './seeded-random.ts';

/*
 * Several servers behind one address (issue 14 item 2 and its goal): two `santong serve` processes share one
 * PostgreSQL while simulated PCs send report batches to either, in turn, replaying some acknowledged ones to the
 * other. One of the two is SIGKILLed again and again, and the other keeps serving while it is down. Afterwards
 * every acknowledged report is stored exactly once, no batch half, and `santong verify` is clean. Replay a failure
 * with SANTONG_SEED=<printed seed>; SANTONG_LONG=1 kills 60 times instead of 6.
 */
const postgres = usePostgres();
const KILLS = longRun ? 60 : 6;
const DEVICES = 16;
const limitsOff = {
  SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0',
  SANTONG_REPORTS_PER_IP_PER_MINUTE: '0',
  SANTONG_ENROLL_PER_IP_PER_MINUTE: '0',
};

const PATIENCE_MS = 60_000; // server restarts under tsx are slow on a loaded machine

describe('two servers sharing one PostgreSQL', () => {
  it(
    `keep ingesting while one of them is SIGKILLed ${KILLS} times: every acknowledged report stored once, verify clean`,
    { timeout: longRun ? 1_800_000 : 300_000 },
    async () => {
      const { host, port, user, database } = await postgres().createDatabase();
      const databaseUrl = `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`;
      const prepared = await prepareDataDir('santong-shared-pg-', databaseUrl);
      onTestFinished(() => prepared.remove());
      const env = { ...limitsOff, SANTONG_DATABASE_URL: databaseUrl };
      const random = seededRandom();
      const servers: ServerProcess[] = [spawnServer(prepared.dataDir, env), spawnServer(prepared.dataDir, env)];
      onTestFinished(() => Promise.all(servers.map(killHard)).then(() => undefined));
      const urls = await Promise.all(servers.map((s) => s.listening));
      const target = new ServerTarget();
      for (const url of urls) target.up(url);
      const devices = await enrollDevices(urls[0]!, prepared.tokens, DEVICES).catch((error: Error) => {
        throw new Error(`${error.message}\n${servers[0]!.tail()}`);
      });
      const load = await driveDevices(devices, target, random);

      let servedWhileOneWasDown = 0;
      for (let kill = 1; kill <= KILLS; kill++) {
        const wanted = load.acknowledgements() + random.int(5, 20);
        await waitFor(
          () => load.acknowledgements() >= wanted,
          `acknowledgements before kill ${kill} (seed ${random.seed})`,
          PATIENCE_MS,
        );
        await new Promise((r) => setTimeout(r, random.int(0, 300))); // a random moment mid-ingest
        const victim = random.int(0, 1);
        target.down(urls[victim]);
        await killHard(servers[victim]!);
        // The other server carries the PCs: batches are acknowledged while the victim is gone.
        const before = load.acknowledgements();
        await waitFor(
          () => load.acknowledgements() >= before + 5,
          `the surviving server serving after kill ${kill} (seed ${random.seed}):\n${servers[1 - victim]!.tail()}`,
          PATIENCE_MS,
        );
        servedWhileOneWasDown += load.acknowledgements() - before;
        servers[victim] = spawnServer(prepared.dataDir, env);
        urls[victim] = await servers[victim]!.listening;
        target.up(urls[victim]!);
      }
      target.stop();
      await load.done;
      await Promise.all(servers.map(killHard));

      const { rowsOf: present, stored: storedReports } = reportsOnPostgres(databaseUrl);
      const stored = await storedReports();
      const { acknowledged, found, halfWritten, expectedRows, lost } = await ledgerAgainstDatabase(
        load.ledger,
        present,
      );
      const verify = await santong(['verify', '--database-url', databaseUrl, '--data-dir', prepared.dataDir]);

      const figures = {
        seed: random.seed,
        kills: KILLS,
        devices: DEVICES,
        requests: load.requests(),
        batches: load.ledger.length,
        acknowledged,
        found,
        stored,
        halfWritten,
        servedWhileOneWasDown,
      };
      console.log(`servers-sharing-postgres: ${JSON.stringify(figures)}`);
      expect(load.unexpected, `seed ${random.seed}`).toEqual([]);
      expect(lost, `seed ${random.seed}`).toEqual([]);
      expect(found).toBe(acknowledged);
      expect(halfWritten, `seed ${random.seed}`).toBe(0);
      expect(stored, 'no report stored twice or unknown to the ledger').toBe(expectedRows);
      expect(acknowledged).toBeGreaterThan(0);
      expect(verify.code, `${verify.stdout}${verify.stderr} (seed ${random.seed})`).toBe(0);
    },
  );
});
