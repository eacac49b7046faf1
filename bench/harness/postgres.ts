import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/*
 * A real, throwaway PostgreSQL server (decision 121), for the tests (test/helpers/postgres.ts) and the benchmark
 * alike: Debian's server binaries, initdb into a temp dir, postgres listening only on a unix socket in that dir (no
 * TCP port to race for). initdb and postgres refuse to run as root, so as root (CI, this workplace) the server runs
 * as Debian's `postgres` user through setpriv. No vitest here: the benchmark imports it too.
 *
 * Durability is the caller's choice: the tests turn it off (the data dies with the test); the benchmark keeps
 * PostgreSQL's defaults (fsync, synchronous_commit and full_page_writes on), as a production server runs.
 */

/** A running throwaway server; each caller asks it for a database of its own. */
export interface PostgresServer {
  /** A new, empty database (CREATE DATABASE) and the client settings that reach it. */
  createDatabase(): Promise<pg.ClientConfig>;
  /** The settings the server was started with beyond its defaults, as `name=value`. */
  settings: string[];
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** false (the tests): fsync, synchronous_commit and full_page_writes off. true: PostgreSQL's durable defaults. */
  durable?: boolean;
  /** More `-c name=value` settings. */
  settings?: Record<string, string>;
}

const superuser = 'santong';
// The socket's file name carries the port; the socket dir is ours alone, so the default never collides.
const port = 5432;

/** A URL that reaches a database of such a server (its unix socket dir as the host), for SANTONG_DATABASE_URL. */
export const postgresUrl = ({ host, port, user, database }: pg.ClientConfig): string =>
  `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`;

/** The newest Debian server binaries (/usr/lib/postgresql/<major>/bin), or SANTONG_PG_BIN. */
export function postgresBinDir(): string {
  if (process.env.SANTONG_PG_BIN) return process.env.SANTONG_PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const bin = majors
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => path.join(root, major, 'bin'))
    .find((dir) => fs.existsSync(path.join(dir, 'postgres')));
  if (!bin) throw new Error(`no PostgreSQL server under ${root}: apt-get install postgresql (as .ci/run does)`);
  return bin;
}

/** As root, the argv prefix and ids that run a command as the unprivileged `postgres` user. */
function unprivileged(): { prefix: string[]; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    } catch {
      throw new Error(
        'as root, the throwaway server runs as the postgres user, and there is none: apt-get install postgresql',
      );
    }
  };
  return {
    prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'],
    uid: id('-u'),
    gid: id('-g'),
  };
}

function run(argv: string[], cwd: string): ChildProcess {
  const [command, ...args] = argv;
  return spawn(command!, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves when the child exits; rejects with its output when it exits non-zero. */
function finished(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 || signal ? resolve() : reject(new Error(`exited with ${code}:\n${output()}`)),
    );
  });
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** Starts a server in a fresh temp dir and waits until it accepts connections. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const durable = options.durable ?? false;
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-pg-'));
  const data = path.join(dir, 'data');
  const as = unprivileged();
  if (as) fs.chownSync(dir, as.uid, as.gid);
  const prefix = as?.prefix ?? [];

  // trust: only the socket in our own temp dir reaches it. --no-sync when the data dies with the caller anyway.
  const initdbFlags = [
    '-D',
    data,
    '-U',
    superuser,
    '--auth=trust',
    ...(durable ? [] : ['--no-sync']),
    '--no-instructions',
  ];
  const initdb = run([...prefix, path.join(bin, 'initdb'), ...initdbFlags, '--encoding=UTF8', '--locale=C.UTF-8'], dir);
  await finished(initdb, collect(initdb)).catch((error: Error) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${error.message}`);
  });

  const socket = { listen_addresses: '', unix_socket_directories: dir, port: String(port) };
  const durabilityOff = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };
  const chosen = { ...(durable ? {} : durabilityOff), ...options.settings };
  const flags = Object.entries({ ...socket, ...chosen }).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const server = run([...prefix, path.join(bin, 'postgres'), '-D', data, ...flags], dir);
  const log = collect(server);
  const exited = finished(server, log);
  exited.catch(() => {}); // a crash is reported by the readiness wait below, with the server's log
  // setpriv execs postgres, so this pid is the postmaster: killed with us if our process dies unannounced.
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);

  const admin: pg.ClientConfig = { host: dir, port, user: superuser, database: 'postgres' };
  await waitUntilAccepting(admin, server, log).catch(async (error: Error) => {
    process.off('exit', killOnExit);
    server.kill('SIGKILL');
    await exited.catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  let databases = 0;
  return {
    settings: Object.entries(chosen).map(([k, v]) => `${k}=${v}`),
    async createDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      const client = new pg.Client(admin);
      await client.connect();
      try {
        // FILE_COPY copies template1's files behind one checkpoint, cheap with fsync off; 15's default
        // (WAL_LOG) writes every block to the WAL and took about twice as long here.
        await client.query(`CREATE DATABASE ${name} STRATEGY FILE_COPY`);
      } finally {
        await client.end();
      }
      return { ...admin, database: name };
    },
    async stop() {
      process.off('exit', killOnExit);
      // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing is waited for.
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
      await exited.catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls a connection until the server answers, failing with its log if it exits or takes over 20 s. */
async function waitUntilAccepting(config: pg.ClientConfig, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode}:\n${log()}`);
    const client = new pg.Client(config);
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections in 20 s: ${error}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      await client.end().catch(() => {});
    }
  }
}
