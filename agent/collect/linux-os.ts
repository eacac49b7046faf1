import { readdir, readFile } from 'node:fs/promises';

/*
 * The Linux distribution and release as systeminformation's osInfo() names them, read from the same
 * files without its shell (`cat /etc/*-release; cat /usr/lib/os-release; cat /etc/openwrt_release`)
 * and without loading systeminformation into the service at all.
 */

export type LinuxRelease = { distro: string; release: string };

/** The release files in the order osInfo()'s shell reads them; a missing one is skipped, as cat skips it. */
export async function readLinuxRelease(etc = '/etc', usrLib = '/usr/lib'): Promise<LinuxRelease> {
  const names = await readdir(etc).then(
    (all) => all.filter((n) => n.endsWith('-release')).sort(),
    () => [],
  );
  const files = [...names.map((n) => `${etc}/${n}`), `${usrLib}/os-release`, `${etc}/openwrt_release`];
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
  return parseReleaseFiles(texts.join('\n'));
}

/**
 * systeminformation's rules, kept exactly so a PC reports what it reported before: the last KEY=value
 * wins; distro is DISTRIB_ID or NAME; release is VERSION, or PRETTY_NAME without the distro when it
 * starts with it, cut before any "(codename)", else DISTRIB_RELEASE or VERSION_ID; "unknown" when absent.
 */
export function parseReleaseFiles(text: string): LinuxRelease {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.includes('=')) continue;
    const [key, value] = line.split('=') as [string, string]; // a value holding "=" is cut there, as before
    values[key.trim().toUpperCase()] = value.trim();
  }
  const unquote = (s: string | undefined) => (s ?? '').replace(/"/g, '');
  const distro = unquote(values.DISTRIB_ID || values.NAME || 'unknown');
  let version = unquote(values.VERSION);
  const pretty = unquote(values.PRETTY_NAME);
  if (pretty.indexOf(`${distro} `) === 0) version = pretty.replace(`${distro} `, '').trim();
  if (version.includes('(')) version = version.split('(')[0]!.trim();
  return { distro, release: unquote(version || values.DISTRIB_RELEASE || values.VERSION_ID || 'unknown') };
}
