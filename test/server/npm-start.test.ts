import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.ts';

/*
 * `npm start` as an operator runs it: npm, the shell it runs the script in, the server. A signal to npm (a
 * service manager's stop, `kill -TERM`) must stop the server and free its port, not leave it running orphaned
 * (issue 18, item 12). Linux only, like the server: descendants are found in /proc.
 */
const dirs: string[] = [];
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A process that still runs: not gone, and not a zombie waiting for its parent to collect its exit status. */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

const described = (pid: number) => {
  try {
    return `${pid} ${fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(0, 60)} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')}`;
  } catch {
    return `${pid} gone`;
  }
};

/** Every process below `pid`, from the kernel's list of each thread's children. */
function descendants(pid: number): number[] {
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  const children = tasks.flatMap((task) =>
    fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
  return children.flatMap((child) => [child, ...descendants(child)]);
}

describe('npm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to npm stops the server: npm exits, the server process is gone and its port is free',
    { timeout: 120_000 },
    async (signal) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-npm-start-'));
      dirs.push(dataDir);
      const npm = spawn('npm', ['start'], {
        cwd: repoRoot,
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SANTONG_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      npm.stderr.on('data', (d) => (output += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        npm.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const url = await new Promise<string>((resolve, reject) => {
        npm.stdout.on('data', (d) => {
          output += d;
          const listening = /"url":"(http:\/\/[^"]+)".*"msg":"santong server listening"/.exec(output);
          if (listening) resolve(listening[1]!);
        });
        void exited.then(() => reject(new Error(`npm start exited before listening:\n${output}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const below = descendants(npm.pid!);
      leftovers.push(...below);
      expect(below.length).toBeGreaterThan(0);

      npm.kill(signal);
      await exited;
      expect(output).toContain('"msg":"santong server stopped"');
      expect(below.filter(alive).map(described)).toEqual([]);
      await expect(fetch(`${url}/healthz`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    },
  );
});
