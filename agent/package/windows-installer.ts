import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_VERSION } from '../version.ts';
import { installerLayout } from './windows-installer-layout.ts';
import { installerScript } from './windows-installer-script.ts';

/*
 * The Windows installer (issue 16 item 2, docs/decisions/182-windows-installer.md): the NSIS script of
 * windows-installer-script.ts, compiled by Debian's makensis around the win-x64 executable of decision 170.
 */

/** The installer in dist/, under the name the county's enrollment page links to. */
export const WINDOWS_INSTALLER_FILE = 'santong-agent-setup-win-x64.exe';

/**
 * Builds the installer with makensis around `executable` (dist/santong-agent-win-x64.exe). `fast`: zlib
 * instead of solid LZMA (a few seconds instead of about a minute here, a larger file), for tests; a release
 * takes the smaller file, since it crosses every school's link.
 */
export function buildWindowsInstaller(o: { executable: string; outfile: string; version: string; fast?: boolean }): {
  bytes: number;
} {
  const work = fs.mkdtempSync(path.join(tmpdir(), 'santong-nsis-'));
  try {
    const partial = path.resolve(`${o.outfile}.partial`);
    const script = path.join(work, 'santong-agent-setup.nsi');
    const text = installerScript({
      layout: installerLayout(),
      executable: path.resolve(o.executable),
      executableKiB: Math.ceil(fs.statSync(o.executable).size / 1024),
      outfile: partial,
      version: o.version,
      fast: o.fast ?? false,
    });
    fs.writeFileSync(script, `\ufeff${text}`); // makensis reads a script with a BOM as UTF-8
    // -WX: a warning (an unused variable, a string cut short) fails the build.
    const r = spawnSync('makensis', ['-V2', '-WX', '-INPUTCHARSET', 'UTF8', script], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
      throw new Error("makensis not found: apt-get install nsis (Debian's NSIS builds the Windows installer)");
    if (r.status !== 0)
      throw new Error(
        `makensis failed (${r.error?.message ?? `exit ${r.status}`}): ${`${r.stdout}\n${r.stderr}`.trim().slice(-3000)}`,
      );
    fs.renameSync(partial, o.outfile);
    return { bytes: fs.statSync(o.outfile).size };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// `node --import tsx agent/package/windows-installer.ts` prints the script for review, as the build compiles it.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.stdout.write(
    installerScript({
      layout: installerLayout(),
      executable: path.resolve('dist/santong-agent-win-x64.exe'),
      executableKiB: 0,
      outfile: path.resolve(`dist/${WINDOWS_INSTALLER_FILE}`),
      version: AGENT_VERSION,
      fast: false,
    }),
  );
}
