import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { releaseSignatureSchema, type ReleaseSignature } from '../../shared/schemas/release.ts';
import { isMissingFile, syncDirectory, writeFileDurable } from '../durable-file.ts';
import { EXECUTABLE_MARK, PREFLIGHT_ENV } from './executable-launcher.ts';

/** Files beside the bundle that the swap and the launcher share (docs/decisions/014-self-update.md). */
export const bundleFiles = (bundle: string) => ({
  // Ends in .mjs: node decides ESM by extension, and the trial run of the new file must load as the bundle will.
  incoming: `${bundle}.new.mjs`,
  previous: `${bundle}.previous`,
  trial: `${bundle}.trial.json`,
  rollback: `${bundle}.rollback.json`,
  // The release signatures of the bundle and of .previous, which the launcher checks before it runs either.
  signatures: `${bundle}.sig`,
  // The key statements this PC has seen (agent/update/trust.ts).
  keys: `${bundle}.keys.json`,
});

export type Trial = { version: string; previousVersion: string; installedAt: string; starts: number };

/**
 * The bundle file this process runs from, or null when it runs from the TypeScript sources (a
 * developer's checkout, the tests), which must never be overwritten by a downloaded bundle.
 */
export function runningBundle(moduleUrl: string = import.meta.url): string | null {
  if (!moduleUrl.startsWith('file:') || /\.[cm]?ts$/.test(moduleUrl)) return null;
  return fileURLToPath(moduleUrl);
}

/** What an executable's launcher tells the bundle it runs (agent/update/launcher.ts); absent under node. */
export type ExecutableHost = { executable: string; embeddedVersion: string };

/** The standalone executable this agent runs in, or null when it runs under an installed node. */
export function runningExecutable(): ExecutableHost | null {
  return ((globalThis as Record<symbol, unknown>)[Symbol.for(EXECUTABLE_MARK)] as ExecutableHost | undefined) ?? null;
}

/**
 * Runs `node FILE --version` before anything is swapped: a bundle that does not even parse on this
 * PC's node (too old, truncated) is refused without a restart. In an executable, the executable runs the
 * file in its place (its launcher's preflight). Returns why it failed, or null.
 */
export function preflight(file: string, version: string, node = process.execPath): Promise<string | null> {
  const inExecutable = runningExecutable() !== null;
  return new Promise((resolve) => {
    execFile(
      node,
      inExecutable ? ['--version'] : [file, '--version'],
      {
        timeout: 30_000,
        env: { ...process.env, SANTONG_AGENT_QUIET: '1', ...(inExecutable ? { [PREFLIGHT_ENV]: file } : {}) },
      },
      (error, stdout, stderr) => {
        if (error)
          resolve(
            `does not start with node ${process.version}: ${(stderr || error.message).trim().split('\n')[0]?.slice(0, 200)}`,
          );
        else if (stdout.trim() !== version)
          resolve(`says it is version "${stdout.trim().slice(0, 64)}", not ${version}`);
        else resolve(null);
      },
    );
  });
}

/**
 * Replaces the bundle with verified bytes so that a power cut leaves either the old file or the new:
 * the new file is written and fsynced beside it, checked by `preflight`, the current one is kept as
 * `.previous`, the signatures of both are written (so the launcher can check whichever is in place at
 * any moment), the trial marker for the launcher is written, and a rename swaps them.
 * Returns why the new bundle was refused, or null once it is in place.
 */
export async function swapBundle(
  bundle: string,
  bytes: Buffer,
  o: { signature: ReleaseSignature; previousVersion: string; now: number },
): Promise<string | null> {
  const f = bundleFiles(bundle);
  const version = o.signature.version;
  const mode = (await stat(bundle)).mode & 0o777;
  await writeFileDurable(f.incoming, bytes, mode);
  const problem = await preflight(f.incoming, version);
  if (problem) {
    await rm(f.incoming, { force: true });
    return problem;
  }
  const current = await readFile(bundle);
  await writeFileDurable(f.previous, current, mode);
  const currentSha256 = createHash('sha256').update(current).digest('hex');
  const keep = (await readSignatures(bundle)).filter((s) => s.sha256 === currentSha256);
  await writeFileDurable(f.signatures, `${JSON.stringify([o.signature, ...keep])}\n`, 0o644);
  const trial: Trial = {
    version,
    previousVersion: o.previousVersion,
    installedAt: new Date(o.now).toISOString(),
    starts: 0,
  };
  await writeFileDurable(f.trial, JSON.stringify(trial));
  await rename(f.incoming, bundle);
  await syncDirectory(dirname(bundle));
  return null;
}

/**
 * Keeps the signature of the bundle in place beside it when the server announces that very bundle and
 * `<bundle>.sig` lacks it (an install updated by an agent from before the launcher checked signatures):
 * the launcher and a later `install-service` then find it. Bytes that are not the announced ones are left alone.
 */
export async function keepSignature(bundle: string, signature: ReleaseSignature): Promise<void> {
  const records = await readSignatures(bundle);
  if (records.some((r) => r.sha256 === signature.sha256)) return;
  if (
    createHash('sha256')
      .update(await readFile(bundle))
      .digest('hex') !== signature.sha256
  )
    return;
  await writeFileDurable(bundleFiles(bundle).signatures, `${JSON.stringify([signature, ...records])}\n`, 0o644);
}

/** The signature records beside the bundle: one record as `santong release sign` writes it, or the list a swap writes. */
export async function readSignatures(bundle: string): Promise<ReleaseSignature[]> {
  const file = await readBeside<unknown>(bundleFiles(bundle).signatures);
  return (Array.isArray(file) ? file : file === undefined ? [] : [file]).flatMap((r) => {
    const record = releaseSignatureSchema.safeParse(r);
    return record.success ? [record.data] : [];
  });
}

/** Reads a JSON file beside the bundle; undefined when absent or torn. */
export async function readBeside<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if (isMissingFile(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Marks a trial start of `version` as good, so the launcher will not put the previous bundle back.
 * A marker for another version is left alone: it belongs to an update this process just installed.
 */
export async function confirmStart(bundle: string, version: string): Promise<boolean> {
  const trial = await readBeside<Trial>(bundleFiles(bundle).trial);
  if (trial?.version !== version) return false;
  await rm(bundleFiles(bundle).trial, { force: true });
  await syncDirectory(dirname(bundle));
  return true;
}
