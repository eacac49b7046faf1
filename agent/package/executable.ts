import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { executableVersionLine, type ExecutableTarget } from '../../shared/release-artifacts.ts';
import { EMBEDDED_BUNDLE_ASSET, executableLauncherSource } from '../update/executable-launcher.ts';
import { nodeRuntime, NODE_RUNTIME_VERSION, runtimeCacheDir } from './node-runtime.ts';

/** The fuse Node 20 looks for to know a blob was injected (Node's single-executable-applications docs). */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** The name of the injected resource: an ELF note, a PE resource. */
export const SEA_RESOURCE = 'NODE_SEA_BLOB';

/**
 * Builds a standalone executable of the agent for `target`: Node's own binary for that target
 * (agent/package/node-runtime.ts) with a single-executable-application blob injected by postject. The blob
 * holds the executable's launcher (agent/update/launcher.ts) as its main script and the agent bundle (the
 * signed dist/santong-agent.mjs, byte for byte) as an asset. No code cache and no snapshot: those are made by
 * the building node for its own platform, while this blob serves all three targets.
 *
 * The seam for the Windows installer: `buildExecutable({ target: 'win-x64', bundle, outfile })` gives the
 * santong-agent.exe it embeds (docs/decisions/170-agent-executables.md).
 */
export function buildExecutable(o: {
  target: ExecutableTarget;
  /** The agent bundle to embed (dist/santong-agent.mjs). */
  bundle: string;
  outfile: string;
  version: string;
  cacheDir?: string;
}): { bytes: number } {
  const cacheDir = o.cacheDir ?? runtimeCacheDir();
  const runtime = nodeRuntime(o.target, cacheDir);
  const work = fs.mkdtempSync(path.join(tmpdir(), 'santong-sea-'));
  try {
    const blob = seaBlob(o.bundle, work, o.version, o.target, cacheDir);
    const partial = `${o.outfile}.partial`;
    fs.copyFileSync(runtime, partial);
    fs.chmodSync(partial, 0o755);
    const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
    run(process.execPath, [postject, partial, SEA_RESOURCE, blob, '--sentinel-fuse', SEA_FUSE], `postject ${o.target}`);
    fs.renameSync(partial, o.outfile);
    return { bytes: fs.statSync(o.outfile).size };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The preparation blob: written by a node of the runtime's exact version (the blob's layout is that version's),
 * the host's own runtime from the cache when the host is one of the targets, else this node if it is that version.
 */
function seaBlob(bundle: string, work: string, version: string, target: ExecutableTarget, cacheDir: string): string {
  const main = path.join(work, 'main.cjs');
  fs.writeFileSync(main, `${executableVersionLine(version, target)}\n${executableLauncherSource()}`);
  const blob = path.join(work, 'sea.blob');
  const config = {
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    assets: { [EMBEDDED_BUNDLE_ASSET]: path.resolve(bundle) },
  };
  fs.writeFileSync(path.join(work, 'sea-config.json'), JSON.stringify(config));
  run(blobWriter(cacheDir), ['--experimental-sea-config', path.join(work, 'sea-config.json')], 'the SEA blob');
  return blob;
}

function blobWriter(cacheDir: string): string {
  const host = `${platform()}-${arch()}`;
  if (host === 'linux-x64' || host === 'linux-arm64') return nodeRuntime(host, cacheDir);
  if (process.version === `v${NODE_RUNTIME_VERSION}`) return process.execPath;
  throw new Error(
    `building the executables needs node ${NODE_RUNTIME_VERSION} (this is ${process.version} on ${host}): the blob is that version's`,
  );
}

function run(command: string, args: string[], what: string): void {
  const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  if (r.status !== 0)
    throw new Error(
      `${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${`${r.stdout}\n${r.stderr}`.trim().slice(-2000)}`,
    );
}
