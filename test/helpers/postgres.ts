import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresServer } from '../../bench/harness/postgres.ts';

/*
 * A real, throwaway PostgreSQL server for tests (decision 121), started by the starter the benchmark shares
 * (bench/harness/postgres.ts): Debian's server binaries, a temp dir, a unix socket, durability off because the data
 * dies with the test.
 */
export { postgresBinDir, startPostgres, type PostgresServer } from '../../bench/harness/postgres.ts';

/** One server for the calling test file: started before its first test, stopped (dir removed) after its last. */
export function usePostgres(): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('usePostgres(): the server starts in beforeAll; call this inside a test');
    return server;
  };
}
