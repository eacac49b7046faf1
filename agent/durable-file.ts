import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

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
