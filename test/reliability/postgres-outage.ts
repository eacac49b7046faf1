import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/*
 * A database restart for the outage test: the throwaway server of test/helpers/postgres.ts is stopped with a
 * fast shutdown (SIGINT to the postmaster, as `pg_ctl stop -m fast` sends) and started again on the same data
 * dir with the same command line, which PostgreSQL itself records in postmaster.opts (what `pg_ctl restart`
 * reads). Everything is found from the client settings: the host is the socket dir, the data dir is under it.
 */

/** The PostgreSQL started again by `startAgain`; stop it before the helper removes its dir. */
export interface RestartedPostgres {
  stop(): Promise<void>;
}

const dataDirOf = (config: pg.ClientConfig) => path.join(config.host!, 'data');

/** The postmaster's pid from postmaster.pid, or null once it is gone (a clean shutdown removes the file). */
function postmasterPid(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
}

async function poll(condition: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Fast shutdown: every session is ended (57P01), and the call resolves once the postmaster has removed its pid file. */
export async function fastShutdown(config: pg.ClientConfig): Promise<void> {
  const dataDir = dataDirOf(config);
  const pid = postmasterPid(dataDir);
  if (pid === null) throw new Error(`no postmaster.pid in ${dataDir}: is the server running?`);
  process.kill(pid, 'SIGINT');
  await poll(() => postmasterPid(dataDir) === null, 'PostgreSQL to shut down', 30_000);
}

/** Starts PostgreSQL again on the same data dir, as the data dir's owner, and waits until it answers a query. */
export async function startAgain(config: pg.ClientConfig): Promise<RestartedPostgres> {
  const dataDir = dataDirOf(config);
  // postmaster.opts: the binary, then each argument in double quotes (src/backend/postmaster/postmaster.c).
  const opts = fs.readFileSync(path.join(dataDir, 'postmaster.opts'), 'utf8').trim();
  const binary = opts.split(' ')[0]!;
  const args = [...opts.slice(binary.length).matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const owner = fs.statSync(dataDir);
  // postgres refuses to run as root: as root (CI, this workplace), run it as the data dir's owner, as the helper did.
  const asOwner =
    process.getuid?.() === 0
      ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups', '--', binary]
      : [binary];
  const [command, ...prefix] = asOwner;
  const server: ChildProcess = spawn(command!, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8_000)));
  server.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8_000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    await exited;
  };
  try {
    await poll(
      async () => {
        if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}:\n${log}`);
        const client = new pg.Client({ ...config, database: 'postgres' });
        try {
          await client.connect();
          await client.query('select 1');
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      'PostgreSQL to accept connections again',
      30_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return { stop };
}
