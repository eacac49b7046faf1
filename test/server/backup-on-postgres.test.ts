import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { santong } from '../helpers/cli.ts';
import { prepareDataDir } from '../reliability/server-process.ts';

/*
 * `santong backup` is the SQLite tool (decision 197). On a deployment moved to PostgreSQL the data dir may still
 * hold the SQLite file migrate-to-postgres copied from; backing that up would write a stale copy that looks whole.
 * With a database URL set, the command refuses and names PostgreSQL's own tools instead.
 */
describe('santong backup on a PostgreSQL deployment', () => {
  it('refuses, pointing at pg_dump and PITR, and writes nothing, though a SQLite file is still in the data dir', async () => {
    const prepared = await prepareDataDir('santong-backup-pg-');
    onTestFinished(() => prepared.remove());
    const file = path.join(prepared.dataDir, 'copy.sqlite');

    const refused = await santong(['backup', file, '--data-dir', prepared.dataDir], {
      env: { SANTONG_DATABASE_URL: 'postgres://santong@db.example.invalid/santong' },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/this deployment is on PostgreSQL/);
    expect(refused.stderr).toMatch(/pg_dump/);
    expect(refused.stderr).toMatch(/pg_basebackup and WAL archiving/);
    expect(fs.existsSync(file)).toBe(false);

    // The same data dir without the URL is a SQLite deployment, and its backup is written.
    const copied = await santong(['backup', file, '--data-dir', prepared.dataDir]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
  });
});
