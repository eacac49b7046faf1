import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DebArch } from '../../shared/release-artifacts.ts';
import {
  agentFolderCommands,
  agentUserCommand,
  EXECUTABLE_FILE,
  executableBundleDir,
  LINUX_INSTALL_DIR,
  settingsCommands,
  systemdUnit,
  type ServicePaths,
} from '../service.ts';

/*
 * The agent as a Debian package, for Debian, 统信 UOS and 银河麒麟 on amd64 and arm64: the standalone executable
 * in /opt/santong-agent, the systemd unit of agent/service.ts (one home for its text), a system user, and
 * maintainer scripts that enroll when SANTONG_SERVER and SANTONG_TOKEN are in the environment
 * (docs/decisions/171-agent-deb.md).
 */

/** What the package installs, as the service of install-service would be laid out. */
export const DEB_SERVICE: ServicePaths = {
  node: `${LINUX_INSTALL_DIR}/${EXECUTABLE_FILE}`,
  script: `${LINUX_INSTALL_DIR}/${EXECUTABLE_FILE}`,
  executable: `${LINUX_INSTALL_DIR}/${EXECUTABLE_FILE}`,
  configPath: '/etc/santong-agent/config.json',
  stateDir: '/var/lib/santong-agent',
  user: 'santong-agent',
};

/** Packages own their units under /lib (an administrator's install-service writes /etc/systemd/system, which wins). */
export const DEB_UNIT_PATH = '/lib/systemd/system/santong-agent.service';

/**
 * Builds the .deb of `executable` (the linux-x64 one for amd64, linux-arm64 for arm64) with dpkg-deb.
 * `fast`: xz level 1 instead of dpkg-deb's 6 (12 s instead of ~2 min here, 24.8 MiB instead of 22.8), for tests;
 * a release takes the smaller file, since its bytes cross every school's link.
 */
export function buildDeb(o: { executable: string; arch: DebArch; version: string; outfile: string; fast?: boolean }): {
  bytes: number;
} {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'santong-deb-'));
  fs.chmodSync(root, 0o755); // the archive's ./ is the PC's /
  try {
    const file = (relative: string, text: string | Buffer, mode = 0o644) => {
      const target = path.join(root, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      fs.writeFileSync(target, text, { mode });
      fs.chmodSync(target, mode);
    };
    file(DEB_SERVICE.executable!.slice(1), fs.readFileSync(o.executable), 0o755);
    fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    fs.symlinkSync(DEB_SERVICE.executable!, path.join(root, 'usr/bin/santong-agent'));
    file(DEB_UNIT_PATH.slice(1), systemdUnit(DEB_SERVICE));
    const installedKiB = Math.ceil(fs.statSync(o.executable).size / 1024) + 8;
    file('DEBIAN/control', debControl(o.version, o.arch, installedKiB));
    file('DEBIAN/postinst', postinst(), 0o755);
    file('DEBIAN/prerm', prerm(), 0o755);
    file('DEBIAN/postrm', postrm(), 0o755);
    // xz for the payload (the executable packs from ~95 MiB to ~30 MiB), gzip for control.tar, which
    // `santong release sign` reads the version from (shared/release-artifacts.ts) without an xz decoder.
    const r = spawnSync(
      'dpkg-deb',
      [
        '--root-owner-group',
        '--no-uniform-compression',
        '-Zxz',
        ...(o.fast ? ['-z1'] : []),
        '--build',
        root,
        o.outfile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 },
    );
    if (r.status !== 0)
      throw new Error(`dpkg-deb --build failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
    return { bytes: fs.statSync(o.outfile).size };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function debControl(version: string, arch: DebArch, installedKiB: number): string {
  return `Package: santong-agent
Version: ${version}
Architecture: ${arch}
Maintainer: santong <santong@localhost>
Installed-Size: ${installedKiB}
Depends: libc6 (>= 2.28), libstdc++6
Section: net
Priority: optional
Description: santong agent: measured evidence of school connectivity (三通两平台)
 Reports a school PC's internet link and its classroom display to the county's santong server every hour.
 Carries its own Node.js runtime. Set SANTONG_SERVER and SANTONG_TOKEN (and SANTONG_CLASSROOM) when
 installing to enroll the PC and start the service at once.
`;
}

/** A command line as sh reads it. */
export function shellLine(command: readonly string[]): string {
  return command.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}

const lines = (commands: readonly (readonly string[])[], indent: string) =>
  commands.map((c) => `${indent}${shellLine(c)}`).join('\n');

/**
 * configure: the user, enrollment from the environment (once; a failure is said and the package stays
 * installed), the folders and the settings file handed to the user as install-service hands them, then the unit.
 */
function postinst(): string {
  const p = DEB_SERVICE;
  return `#!/bin/sh
# santong-agent postinst, written by agent/package/deb.ts from agent/service.ts (docs/decisions/171-agent-deb.md).
set -e
CONFIG=${p.configPath}
AGENT=${p.executable}
[ "$1" = configure ] || exit 0

if ! id -u ${p.user} >/dev/null 2>&1; then
${lines([agentUserCommand(p)], '  ')}
fi

if [ ! -e "$CONFIG" ] && [ -n "\${SANTONG_SERVER:-}" ] && [ -n "\${SANTONG_TOKEN:-}" ]; then
  set -- enroll --server "$SANTONG_SERVER" --token "$SANTONG_TOKEN" --config "$CONFIG"
  if [ -n "\${SANTONG_CLASSROOM:-}" ]; then set -- "$@" --classroom "$SANTONG_CLASSROOM"; fi
  if ! "$AGENT" "$@"; then
    echo "santong-agent: 注册失败（见上），软件包已安装但未启动；稍后运行: sudo santong-agent enroll --server 网址 --token 注册码 && sudo systemctl enable --now santong-agent" >&2
    echo "santong-agent: enrollment failed (above); the package is installed but not started. Later: sudo santong-agent enroll --server URL --token TOKEN && sudo systemctl enable --now santong-agent" >&2
  fi
fi

${lines(agentFolderCommands(p), '')}
if [ -e "$CONFIG" ]; then
${lines(settingsCommands(p), '  ')}
fi

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ -e "$CONFIG" ]; then
    systemctl enable santong-agent.service
    systemctl restart santong-agent.service
  fi
fi
if [ ! -e "$CONFIG" ]; then
  echo "santong-agent: 尚未注册。注册并启动: sudo santong-agent enroll --server 网址 --token 注册码 && sudo systemctl enable --now santong-agent"
  echo "santong-agent: not enrolled yet. To enroll and start: sudo santong-agent enroll --server URL --token TOKEN && sudo systemctl enable --now santong-agent"
fi
`;
}

/**
 * remove: stop the service and delete the bundle folder the agent unpacked and updated (code, not state; dpkg
 * can then remove /opt/santong-agent). An upgrade keeps both: postinst restarts into the new executable.
 */
function prerm(): string {
  return `#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = deconfigure ]; then
  if [ -d /run/systemd/system ]; then systemctl disable --now santong-agent.service || true; fi
  rm -rf ${executableBundleDir(DEB_SERVICE.executable!)}
fi
`;
}

/** purge: the settings (device key), the state (outbox, schedule) and the user go too; remove keeps them. */
function postrm(): string {
  const p = DEB_SERVICE;
  return `#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf ${path.posix.dirname(p.configPath)} ${p.stateDir}
  if id -u ${p.user} >/dev/null 2>&1; then userdel ${p.user} || true; fi
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
`;
}
