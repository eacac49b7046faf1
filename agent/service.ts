/**
 * Service definitions for the agent. Pure text generation, so the unit file and the Windows task are
 * tested as text; cli.ts writes them and runs the system tools.
 */

export type ServicePaths = { node: string; script: string; configPath: string; stateDir: string; user: string };

export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/santong-agent.service';

/**
 * A systemd unit: a dedicated unprivileged user, restart on failure (not on a clean stop), and a
 * read-only system apart from the state directory. The device key stays readable by that user only.
 */
export function systemdUnit(p: ServicePaths): string {
  return `[Unit]
Description=santong agent: measured evidence of school connectivity (三通两平台)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${p.user}
Group=${p.user}
ExecStart=${quote(p.node)} ${quote(p.script)} run --config ${quote(p.configPath)}
Restart=on-failure
RestartSec=30s
# SIGTERM lets the agent finish writing the outbox; nothing acknowledged is ever lost by a stop.
KillSignal=SIGTERM
TimeoutStopSec=150s
StateDirectory=santong-agent
StateDirectoryMode=0700
ReadWritePaths=${p.stateDir}
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
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'santong-agent.service'],
  ];
}

export function systemdUninstallCommands(): string[][] {
  return [['systemctl', 'disable', '--now', 'santong-agent.service'], ['rm', '-f', SYSTEMD_UNIT_PATH], ['systemctl', 'daemon-reload']];
}

export const WINDOWS_TASK_NAME = 'santong-agent';

/**
 * A Windows scheduled task, not an sc.exe service: node.exe does not answer the service control
 * manager, which kills it after 30 s. The task starts at boot as SYSTEM, restarts on failure every
 * minute, and runs on battery (laptops on a cart) with no time limit.
 */
export function windowsTaskXml(p: Omit<ServicePaths, 'user' | 'stateDir'>): string {
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><Description>santong agent: measured evidence of school connectivity</Description></RegistrationInfo>
  <Triggers><BootTrigger><Enabled>true</Enabled><Delay>PT1M</Delay></BootTrigger></Triggers>
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
      <Arguments>${xml(`"${p.script}" run --config "${p.configPath}"`)}</Arguments>
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
