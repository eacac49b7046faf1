import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `santong <args>` as a user would (through tsx), with stdin, and collects its output; `umask` (e.g. '000') runs it under that umask. */
export function santong(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; umask?: string } = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const argv = [process.execPath, '--import', 'tsx', 'server/cli.ts', ...args];
    const [command, ...rest] = options.umask
      ? ['/bin/sh', '-c', `umask ${options.umask} && exec "$0" "$@"`, ...argv]
      : argv;
    const child = spawn(command!, rest, {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Starts `santong serve` as a child process and resolves with its URL once it logs that it listens. */
export function santongServe(args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/cli.ts', 'serve', '--host', '127.0.0.1', '--port', '0', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, LOG_LEVEL: 'info' },
      },
    );
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    child.stdout.on('data', (d) => {
      output += d;
      const listening = /"url":"(http:\/\/[^"]+)".*"msg":"santong server listening"/.exec(output);
      if (listening) resolve({ url: listening[1]!, child, output: () => output });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`santong serve exited with ${code}:\n${output}`)));
  });
}
