/**
 * Service definitions for the agent. Pure text generation, so the unit file and the Windows task are
 * tested as text; cli.ts writes them and runs the system tools.
 */

export type ServicePaths = {
  node: string;
  script: string;
  configPath: string;
  stateDir: string;
  user: string;
  /** The self-update launcher beside the bundle (agent/update/launcher.ts); absent when run from sources. */
  launcher?: string | undefined;
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

/** glibc gives each thread that calls malloc an arena of its own (8 × cores); two is plenty for one event loop and libuv's pool. */
export const AGENT_ENVIRONMENT = { MALLOC_ARENA_MAX: '2' } as const;

export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/santong-agent.service';

/**
 * A systemd unit: a dedicated unprivileged user, restart on failure (not on a clean stop), and a
 * read-only system apart from the state directory and, for self-update, the bundle's own directory.
 * The device key stays readable by that user only. Exit 75 (updated itself) is always restarted.
 */
export function systemdUnit(p: ServicePaths): string {
  const start = p.launcher ? `${quote(p.launcher)} ${quote(p.script)}` : quote(p.script);
  const writable = p.launcher ? `${p.stateDir} ${dirnameOf(p.script)}` : p.stateDir;
  const environment = Object.entries(AGENT_ENVIRONMENT)
    .map(([k, v]) => `Environment=${k}=${v}`)
    .join('\n');
  return `[Unit]
Description=santong agent: measured evidence of school connectivity (三通两平台)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${p.user}
Group=${p.user}
ExecStart=${quote(p.node)} ${AGENT_NODE_FLAGS.join(' ')} ${start} run --config ${quote(p.configPath)}
${environment}
Restart=on-failure
RestartForceExitStatus=75
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

/** Shell commands (as root) that create the user, hand it the settings and state, and start the unit. */
export function systemdInstallCommands(p: ServicePaths): string[][] {
  return [
    ['useradd', '--system', '--no-create-home', '--home-dir', p.stateDir, '--shell', '/usr/sbin/nologin', p.user],
    ['mkdir', '-p', p.stateDir],
    ['chown', '-R', `${p.user}:${p.user}`, p.stateDir],
    // The settings directory lets the agent's group in; the settings file (device key) is the agent user's alone.
    ['chown', `root:${p.user}`, dirnameOf(p.configPath)],
    ['chmod', '0750', dirnameOf(p.configPath)],
    ['chown', `${p.user}:${p.user}`, p.configPath],
    ['chmod', '0600', p.configPath],
    // Self-update swaps the bundle in its directory, so the agent's user owns that directory (only).
    ...(p.launcher ? [['chown', '-R', `${p.user}:${p.user}`, dirnameOf(p.script)]] : []),
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
  const args = `${AGENT_NODE_FLAGS.join(' ')} ${p.launcher ? `"${p.launcher}" "${p.script}"` : `"${p.script}"`}`;
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
      <Command>${xml(p.node)}</Command>
      <Arguments>${xml(`${args} run --config "${p.configPath}"`)}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}

/** The commands an administrator runs (cmd.exe, elevated) to install and start the task from its XML file. */
export function windowsInstallCommands(xmlPath: string, configPath: string): string[] {
  return [
    `icacls "${configPath}" /inheritance:r /grant:r SYSTEM:F Administrators:F`,
    `schtasks /Create /TN ${WINDOWS_TASK_NAME} /XML "${xmlPath}" /F`,
    `schtasks /Run /TN ${WINDOWS_TASK_NAME}`,
  ];
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
