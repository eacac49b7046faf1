import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiToken } from '../../server/auth/api-tokens.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { openStore } from '../../server/db/store.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { repoRoot } from '../helpers/cli.ts';
import { byTest, testRoster } from '../helpers/server.ts';

/** A `santong serve` child process over a data dir; `url` is set once it logs that it listens. */
export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the URL once listening; rejects if the process exits first. */
  listening: Promise<string>;
  /** Resolves once the process is gone (killed or exited). */
  exited: Promise<void>;
  /** The last part of its log, for a failure message. */
  tail(): string;
  /** Whether it has logged that it listens. */
  isListening(): boolean;
}

/** Starts `santong serve --port 0 --host 127.0.0.1 --data-dir DIR` as an operator would; `umask` (e.g. '000') runs it under that umask. */
export function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
  options: { umask?: string } = {},
): ServerProcess {
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    'server/cli.ts',
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--data-dir',
    dataDir,
  ];
  const [command, ...args] = options.umask
    ? ['/bin/sh', '-c', `umask ${options.umask} && exec "$0" "$@"`, ...argv]
    : argv;
  const child = spawn(command!, args, {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let listeningNow = false;
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-32_000);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = new Promise<string>((resolve, reject) => {
    let seen = '';
    let found = false;
    child.stdout!.on('data', (d: Buffer) => {
      keep(d);
      if (found) return;
      seen += d.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"santong server listening"/.exec(seen);
      if (match) {
        found = true;
        listeningNow = true;
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', keep);
    void exited.then(() => reject(new Error(`santong serve exited before listening:\n${log}`)));
  });
  listening.catch(() => {}); // a kill before listening is part of the test; callers await it when they need it
  return { child, listening, exited, tail: () => log, isListening: () => listeningNow };
}

/** SIGKILL, and wait until the process is really gone (so the next server never shares the file with it). */
export async function killHard(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await server.exited;
}

/**
 * A temp data dir with reference data, the test roster, one unlimited enrollment token per school and a bureau API
 * token; the data in the SQLite file under it, or in the PostgreSQL database `databaseUrl` names (servers sharing
 * it are then started with SANTONG_DATABASE_URL).
 */
export async function prepareDataDir(
  prefix: string,
  databaseUrl?: string,
): Promise<{
  dataDir: string;
  tokens: Map<string, string>;
  apiToken: string;
  remove(): void;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir });
  try {
    const now = Date.now();
    await ensureReferenceData(store, now);
    const summary = await importSchools(
      store,
      testRoster.map((cells, i) => ({ line: i + 2, cells })),
      now,
      byTest,
    );
    if (summary.errors.length > 0) throw new Error(`roster rejected: ${JSON.stringify(summary.errors)}`);
    const tokens = new Map<string, string>();
    for (const s of testRoster) {
      const created = await createEnrollmentToken(
        store,
        { schoolCode: s.code, expiresAt: null, maxUses: null },
        now,
        byTest,
      );
      tokens.set(s.code, created.token);
    }
    const apiToken = (await createApiToken(store, { name: 'reliability', divisionCode: null }, now, byTest)).token;
    return { dataDir, tokens, apiToken, remove: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  } finally {
    await store.close();
  }
}
