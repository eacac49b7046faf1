import path from 'node:path';
import { defaultConfigPath, stateDirFor, type Platform } from '../config.ts';
import { OUTBOX_DIR, OUTBOX_STATE_FILE } from '../outbox.ts';
import { EXECUTABLE_FILE, windowsInstallCommands, windowsTaskXml, windowsUninstallCommands } from '../service.ts';
import { EXECUTABLE_BUNDLE_DIR } from '../update/executable-launcher.ts';

/*
 * What the Windows installer (docs/decisions/182-windows-installer.md) puts where and runs, taken from the
 * agent's own rules (agent/config.ts, agent/service.ts: what install-service prints), with the values only the
 * PC knows (Program Files, ProgramData, the installer's temporary folder) left as NSIS variables.
 */

/** The installer's exit codes besides 0 and NSIS's own (1 cancelled by the person, 2 aborted). */
export const INSTALLER_EXIT = { usage: 3, notAdministrator: 4, enrollFailed: 5, setupFailed: 6 } as const;

/**
 * The switches of a silent install (`/S` is NSIS's own), as a computer room's script or group policy gives them:
 * `santong-agent-setup-win-x64.exe /S /SERVER=https://… /TOKEN=… /CLASSROOM=…`; and of a silent uninstall.
 */
export const INSTALLER_SWITCHES = {
  server: '/SERVER=',
  token: '/TOKEN=',
  classroom: '/CLASSROOM=',
  keepOutbox: '/KEEPOUTBOX',
} as const;

/** The log every run appends to, under the settings folder (UTF-16, as Notepad reads it). */
export const INSTALLER_LOG_FILE = 'install.log';

/**
 * NSIS variables the script's strings refer to, each with the longest value it may take on the PC: NSIS
 * strings hold 1,023 characters (Debian's makensis), so the installer refuses longer paths and answers
 * (CheckInput) rather than run a command line cut short.
 */
export const NSIS_VARIABLES = {
  INSTDIR: 100,
  ProgramDataDir: 100,
  /** The installer's temporary folder, in the administrator's %TEMP%. */
  PLUGINSDIR: 150,
  SYSDIR: 60,
  Server: 200,
  /** Tokens are 47 characters today (server/access/secrets.ts). */
  Token: 100,
  /** ` --classroom "CODE"`, with a code of up to 50 characters. */
  ClassroomFlag: 70,
  AgentLang: 5,
  /** A file name the uninstaller's loop found. */
  R1: 260,
} as const;
export type NsisVariable = keyof typeof NSIS_VARIABLES;

/** A place in text for an NSIS variable, which nsisString turns into `$name`. */
export function nsisVar(name: NsisVariable): string {
  return `\u0000${name}\u0000`;
}

/**
 * Text as an NSIS string literal: `$` doubled so that NSIS takes it as written, except the variables placed
 * with nsisVar; in backticks, so that the double and single quotes of command lines stay as they are.
 */
export function nsisString(text: string, o: { newline?: boolean } = {}): string {
  if (/[`\r\n]/.test(text)) throw new Error(`an NSIS string cannot hold a backtick or a line break: ${text}`);
  let longest = 0;
  const body = text.replace(/\$/g, '$$$$').replace(/\0(\w+)\0/g, (_, name: NsisVariable) => {
    longest += NSIS_VARIABLES[name];
    return `$${name}`;
  });
  longest += text.replace(/\0\w+\0/g, '').length;
  if (longest > 1023) throw new Error(`this NSIS string may reach ${longest} characters on a PC, over 1,023: ${text}`);
  return `\`${body}${o.newline ? '$\\r$\\n' : ''}\``;
}

/** Text with its NSIS variables filled in as on a PC: how tests and decision 182 read the commands. */
export function onPc(text: string, values: Partial<Record<NsisVariable, string>>): string {
  return text.replace(/\0(\w+)\0/g, (_, name: NsisVariable) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the NSIS variable ${name}`);
    return value;
  });
}

/** The PC as the agent's own path rules see it, with %ProgramData% left for the installer to fill in. */
const windowsPc: Platform = {
  platform: 'win32',
  isRoot: true,
  env: { ProgramData: nsisVar('ProgramDataDir') },
  home: '',
};

/**
 * Where everything goes and what runs, in the agent's own words: the executable in Program Files (the folder
 * decision 143 asks for, which only administrators may change) with its bundle folder beside it, the settings
 * and state where the agent looks for them by default, and the task and lock commands of install-service.
 */
export function installerLayout() {
  const installDir = nsisVar('INSTDIR');
  const executable = `${installDir}\\${EXECUTABLE_FILE}.exe`;
  const configPath = defaultConfigPath(windowsPc);
  const settingsDir = path.win32.dirname(configPath);
  const stateDir = stateDirFor({}, configPath, windowsPc);
  // In the installer's own temporary folder (the administrator's, made fresh for each run): no other account
  // can change the task's definition between its writing and schtasks reading it.
  const xmlPath = `${nsisVar('PLUGINSDIR')}\\santong-agent-task.xml`;
  const staged = `${nsisVar('PLUGINSDIR')}\\${EXECUTABLE_FILE}.exe`;
  const enrollOutput = `${nsisVar('PLUGINSDIR')}\\enroll.txt`;
  return {
    installDir,
    executable,
    bundleDir: `${installDir}\\${EXECUTABLE_BUNDLE_DIR}`,
    uninstaller: `${installDir}\\uninstall.exe`,
    configPath,
    settingsDir,
    stateDir,
    log: `${settingsDir}\\${INSTALLER_LOG_FILE}`,
    staged,
    xmlPath,
    taskXml: windowsTaskXml({ node: executable, script: executable, executable, configPath }),
    installCommands: windowsInstallCommands({ xmlPath, configPath, installDir }),
    uninstallCommands: windowsUninstallCommands(),
    /**
     * The agent enrolls itself (its own checks and messages) from the temporary folder, so a refused token
     * leaves nothing installed. Through cmd.exe, to catch its output in a file: node writes UTF-8, which
     * NSIS's nsExec would read in the ANSI code page and garble the Chinese.
     */
    enrollOutput,
    enrollCommand: `"${nsisVar('SYSDIR')}\\cmd.exe" /d /s /c ""${staged}" enroll --server "${nsisVar('Server')}" --token "${nsisVar('Token')}"${nsisVar('ClassroomFlag')} --config "${configPath}" --lang ${nsisVar('AgentLang')} > "${enrollOutput}" 2>&1"`,
    /** What the uninstaller leaves when asked to keep unsent reports: per folder, the names kept in it. */
    keptWithOutbox: [
      { dir: settingsDir, keep: [path.win32.basename(stateDir)] },
      { dir: stateDir, keep: [OUTBOX_DIR, OUTBOX_STATE_FILE] },
    ],
  };
}
export type InstallerLayout = ReturnType<typeof installerLayout>;

/** What the script is made of: the layout, and the build's own inputs. */
export type InstallerScriptInput = {
  layout: InstallerLayout;
  /** The win-x64 executable to embed, as a path on the build machine. */
  executable: string;
  executableKiB: number;
  outfile: string;
  version: string;
  /** zlib instead of solid LZMA. */
  fast: boolean;
};

/** The installer's entry in Add/Remove Programs, under HKLM. */
export const UNINSTALL_KEY = 'Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\santong-agent';
