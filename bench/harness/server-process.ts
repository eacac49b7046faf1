import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The server under test: `santong serve` as a child process on 127.0.0.1, exactly as an operator runs
 * it (default log level, its own jobs), so its peak RSS can be read from /proc and it can be profiled.
 */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface BenchServer {
  url: string;
  pid: number;
  /** Milliseconds from spawning the process to the first 200 from /healthz. */
  startMs: number;
  /** Peak resident set size so far (VmHWM), in bytes. */
  peakRss(): number;
  /** SIGTERM, then SIGKILL after 15 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Kills every server this process started and has not stopped yet (on Ctrl-C and on exit). */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Kills `children` (the runner's load processes) and every server it started when the runner exits,
 * Ctrl-C included; returns that cleanup, for calling earlier too.
 */
export function killOnExit(children: Set<ChildProcess>): () => void {
  const cleanup = () => {
    for (const child of children) child.kill('SIGKILL');
    killAllServers();
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (cleanup(), process.exit(130)));
  return cleanup;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Reads a process's peak resident set size (VmHWM) in bytes, or 0 when it is gone. */
export function readPeakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time a process has spent so far (user and system, /proc/PID/stat), in microseconds; 0 when it is gone. */
export function readCpuMicros(pid: number): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th (clock ticks of 10 ms).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

/** Starts `santong serve` (of this checkout, or of serverRoot) over dataDir and waits (at most timeoutMs) until /healthz answers 200. */
export async function startBenchServer(
  dataDir: string,
  options: {
    logFile: string;
    cpuProfDir?: string | undefined;
    timeoutMs?: number;
    serverRoot?: string | undefined;
    env?: Record<string, string>;
  },
): Promise<BenchServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(options.logFile, 'a');
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfDir)}`] : [];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--import',
      'tsx',
      'server/cli.ts',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
    ],
    {
      // Another checkout (a git worktree of an older commit) measures that commit's server on the same data.
      cwd: options.serverRoot ? path.resolve(options.serverRoot) : repoRoot,
      // The load comes from one address playing thousands of schools, each behind its own address in the
      // field: the per-address report limit would cap it at 20 batches/s. The per-device limit stays on.
      // A caller that measures the limits themselves (bench/flood/flood.ts) passes its own settings in `env`.
      env: { ...process.env, LOG_LEVEL: 'info', SANTONG_REPORTS_PER_IP_PER_MINUTE: '0', ...options.env },
      stdio: ['ignore', log, log],
    },
  );
  fs.closeSync(log);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    running.delete(child);
  });
  const deadline = started + (options.timeoutMs ?? 300_000);
  for (;;) {
    if (gone) throw new Error(`the server exited before answering /healthz; see ${options.logFile}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the server did not answer /healthz within ${options.timeoutMs ?? 300_000} ms; see ${options.logFile}`,
      );
    }
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const startMs = performance.now() - started;
  return {
    url,
    pid: child.pid!,
    startMs,
    peakRss: () => readPeakRss(child.pid!),
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface SideApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a bench-side app (bench/harness/ceiling-app.ts, division-app.ts) and waits for its "listening PORT" line. */
export function startSideApp(script: string, args: string[] = []): Promise<SideApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (running.delete(child), resolve())));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`${script} did not start`))), 60_000);
    void exited.then(() => (clearTimeout(timer), reject(new Error(`${script} exited before listening`))));
    child.stdout!.on('data', (d) => {
      out += d;
      const port = /listening (\d+)/.exec(out)?.[1];
      if (!port) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid!,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
