import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Environment for agent children: no proxy settings and no language from the machine, so a test decides them
 * (without one the agent speaks Chinese, its default).
 */
export function agentEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) delete env[k];
  for (const k of ['SANTONG_LANG', 'LC_ALL', 'LC_MESSAGES', 'LANG']) delete env[k];
  return { ...env, ...extra };
}

/**
 * `enroll` into the test roster's first school on `server`, probing the server itself (loopback only), settings at
 * `configPath`; `serverUrl` when the agent should reach the server by another address.
 */
export async function enrollArgs(
  server: { url: string; enrollmentToken(schoolCode: string): Promise<string> },
  configPath: string,
  serverUrl = server.url,
): Promise<string[]> {
  return [
    'enroll',
    '--server',
    serverUrl,
    '--token',
    await server.enrollmentToken('6229210001'),
    '--target',
    `${server.url}/healthz`,
    '--config',
    configPath,
  ];
}

export type AgentRun = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * `nodeFlags`: node's own options before the script, e.g. the service's (AGENT_NODE_FLAGS). `executable`: a
 * standalone executable (agent/package/executable.ts) started instead of this node, with the arguments alone.
 */
export type AgentSpawnOptions = {
  bundle?: string;
  executable?: string;
  env?: NodeJS.ProcessEnv;
  nodeFlags?: readonly string[];
};

/** Starts the agent CLI from source (or the bundle, or an executable) as a real child process. */
export function spawnAgent(args: string[], o: AgentSpawnOptions = {}): ChildProcess & { output: () => AgentRun } {
  const argv = o.executable
    ? args
    : [...(o.nodeFlags ?? []), ...(o.bundle ? [o.bundle, ...args] : ['--import', 'tsx', 'agent/cli.ts', ...args])];
  const child = spawn(o.executable ?? process.execPath, argv, {
    cwd: root,
    env: o.env ?? agentEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return Object.assign(child, { output: () => ({ code: child.exitCode, signal: child.signalCode, stdout, stderr }) });
}

/** Runs the agent CLI to completion. */
export async function runAgent(args: string[], o: AgentSpawnOptions = {}): Promise<AgentRun> {
  const child = spawnAgent(args, o);
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  return child.output();
}

/** Waits for a child to exit. */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}
