/**
 * Service definitions for the agent. Pure text generation, so the unit file and the Windows task are
 * tested as text; cli.ts writes them and runs the system tools.
 */
import { EXECUTABLE_BUNDLE_DIR } from './update/executable-launcher.ts';
import { LAUNCHER_FILE } from './update/launcher.ts';

export type ServicePaths = {
  node: string;
  script: string;
  configPath: string;
  stateDir: string;
  user: string;
  /** The self-update launcher beside the bundle (agent/update/launcher.ts); absent when run from sources. */
  launcher?: string | undefined;
  /**
   * A standalone executable (agent/package/executable.ts) that the service runs instead of node, script and
   * launcher: it carries all three. Its bundle folder beside it (EXECUTABLE_BUNDLE_DIR) is the agent user's.
   */
  executable?: string | undefined;
};

/**
 * Node settings the service starts the agent with (docs/decisions/016-agent-footprint.md). A young
 * generation of 1 MiB semi-spaces instead of V8's 16 MiB and heap sizing for memory rather than speed:
 * the agent's live heap is ~8 MiB, and V8's defaults otherwise keep far more committed for it.
 * `--jitless`: the agent's JavaScript runs a few milliseconds an hour, so V8's compilers are ~8 MiB of
 * code pages and compiled code for nothing (CPU per cycle unchanged within noise); it turns
 * WebAssembly off, which nothing in the agent uses, and `--no-expose-wasm` first keeps node 20 from
 * printing a warning about that at every start.
 */
export const AGENT_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--optimize-for-size',
  '--no-expose-wasm',
  '--jitless',
] as const;

/**
 * The same settings for a standalone executable, which reads no node flags from its command line (they are
 * the agent's) but does read NODE_OPTIONS. NODE_OPTIONS refuses `--optimize-for-size` and `--no-expose-wasm`,
 * so an executable runs without them: V8 then notes once per start that --jitless turned WebAssembly off
 * (docs/decisions/170-agent-executables.md has the memory this costs).
 */
export const EXECUTABLE_NODE_OPTIONS = AGENT_NODE_FLAGS.filter(
  (flag) => flag !== '--optimize-for-size' && flag !== '--no-expose-wasm',
).join(' ');

/** glibc gives each thread that calls malloc an arena of its own (8 × cores); two is plenty for one event loop and libuv's pool. */
export const AGENT_ENVIRONMENT = { MALLOC_ARENA_MAX: '2' } as const;

export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/santong-agent.service';

/**
 * Where install-service puts the bundle on Linux: a folder of its own, outside what the unit's sandbox hides,
 * readable by the service's user (docs/decisions/143-agent-installed-into-opt.md).
 */
export const LINUX_INSTALL_DIR = '/opt/santong-agent';
export const BUNDLE_FILE = 'santong-agent.mjs';
/** The standalone executable's name once installed (/opt/santong-agent/santong-agent), whatever its download was called. */
export const EXECUTABLE_FILE = 'santong-agent';

/** The folder beside an executable where it keeps the bundle it runs, which self-update swaps (agent/update/launcher.ts). */
export function executableBundleDir(executable: string): string {
  return `${dirnameOf(executable)}/${EXECUTABLE_BUNDLE_DIR}`;
}

/**
 * Folders the unit's sandbox hides from the agent: ProtectHome=yes makes /home, /root and /run/user
 * inaccessible, and PrivateTmp=yes gives the service an empty /tmp and /var/tmp of its own.
 */
export const HIDDEN_FROM_SERVICE = ['/home', '/root', '/run/user', '/tmp', '/var/tmp'] as const;

/** The hidden folder `path` lies in, or null when the service can see it. */
export function hiddenFromService(path: string): string | null {
  return HIDDEN_FROM_SERVICE.find((dir) => path === dir || path.startsWith(`${dir}/`)) ?? null;
}

/** Why a unit could not start from these paths; each names the path, the folder that hides it, and the fix. */
export type InstallProblem =
  { kind: 'sources'; script: string } | { kind: 'node' | 'config' | 'state'; path: string; hiddenIn: string };

export type LinuxInstall = {
  /** What the unit runs: the installed copy of the bundle. */
  paths: ServicePaths;
  /** Root's commands that put the bundle (and its signature and key statements) in place; empty when it runs from there already. */
  copyCommands: string[][];
  problems: InstallProblem[];
};

/**
 * The Linux install: the bundle copied into LINUX_INSTALL_DIR (where it may live anywhere before, a download
 * folder under /root or /home, or /tmp) and the unit pointed at that copy. What cannot be copied (node itself,
 * the settings file with the device key, the state directory) is a problem the caller refuses with.
 */
export function linuxInstall(input: {
  /** The bundle file this process runs from, or null when it runs from the TypeScript sources. */
  bundle: string | null;
  /** The standalone executable this process runs in, if any: it is installed instead of the bundle. */
  executable?: string | null;
  script: string;
  node: string;
  configPath: string;
  stateDir: string;
  user: string;
  /** Files beside the bundle to carry along (its .sig and .keys.json), those that exist. */
  beside: string[];
  selfUpdate: boolean;
}): LinuxInstall {
  const problems: InstallProblem[] = [];
  const executable = input.executable ?? null;
  if (input.bundle === null && executable === null) problems.push({ kind: 'sources', script: input.script });
  for (const [kind, path] of [
    ...(executable ? [] : ([['node', input.node]] as const)),
    ['config', input.configPath],
    ['state', input.stateDir],
  ] as const) {
    const hiddenIn = hiddenFromService(path);
    // A state directory beside a hidden settings file moves with it: one problem, one fix.
    if (hiddenIn && !(kind === 'state' && problems.some((p) => p.kind === 'config')))
      problems.push({ kind, path, hiddenIn });
  }
  if (executable) {
    const installed = `${LINUX_INSTALL_DIR}/${EXECUTABLE_FILE}`;
    return {
      paths: {
        node: installed,
        script: installed,
        executable: installed,
        configPath: input.configPath,
        stateDir: input.stateDir,
        user: input.user,
      },
      copyCommands:
        executable === installed
          ? []
          : [
              ['install', '-d', '-m', '0755', LINUX_INSTALL_DIR],
              ['install', '-m', '0755', executable, installed],
            ],
      problems,
    };
  }
  const script = `${LINUX_INSTALL_DIR}/${BUNDLE_FILE}`;
  const from = input.bundle;
  const copyCommands =
    from === null || from === script
      ? []
      : [
          ['install', '-d', '-m', '0755', LINUX_INSTALL_DIR],
          ...[from, ...input.beside].map((file) => [
            'install',
            '-m',
            '0644',
            file,
            `${LINUX_INSTALL_DIR}/${BUNDLE_FILE}${file.slice(from.length)}`,
          ]),
        ];
  const paths: ServicePaths = {
    node: input.node,
    script,
    configPath: input.configPath,
    stateDir: input.stateDir,
    user: input.user,
    launcher: input.selfUpdate ? `${LINUX_INSTALL_DIR}/${LAUNCHER_FILE}` : undefined,
  };
  return { paths, copyCommands, problems };
}

/** A Windows folder a signed-in user's account controls (their profile): whoever owns the parent can swap the folder. */
export function underUserProfile(windowsPath: string): boolean {
  return /^[a-z]:\\users\\/i.test(windowsPath);
}

/**
 * A systemd unit: a dedicated unprivileged user, restart on failure (not on a clean stop), and a
 * read-only system apart from the state directory and, for self-update, the bundle's own directory.
 * The device key stays readable by that user only. Exit 75 (updated itself) is always restarted.
 */
export function systemdUnit(p: ServicePaths): string {
  const start = p.executable
    ? quote(p.executable)
    : `${quote(p.node)} ${AGENT_NODE_FLAGS.join(' ')} ${p.launcher ? `${quote(p.launcher)} ${quote(p.script)}` : quote(p.script)}`;
  const writable = `${p.stateDir}${updatableDir(p) ? ` ${updatableDir(p)}` : ''}`;
  const environment = Object.entries({
    ...AGENT_ENVIRONMENT,
    ...(p.executable ? { NODE_OPTIONS: EXECUTABLE_NODE_OPTIONS } : {}),
  })
    .map(([k, v]) => (/\s/.test(v) ? `Environment="${k}=${v}"` : `Environment=${k}=${v}`))
    .join('\n');
  return `[Unit]
Description=santong agent: measured evidence of school connectivity (三通两平台)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${p.user}
Group=${p.user}
ExecStart=${start} run --config ${quote(p.configPath)}
${environment}
Restart=on-failure
RestartForceExitStatus=75
# 78: the launcher found no bundle signed by a trusted release key; restarting would not change that.
RestartPreventExitStatus=78
RestartSec=30s
# SIGTERM lets the agent finish writing the outbox; nothing acknowledged is ever lost by a stop.
KillSignal=SIGTERM
TimeoutStopSec=150s
StateDirectory=santong-agent
StateDirectoryMode=0700
ReadWritePaths=${writable}
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes

[Install]
WantedBy=multi-user.target
`;
}

/** The folder the agent's user may write for self-update: the bundle's (with the launcher), an executable's bundle folder. */
function updatableDir(p: ServicePaths): string | null {
  if (p.executable) return executableBundleDir(p.executable);
  return p.launcher ? dirnameOf(p.script) : null;
}

/** The agent's own system user, which the service runs as (also what the .deb's postinst runs). */
export function agentUserCommand(p: Pick<ServicePaths, 'stateDir' | 'user'>): string[] {
  return ['useradd', '--system', '--no-create-home', '--home-dir', p.stateDir, '--shell', '/usr/sbin/nologin', p.user];
}

/** The state directory and the folder self-update writes, made and handed to the agent's user. */
export function agentFolderCommands(p: ServicePaths): string[][] {
  const updatable = updatableDir(p);
  return [
    ['mkdir', '-p', p.stateDir],
    ['chown', '-R', `${p.user}:${p.user}`, p.stateDir],
    // Self-update swaps the bundle in its directory, so the agent's user owns that directory (only): an
    // executable's own folder stays root's, so the agent's user cannot change the launcher that checks it.
    ...(updatable
      ? [
          ['mkdir', '-p', updatable],
          ['chown', '-R', `${p.user}:${p.user}`, updatable],
        ]
      : []),
  ];
}

/** The settings directory lets the agent's group in; the settings file (device key) is the agent user's alone. */
export function settingsCommands(p: Pick<ServicePaths, 'configPath' | 'user'>): string[][] {
  return [
    ['chown', `root:${p.user}`, dirnameOf(p.configPath)],
    ['chmod', '0750', dirnameOf(p.configPath)],
    ['chown', `${p.user}:${p.user}`, p.configPath],
    ['chmod', '0600', p.configPath],
  ];
}

/** Shell commands (as root) that create the user, hand it the settings and state, and start the unit. */
export function systemdInstallCommands(p: ServicePaths): string[][] {
  return [
    agentUserCommand(p),
    ...agentFolderCommands(p),
    ...settingsCommands(p),
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'santong-agent.service'],
  ];
}

export function systemdUninstallCommands(): string[][] {
  return [
    ['systemctl', 'disable', '--now', 'santong-agent.service'],
    ['rm', '-f', SYSTEMD_UNIT_PATH],
    ['systemctl', 'daemon-reload'],
  ];
}

export const WINDOWS_TASK_NAME = 'santong-agent';

/**
 * A Windows scheduled task, not an sc.exe service: node.exe does not answer the service control
 * manager, which kills it after 30 s. The task starts at boot as SYSTEM, restarts on failure every
 * minute, and runs on battery (laptops on a cart) with no time limit. Task Scheduler does not count
 * a non-zero exit code as a failure, so a daily trigger repeating every 5 minutes starts the agent
 * again after it exits to update itself (IgnoreNew: never a second copy while one runs).
 */
export function windowsTaskXml(p: Omit<ServicePaths, 'user' | 'stateDir'>): string {
  // MALLOC_ARENA_MAX is glibc's; Windows' heap has no such setting, so only the V8 flags apply there.
  // An executable reads no node flags from its command line and a task's action sets no environment, so an
  // executable's task runs without them (docs/decisions/182-windows-installer.md says why).
  const args = p.executable
    ? ''
    : `${AGENT_NODE_FLAGS.join(' ')} ${p.launcher ? `"${p.launcher}" "${p.script}"` : `"${p.script}"`} `;
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>santong agent: measured evidence of school connectivity</Description></RegistrationInfo>
  <Triggers>
    <BootTrigger><Enabled>true</Enabled><Delay>PT1M</Delay></BootTrigger>
    <CalendarTrigger><StartBoundary>2020-01-01T00:00:00</StartBoundary><Enabled>true</Enabled>
      <Repetition><Interval>PT5M</Interval><StopAtDurationEnd>false</StopAtDurationEnd></Repetition>
      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>
  </Triggers>
  <Principals><Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xml(p.executable ?? p.node)}</Command>
      <Arguments>${xml(`${args}run --config "${p.configPath}"`)}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}

/**
 * The task's XML as the file schtasks reads: UTF-16 with a byte-order mark, the encoding its first line declares
 * (Windows' XML reader refuses UTF-8 bytes that declare UTF-16). The Windows installer writes it the same way.
 */
export function windowsTaskFile(xml: string): Buffer {
  return Buffer.from(`\ufeff${xml}`, 'utf16le');
}

/** Well-known SIDs rather than names: a Chinese Windows translates "Users", and a SID never changes. */
const SID = { system: 'S-1-5-18', administrators: 'S-1-5-32-544', users: 'S-1-5-32-545' } as const;

/**
 * Rights that let an account change a file or folder: write or append data (add a file to a folder),
 * write attributes, delete (a child), change permissions, take ownership, and the generic write and all.
 */
const CHANGING_RIGHTS = '0x500D0156';

/**
 * icacls commands that leave a folder changeable by Administrators and SYSTEM only, and a check that
 * they did. The task runs the folder's files as SYSTEM, so a folder a teacher's account could add a file
 * to (C:\ProgramData lets Users do that by default) would hand that account the machine: a planted
 * `.previous` or bundle. Owner first (an owner may always change an ACL), then the folder's own ACL with
 * no inheritance (Users may read), then every file in it reset to inherit only that.
 */
export function windowsFolderLockCommands(dir: string): string[] {
  return [
    `icacls "${dir}" /setowner *${SID.administrators} /T /C /Q`,
    `icacls "${dir}" /inheritance:r /grant:r "*${SID.system}:(OI)(CI)F" "*${SID.administrators}:(OI)(CI)F" "*${SID.users}:(OI)(CI)RX" /Q`,
    `icacls "${dir}\\*" /reset /T /C /Q`,
    windowsFolderCheckCommand(dir),
  ];
}

/**
 * A PowerShell check, run from cmd.exe, that fails (exit 1, naming the file and the account) when anyone
 * but Administrators and SYSTEM owns or may change the folder or anything in it. Single quotes only and
 * no %, so cmd.exe passes it through untouched.
 */
export function windowsFolderCheckCommand(dir: string): string {
  const path = dir.replaceAll("'", "''");
  const script = [
    `$dir = '${path}'; $ok = '${SID.system}','${SID.administrators}'; $sid = [Security.Principal.SecurityIdentifier]`,
    `$bad = foreach ($p in @($dir) + @(Get-ChildItem -LiteralPath $dir -Recurse -Force | ForEach-Object { $_.FullName })) {`,
    `$acl = Get-Acl -LiteralPath $p; if ($ok -notcontains $acl.GetOwner($sid).Value) { $p + ': owned by ' + $acl.Owner }`,
    `foreach ($a in $acl.GetAccessRules($true, $true, $sid)) { if ($a.AccessControlType -eq 'Allow' -and ([int]$a.FileSystemRights -band ${CHANGING_RIGHTS}) -and $ok -notcontains $a.IdentityReference.Value) { $p + ': ' + $a.IdentityReference.Value + ' may change it' } } }`,
    `if ($bad) { $bad; Write-Host 'santong-agent: accounts other than Administrators and SYSTEM can change what the task runs as SYSTEM; stopped'; exit 1 }`,
    `Write-Host ('santong-agent: only Administrators and SYSTEM can change ' + $dir)`,
  ].join('; ');
  return `powershell -NoProfile -NonInteractive -Command "${script}"`;
}

export type WindowsInstall = { xmlPath: string; configPath: string; installDir: string };

/**
 * The commands an administrator runs (cmd.exe, elevated) to install and start the task from its XML file:
 * the bundle's folder and the settings folder locked and checked first, the settings file (device key)
 * readable by Administrators and SYSTEM only, then the task.
 */
export function windowsInstallCommands(w: WindowsInstall): string[] {
  const settingsDir = dirnameOf(w.configPath);
  const folders =
    settingsDir.toLowerCase() === w.installDir.toLowerCase() ? [w.installDir] : [w.installDir, settingsDir];
  return [
    ...folders.flatMap(windowsFolderLockCommands),
    `icacls "${w.configPath}" /inheritance:r /grant:r "*${SID.system}:F" "*${SID.administrators}:F" /Q`,
    `schtasks /Create /TN ${WINDOWS_TASK_NAME} /XML "${w.xmlPath}" /F`,
    `schtasks /Run /TN ${WINDOWS_TASK_NAME}`,
  ];
}

/** The same commands as a .cmd script that stops at the first one that fails, so the task never starts from an unlocked folder. */
export function windowsInstallScript(w: WindowsInstall): string {
  return [
    '@echo off',
    "rem santong-agent: locks the agent's folders and installs its scheduled task. Run it in an elevated cmd.exe.",
    ...windowsInstallCommands(w).map((command) => `${command} || goto failed`),
    'echo santong-agent: task installed and started',
    'exit /b 0',
    ':failed',
    'echo santong-agent: stopped at the step above; the task was not installed 1>&2',
    'exit /b 1',
    '',
  ].join('\r\n');
}

export function windowsUninstallCommands(): string[] {
  return [`schtasks /End /TN ${WINDOWS_TASK_NAME}`, `schtasks /Delete /TN ${WINDOWS_TASK_NAME} /F`];
}

function dirnameOf(path: string): string {
  return path.replace(/[/\\][^/\\]*$/, '') || '/';
}

function quote(path: string): string {
  return /[\s"'\\]/.test(path) ? `"${path.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : path;
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
