import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../server/db/client.ts';
import { santong } from '../helpers/cli.ts';
import { driveDevices, enrollDevices, ServerTarget, type SentBatch } from './ingest-load.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { killHard, prepareDataDir, spawnServer } from './server-process.ts';
import { seededRandom } from './seeded-random.ts';
import { encodeReportId } from '../../server/db/report-id.ts';

/*
 * Backups (issue 7, item 6): `santong backup FILE` while the real server ingests from simulated PCs;
 * the copy is whole, holds every batch acknowledged before it started, and a server started on it
 * verifies clean and answers the same coverage figures as the original.
 */
// The rate limits are for real PCs, each at its own address; the simulated ones all send from 127.0.0.1 as fast as
// the server answers, and since report batches commit on the writer thread (decision 200) that outran the
// per-address limit.
const env = { SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0', SANTONG_REPORTS_PER_IP_PER_MINUTE: '0' };
const original = await prepareDataDir('santong-backup-');
const restoredDirs: string[] = [];
afterAll(() => {
  original.remove();
  for (const dir of restoredDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function restore(file: string): string {
  const dir = fs.mkdtempSync(`${original.dataDir}-restored-`);
  restoredDirs.push(dir);
  fs.copyFileSync(file, path.join(dir, DATABASE_FILE));
  return dir;
}

/** Coverage as the API answers it, without the instant it was computed at. */
async function coverage(url: string, token: string): Promise<unknown> {
  const response = await fetch(`${url}/api/v1/coverage`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return JSON.parse(await response.text(), (key, value: unknown) =>
    key === 'asOf' || key === 'generatedAt' ? undefined : value,
  );
}

describe('santong backup', () => {
  it(
    'copies the database while the server ingests; a server on the restored copy verifies clean and gives the same coverage',
    { timeout: 90_000 },
    async () => {
      const random = seededRandom();
      const server = spawnServer(original.dataDir, env);
      const target = new ServerTarget();
      target.up(await server.listening);
      const devices = await enrollDevices((await target.next())!.url, original.tokens, 12);
      const load = await driveDevices(devices, target, random);
      await waitFor(() => load.ledger.filter((b) => b.acknowledged).length >= 30, '30 acknowledged batches');

      const hot = path.join(original.dataDir, '..', `${path.basename(original.dataDir)}-hot.sqlite`);
      restoredDirs.push(hot);
      const acknowledgedBefore: SentBatch[] = load.ledger.filter((b) => b.acknowledged);
      const backup = await santong(['backup', hot, '--data-dir', original.dataDir]);
      const sentDuring = load.ledger.length;
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(/integrity ok/);
      expect(sentDuring, 'ingest went on while the backup ran').toBeGreaterThan(acknowledgedBefore.length);

      // The hot copy: whole batches only, everything acknowledged before it started, and clean.
      const copy = new Database(hot, { readonly: true });
      const has = copy.prepare('select count(*) as n from reports where id = ?');
      const present = (b: SentBatch) =>
        b.reportIds.filter((id) => (has.get(encodeReportId(id)) as { n: number }).n === 1).length;
      expect(acknowledgedBefore.filter((b) => present(b) !== b.reportIds.length)).toEqual([]);
      expect(load.ledger.filter((b) => ![0, b.reportIds.length].includes(present(b)))).toEqual([]);
      copy.close();
      const hotDir = restore(hot);
      const verifyHot = await santong(['verify', '--data-dir', hotDir]);
      expect(verifyHot.code, verifyHot.stdout + verifyHot.stderr).toBe(0);

      // Quiet now: a second backup, and a server on its restored copy answers exactly what the original does.
      target.stop();
      await load.done;
      expect(load.unexpected).toEqual([]);
      const quiet = `${hot}.quiet`;
      restoredDirs.push(quiet);
      expect((await santong(['backup', quiet, '--data-dir', original.dataDir])).code).toBe(0);
      const quietDir = restore(quiet);
      const count = (file: string) => {
        const db = new Database(file, { readonly: true });
        const n = (db.prepare('select count(*) as n from reports').get() as { n: number }).n;
        db.close();
        return n;
      };
      expect(count(path.join(quietDir, DATABASE_FILE))).toBe(count(path.join(original.dataDir, DATABASE_FILE)));
      const restoredServer = spawnServer(quietDir, env);
      try {
        const [before, after] = await Promise.all([
          coverage(await server.listening, original.apiToken),
          coverage(await restoredServer.listening, original.apiToken),
        ]);
        expect(after).toEqual(before);
      } finally {
        await killHard(restoredServer);
        await killHard(server);
      }
      console.log(
        `backup: ${JSON.stringify({ seed: random.seed, acknowledgedBeforeBackup: acknowledgedBefore.length, batchesSentByBackupEnd: sentDuring, batchesTotal: load.ledger.length })}`,
      );
    },
  );

  it(
    'keeps the data dir 0700 and the database, its WAL, its shared memory and every backup 0600 whatever the umask, also for an older install',
    { timeout: 90_000 },
    async () => {
      // An install from before issue 11: SQLite made the files 0644 in a 0755 directory (umask 022).
      const older = await prepareDataDir('santong-modes-');
      restoredDirs.push(older.dataDir);
      const database = path.join(older.dataDir, DATABASE_FILE);
      fs.chmodSync(older.dataDir, 0o755);
      fs.chmodSync(database, 0o644);
      const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
      const server = spawnServer(older.dataDir, env, { umask: '000' });
      try {
        const url = await server.listening;
        const enrolled = await fetch(`${url}/api/v1/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: older.tokens.get('6229210001'), hostname: 'pc', hardware: {} }),
        });
        expect(enrolled.status).toBe(201);
        expect({
          dir: mode(older.dataDir),
          db: mode(database),
          wal: mode(`${database}-wal`),
          shm: mode(`${database}-shm`),
        }).toEqual({ dir: '700', db: '600', wal: '600', shm: '600' });
        const copy = path.join(os.tmpdir(), `santong-modes-${process.pid}.sqlite`);
        restoredDirs.push(copy);
        const backup = await santong(['backup', copy, '--data-dir', older.dataDir], { umask: '000' });
        expect(backup.code, backup.stderr).toBe(0);
        expect(mode(copy)).toBe('600');
      } finally {
        await killHard(server);
      }
      // A new data dir made by any command.
      const fresh = path.join(older.dataDir, 'fresh');
      expect((await santong(['verify', '--data-dir', fresh], { umask: '000' })).code).toBe(0);
      expect({ dir: mode(fresh), db: mode(path.join(fresh, DATABASE_FILE)) }).toEqual({ dir: '700', db: '600' });
    },
  );

  it('refuses a data dir without a database, with a message', async () => {
    const result = await santong([
      'backup',
      path.join(original.dataDir, 'x.sqlite'),
      '--data-dir',
      path.join(original.dataDir, 'nowhere'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no database at/);
  });
});
