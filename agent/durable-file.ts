import { open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes a file so that after a power cut it holds either the old content or the new, never half:
 * temp file → fsync → rename → fsync of the directory (the rename is only durable once the
 * directory entry is on disk). Classroom PCs are switched off at the wall, so this is the common case.
 */
export async function writeFileDurable(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = `${dirname(path)}/.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const file = await open(temp, 'w', mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Deletes the temp files of writes that never finished (the writer was killed, or the PC switched off at
 * the wall): nothing else would ever remove them. A temp file whose writer is still running is a write in
 * progress (the service while an admin runs `once` or `status`) and is left alone.
 */
export async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith('.tmp-')) continue;
    const writer = Number(/^\.tmp-(\d+)-/.exec(name)?.[1]);
    if (!(writer && isRunning(writer))) await rm(join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // running, as another user
  }
}

/** Flushes a directory's entries (renames, unlinks) to disk; Windows cannot open a directory, and NTFS journals it. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True when the error is "no such file", which concurrent or repeated cleanup makes harmless. */
export function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
