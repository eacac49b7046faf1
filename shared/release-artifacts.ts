import { gunzipSync } from 'node:zlib';

/*
 * The version each release artifact names in its own bytes, which `santong release sign` binds into the
 * signature (docs/decisions/060-offline-release-keys.md, 170-agent-executables.md): read from the file, never
 * from its name or a flag, so an old artifact cannot be signed, or replayed, as a newer version.
 */

/** The version a bundle names on its line 2 (`// santong-agent 1.2.3`, written by agent/build.ts), if any. */
export function bundleVersion(bundle: Buffer): string | null {
  return /^\/\/ santong-agent (\S+)$/m.exec(bundle.subarray(0, 1024).toString('utf8'))?.[1] ?? null;
}

/** The machines the standalone executables are built for (docs/decisions/170-agent-executables.md). */
export type ExecutableTarget = 'linux-x64' | 'linux-arm64' | 'win-x64';
/** The machines of the .debs, in Debian's words (linux-x64 is amd64, linux-arm64 arm64). */
export type DebArch = 'amd64' | 'arm64';

/** The file name of a target's executable, as dist/, the README, the .deb, the installer and the dashboard name it. */
export function executableName(target: ExecutableTarget): string {
  return `santong-agent-${target}${target.startsWith('win-') ? '.exe' : ''}`;
}

/** The file name of a .deb, as Debian names packages (name_version_arch.deb). */
export function debName(version: string, arch: DebArch): string {
  return `santong-agent_${version}_${arch}.deb`;
}

/** The Windows installer's file name (issue 16 item 2): `/S /SERVER=… /TOKEN=… /CLASSROOM=…` installs silently. */
export const WINDOWS_INSTALLER_NAME = 'santong-agent-setup-win-x64.exe';

/** The first line of an executable's main script (agent/package/executable.ts): its version and target. */
export function executableVersionLine(version: string, target: string): string {
  return `// santong-agent-executable ${version} ${target}`;
}

const VERSION = '\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?';
const EXECUTABLE_LINE = new RegExp(`// santong-agent-executable (${VERSION}) (linux-x64|linux-arm64|win-x64)\\n`, 'g');

/**
 * The Windows installer's marker (agent/package/windows-installer.ts): the Comments string of its version
 * resource, which Windows keeps uncompressed in UTF-16 while the payload (the executable) is compressed.
 */
export function installerVersionMarker(version: string, target: string): string {
  return `santong-agent-installer ${version} ${target}`;
}

const INSTALLER_MARKER = new RegExp(`^santong-agent-installer (${VERSION}) (win-x64)$`);

export type ArtifactKind = 'bundle' | 'executable' | 'deb' | 'installer';
export type ArtifactVersion = { kind: ArtifactKind; version: string; target?: string };

/**
 * What a release artifact is and the version it names: a bundle its line 2; an executable (ELF or PE) the
 * first line of the main script injected into it; the Windows installer (PE) the marker of its version
 * resource; a .deb the Version field of its control file (Package: santong-agent). In an executable or an
 * installer the line or marker must occur exactly once, and never both. Null when the bytes name no version,
 * or more than one.
 */
export function artifactVersion(bytes: Buffer): ArtifactVersion | null {
  const named = bundleVersion(bytes);
  if (named) return { kind: 'bundle', version: named };
  const head = bytes.subarray(0, 8).toString('latin1');
  if (head.startsWith('\x7fELF') || head.startsWith('MZ')) {
    const found = [
      ...[...bytes.toString('latin1').matchAll(EXECUTABLE_LINE)].map((m) => ({ kind: 'executable' as const, m })),
      ...installerMarkers(bytes).map((m) => ({ kind: 'installer' as const, m })),
    ];
    return found.length === 1 ? { kind: found[0]!.kind, version: found[0]!.m[1]!, target: found[0]!.m[2]! } : null;
  }
  if (head === '!<arch>\n') {
    const control = debControl(bytes);
    const field = (name: string) => new RegExp(`^${name}: (\\S+)$`, 'm').exec(control ?? '')?.[1];
    const version = field('Version');
    return field('Package') === 'santong-agent' && version
      ? { kind: 'deb', version, target: field('Architecture') }
      : null;
  }
  return null;
}

/** Every UTF-16LE string in `bytes` that begins with the installer's marker, matched whole (up to its NUL). */
function installerMarkers(bytes: Buffer): RegExpExecArray[] {
  const needle = Buffer.from('santong-agent-installer ', 'utf16le');
  const found: RegExpExecArray[] = [];
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + needle.length)) {
    let end = at;
    while (end + 1 < bytes.length && end - at < 200 && bytes.readUInt16LE(end) !== 0) end += 2;
    const match = INSTALLER_MARKER.exec(bytes.toString('utf16le', at, end));
    if (match) found.push(match);
  }
  return found;
}

/** The control file of a .deb (an ar archive whose control.tar.gz holds ./control), or null. */
function debControl(deb: Buffer): string | null {
  for (let at = 8; at + 60 <= deb.length;) {
    const name = deb
      .subarray(at, at + 16)
      .toString('latin1')
      .trim();
    const size = Number.parseInt(
      deb
        .subarray(at + 48, at + 58)
        .toString('latin1')
        .trim(),
      10,
    );
    const body = deb.subarray(at + 60, at + 60 + size);
    if (name === 'control.tar.gz' || name === 'control.tar.gz/') return tarFile(gunzipSync(body), 'control');
    at += 60 + size + (size % 2); // members are padded to an even offset
  }
  return null;
}

/** A file of a tar archive by its name (with or without a leading ./), as text. */
function tarFile(tar: Buffer, wanted: string): string | null {
  for (let at = 0; at + 512 <= tar.length;) {
    const name = tar
      .subarray(at, at + 100)
      .toString('latin1')
      .replace(/\0.*$/s, '');
    if (!name) return null;
    const size = Number.parseInt(
      tar
        .subarray(at + 124, at + 136)
        .toString('latin1')
        .replace(/\0.*$/s, '')
        .trim(),
      8,
    );
    if (name.replace(/^\.\//, '') === wanted) return tar.subarray(at + 512, at + 512 + size).toString('utf8');
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return null;
}
