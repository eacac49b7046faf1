import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/*
 * A Debian root made by the test, for dpkg --root: the machine's /usr under an overlay (so packages may add
 * files there without touching the machine), its own /etc with the machine's users, an empty dpkg database
 * that knows only the libraries the package depends on, and /dev and /proc. dpkg runs maintainer scripts
 * chrooted into it. Every command runs in a mount namespace of its own, so nothing stays mounted when it ends.
 * systemd does not run in it: /run/systemd/system is absent, as on a machine without systemd.
 * Used by test/agent/deb.test.ts and by `npm run bench:agent -- --executable`.
 */

export type DebRoot = {
  root: string;
  /** Where a file of the root (`etc/passwd`, `lib/systemd/…`) lies as seen from outside its commands. */
  file(path: string): string;
  run(command: string[], env?: NodeJS.ProcessEnv): ChildProcess;
};

/** Why a root cannot be made here (not root, or no mount namespaces), or null when it can. */
export function debRootUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'dpkg --root and chroot need root; run the test as root (CI does)';
  if (!fs.existsSync('/usr/bin/dpkg')) return 'no dpkg on this machine';
  if (spawnSync('unshare', ['-m', 'true']).status !== 0) return 'unshare -m (a mount namespace) is not allowed here';
  return null;
}

export function makeDebRoot(dir: string): DebRoot {
  const root = path.join(dir, 'root');
  for (const d of ['etc', 'usr', 'dev', 'proc', 'run', 'opt', 'var/log', 'var/lib/dpkg/info', 'var/lib/dpkg/updates'])
    fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.mkdirSync(path.join(root, 'tmp'), { mode: 0o1777 });
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  for (const d of ['overlay-upper', 'overlay-work']) fs.mkdirSync(path.join(dir, d));
  for (const link of ['bin', 'sbin', 'lib', 'lib64']) fs.symlinkSync(`usr/${link}`, path.join(root, link));
  for (const file of ['passwd', 'group', 'shadow', 'gshadow', 'login.defs', 'nsswitch.conf', 'ld.so.cache'])
    if (fs.existsSync(`/etc/${file}`)) fs.copyFileSync(`/etc/${file}`, path.join(root, 'etc', file));
  fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), installedStanzas(['libc6', 'libstdc++6']));
  const mounts = [
    `mount -t overlay overlay -o lowerdir=/usr,upperdir=${dir}/overlay-upper,workdir=${dir}/overlay-work ${root}/usr`,
    `mount --bind /dev ${root}/dev`,
    `mount -t proc proc ${root}/proc`,
  ].join(' && ');
  return {
    root,
    // /usr is mounted only inside the root's commands: outside, what they added there is in the overlay's upper dir.
    file: (file) => {
      const usr = /^(?:usr\/)?((?:bin|sbin|lib|lib64)\/.*)$/.exec(file);
      return usr ? path.join(dir, 'overlay-upper', usr[1]!) : path.join(root, file);
    },
    run: (command, env = process.env) =>
      spawn('unshare', ['-m', 'sh', '-c', `${mounts} && exec "$@"`, 'sh', ...command], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
  };
}

/** The machine's dpkg status entries of these packages (its own architecture), as the root's database. */
function installedStanzas(packages: string[]): string {
  const arch = spawnSync('dpkg', ['--print-architecture']).stdout.toString().trim();
  return fs
    .readFileSync('/var/lib/dpkg/status', 'utf8')
    .split(/\n\n+/)
    .filter((stanza) => {
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1];
      return (
        packages.includes(field('Package') ?? '') &&
        field('Architecture') === arch &&
        field('Status') === 'install ok installed'
      );
    })
    .map((stanza) => `${stanza.trim()}\n\n`)
    .join('');
}
