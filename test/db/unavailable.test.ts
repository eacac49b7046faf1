import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../../server/db/unavailable.ts';
import { usePostgres } from '../helpers/postgres.ts';

/*
 * What counts as "the database is unreachable" (decision 197), on errors the driver really raises: a connect to a
 * socket that is not there, a session the server ends (57P01, as a fast shutdown does), a query on a client whose
 * connection is gone. A missing file or a SQL mistake is no outage.
 */
const postgres = usePostgres();

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('isDatabaseUnavailable', () => {
  it('knows a refused connect, an ended session and a dead client, and nothing else', async () => {
    const config = await postgres().createDatabase();

    const noSocket = new pg.Client({ ...config, host: path.join(os.tmpdir(), 'santong-no-such-socket-dir') });
    const refused = await failure(() => noSocket.connect());
    expect(refused).toMatchObject({ code: 'ENOENT', syscall: 'connect' });
    expect(isDatabaseUnavailable(refused)).toBe(true);

    const victim = new pg.Client(config);
    await victim.connect();
    victim.on('error', () => undefined);
    const { pid } = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!;
    const admin = new pg.Client(config);
    await admin.connect();
    try {
      // What a fast shutdown does to every session: 57P01 admin_shutdown.
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    const ended = await failure(() => victim.query('select 1'));
    expect(isDatabaseUnavailable(ended), String(ended)).toBe(true);
    await victim.end().catch(() => undefined);
    // Wrapped as drizzle wraps the driver's error.
    expect(isDatabaseUnavailable(new Error('Failed query: select 1', { cause: ended }))).toBe(true);
    expect(isDatabaseUnavailable(new DatabaseUnavailableError('from the writer thread'))).toBe(true);

    const client = new pg.Client(config);
    await client.connect();
    try {
      const mistake = await failure(() => client.query('select * from no_such_table'));
      expect(mistake).toMatchObject({ code: '42P01' });
      expect(isDatabaseUnavailable(mistake)).toBe(false);
    } finally {
      await client.end();
    }
    const noFile = await failure(() => fs.readFile(path.join(os.tmpdir(), 'santong-no-such-file')));
    expect(noFile).toMatchObject({ code: 'ENOENT' });
    expect(isDatabaseUnavailable(noFile)).toBe(false);
    expect(isDatabaseUnavailable(new Error('internal'))).toBe(false);
  });
});
