import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../agent/build.ts';
import { buildExecutable } from '../../agent/package/executable.ts';
import { buildWindowsInstaller, WINDOWS_INSTALLER_FILE } from '../../agent/package/windows-installer.ts';
import {
  INSTALLER_EXIT,
  installerLayout,
  nsisString,
  nsisVar,
  onPc,
} from '../../agent/package/windows-installer-layout.ts';
import { installerScript } from '../../agent/package/windows-installer-script.ts';
import { INSTALLER_WORDS } from '../../agent/package/windows-installer-words.ts';
import { windowsFolderCheckCommand, windowsTaskXml } from '../../agent/service.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { artifactVersion, executableVersionLine, installerVersionMarker } from '../../shared/release-artifacts.ts';
import { releaseSignatureSchema, releaseSignatureValid } from '../../shared/schemas/release.ts';
import { generateReleaseKey } from '../../server/releases/offline-keys.ts';
import { santong } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { nsisDataBlocks, peMachine } from './executable-format.ts';
import { tempDir } from './report-fixture.ts';
import { ensureWine, freshPrefix, runInWine, WINESERVER, wineEnv } from './wine-install.ts';

/*
 * The Windows installer of issue 16 item 2 (docs/decisions/182-windows-installer.md), built as `npm run
 * build:agent` builds it but with zlib instead of solid LZMA (11 s instead of a minute here). Read as an artifact,
 * then run silently under Debian's wine64 (decision 091) against a real server on 127.0.0.1. Under Wine the
 * installer, its pages' logic, nsExec, the enrollment by the real executable, the files, the registry and Wine's
 * own task scheduler (schtasks /Create and /Delete) really run; icacls and powershell are Wine's stubs, which
 * change and check nothing and answer 0, and schtasks /Run and /End are unsupported there, so no task starts.
 */
let built: { dir: string; cleanup: () => Promise<void> };
let executable: Buffer;
let installer: string;

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  built = await tempDir('santong-setup-');
  await buildAgentBundle({ outfile: join(built.dir, 'santong-agent.mjs') });
  const exe = join(built.dir, 'santong-agent-win-x64.exe');
  buildExecutable({
    target: 'win-x64',
    bundle: join(built.dir, 'santong-agent.mjs'),
    outfile: exe,
    version: AGENT_VERSION,
  });
  executable = await readFile(exe);
  installer = join(built.dir, WINDOWS_INSTALLER_FILE);
  buildWindowsInstaller({ executable: exe, outfile: installer, version: AGENT_VERSION, fast: true });
}, 600_000); // the first run fetches Node's Windows binary; later runs find it in the cache
afterAll(() => built.cleanup());

/** The PC the commands are read for: Windows' defaults, and a temporary folder of the installer's. */
const pc = {
  INSTDIR: 'C:\\Program Files\\santong-agent',
  ProgramDataDir: 'C:\\ProgramData',
  PLUGINSDIR: 'C:\\T\\ns1.tmp',
};

describe('the installer as an artifact', () => {
  it('is an x64 PE whose NSIS data carries the win-x64 executable byte for byte', async () => {
    const bytes = await readFile(installer);
    expect(peMachine(bytes)).toBe(0x8664);
    const blocks = nsisDataBlocks(bytes);
    expect(blocks.length).toBeGreaterThan(2);
    expect(blocks.map(sha)).toContain(sha(executable));
  });

  it('names its version in its version resource, and santong release sign signs it for that version', async () => {
    const bytes = await readFile(installer);
    expect(artifactVersion(bytes)).toEqual({ kind: 'installer', version: AGENT_VERSION, target: 'win-x64' });
    const key = join(built.dir, 'release.key');
    const { publicKey } = generateReleaseKey(key); // what `santong release keygen` writes
    const signed = await santong(['release', 'sign', installer, '--key', key]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`signed the agent's installer ${AGENT_VERSION}`);
    const signature = releaseSignatureSchema.parse(JSON.parse(await readFile(`${installer}.sig`, 'utf8')));
    expect(signature).toMatchObject({ version: AGENT_VERSION, sha256: sha(bytes), publicKey });
    expect(releaseSignatureValid(signature)).toBe(true);
  }, 60_000);

  it('names no version when the marker is there twice, or beside an executable line: nobody could tell which is meant', () => {
    const marker = (version: string) => Buffer.from(`${installerVersionMarker(version, 'win-x64')}\0`, 'utf16le');
    const pe = (...parts: Buffer[]) => Buffer.concat([Buffer.from('MZ\0\0'), ...parts]);
    expect(artifactVersion(pe(marker('1.2.3')))).toEqual({ kind: 'installer', version: '1.2.3', target: 'win-x64' });
    expect(artifactVersion(pe(marker('1.2.3'), marker('1.2.4')))).toBeNull();
    const line = Buffer.from(`${executableVersionLine('1.2.4', 'win-x64')}\n`, 'latin1');
    expect(artifactVersion(pe(marker('1.2.3'), line))).toBeNull();
  });

  it("locks the folders and creates the task with install-service's own commands, as decision 182 lists them", () => {
    const layout = installerLayout();
    const program = 'C:\\Program Files\\santong-agent';
    const settings = 'C:\\ProgramData\\santong-agent';
    const locks = (dir: string) => [
      `icacls "${dir}" /setowner *S-1-5-32-544 /T /C /Q`,
      `icacls "${dir}" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)RX" /Q`,
      `icacls "${dir}\\*" /reset /T /C /Q`,
      windowsFolderCheckCommand(dir),
    ];
    expect(layout.installCommands.map((command) => onPc(command, pc))).toEqual([
      ...locks(program),
      ...locks(settings),
      `icacls "${settings}\\config.json" /inheritance:r /grant:r "*S-1-5-18:F" "*S-1-5-32-544:F" /Q`,
      'schtasks /Create /TN santong-agent /XML "C:\\T\\ns1.tmp\\santong-agent-task.xml" /F',
      'schtasks /Run /TN santong-agent',
    ]);
    expect(layout.uninstallCommands).toEqual([
      'schtasks /End /TN santong-agent',
      'schtasks /Delete /TN santong-agent /F',
    ]);
    // The task is install-service's for the executable where the installer puts it, with the default settings.
    const exe = `${program}\\santong-agent.exe`;
    const config = `${settings}\\config.json`;
    expect(onPc(layout.taskXml, pc)).toBe(
      windowsTaskXml({ node: exe, script: exe, executable: exe, configPath: config }),
    );
    // The script runs them in that order, each a step the installer stops at when it fails.
    const script = installerScript({
      layout,
      executable: '/dist/santong-agent-win-x64.exe',
      executableKiB: 70_000,
      outfile: '/dist/setup.exe',
      version: AGENT_VERSION,
      fast: true,
    });
    expect(script).toContain(layout.installCommands.map((c) => `  Push ${nsisString(c)}\n  Call Step`).join('\n'));
    expect(script).toContain(layout.uninstallCommands.map((c) => `  Push ${nsisString(c)}\n  Call un.Run`).join('\n'));
  });

  it('writes NSIS strings that say what they say: $ doubled, variables named, no string longer than NSIS holds', () => {
    expect(nsisString(`"${nsisVar('INSTDIR')}\\x" $dir`)).toBe('`"$INSTDIR\\x" $$dir`');
    expect(() => nsisString('a`b')).toThrow(/backtick/);
    expect(() => nsisString(`${nsisVar('PLUGINSDIR')}${'x'.repeat(900)}`)).toThrow(/over 1,023/);
  });
});

const wine = ensureWine({ allowSudo: false });
if (!wine.ready) console.warn(`SKIPPED the Windows installer under Wine: ${wine.reason}`);

describe.skipIf(!wine.ready)('the installer under Wine (decision 091)', () => {
  let server: TestServer;
  let dir: { dir: string; cleanup: () => Promise<void> };
  let prefix: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = await tempDir('santong-wine-setup-');
    prefix = freshPrefix(join(dir.dir, 'prefix'));
  });
  afterAll(async () => {
    await waitForWine(['--kill']).catch(() => undefined);
    await server.close();
    await dir.cleanup();
  });

  /** A path under the prefix's C: drive. */
  const drive = (...parts: string[]) => join(prefix, 'drive_c', ...parts);
  const programDir = () => drive('Program Files', 'santong-agent');
  const settingsDir = () => drive('ProgramData', 'santong-agent');
  /** Windows' language for the run: Wine takes it from the locale. */
  const setup = (args: string[], locale: string, log: string) =>
    runInWine([installer, ...args], { prefix, cwd: built.dir, log: join(dir.dir, log), env: { LC_ALL: locale } });
  const installLog = async () => (await readFile(join(settingsDir(), 'install.log'))).toString('utf16le');
  const devices = () => server.db.$client.prepare('select school_code, classroom_id from devices').all();
  /** wineserver -w returns once every process of the prefix ended (the uninstaller runs a copy of itself). */
  const waitForWine = (args = ['-w']) => promisify(execFile)(WINESERVER, args, { env: wineEnv(prefix) });
  const systemRegistry = async () => {
    await waitForWine(); // Wine writes the registry to system.reg when its server exits
    return readFile(join(prefix, 'system.reg'), 'utf8');
  };

  it('refuses a silent install without server and token (exit 3), and installs nothing when the token is refused (exit 5), in the Windows UI language', async () => {
    const bare = await setup(['/S'], 'zh_CN.UTF-8', 'bare.log');
    expect(bare.code).toBe(INSTALLER_EXIT.usage);
    expect(await installLog()).toContain(`${INSTALLER_WORDS.NeedServerToken.zh} (exit 3)`);

    const refused = await setup(
      ['/S', `/SERVER=${server.url}`, '/TOKEN=ste_not-a-token'],
      'en_US.UTF-8',
      'refused.log',
    );
    expect(refused.code).toBe(INSTALLER_EXIT.enrollFailed);
    const log = await installLog();
    expect(log).toContain(INSTALLER_WORDS.EnrollFailed.en);
    expect(log).toMatch(/enrollment refused \(HTTP 4\d\d\)/); // the agent's own answer, in the installer's language
    expect(log).not.toContain('ste_not-a-token'); // Users may read the log
    expect(existsSync(programDir())).toBe(false);
    expect(existsSync(join(settingsDir(), 'config.json'))).toBe(false);
    expect(devices()).toEqual([]);
  }, 120_000);

  it('installs silently from /SERVER /TOKEN /CLASSROOM, and its uninstaller removes everything but the outbox with /KEEPOUTBOX', async () => {
    const token = await server.enrollmentToken('6229210001');
    const installed = await setup(
      ['/S', `/SERVER=${server.url}`, `/TOKEN=${token}`, '/CLASSROOM=1'],
      'zh_CN.UTF-8',
      'install.log',
    );
    const log = await installLog();
    expect(installed.code, log).toBe(0);
    // The executable in Program Files, byte for byte, its bundle folder and the uninstaller beside it.
    expect(sha(await readFile(join(programDir(), 'santong-agent.exe')))).toBe(sha(executable));
    expect((await readdir(programDir())).sort()).toEqual(['agent', 'santong-agent.exe', 'uninstall.exe']);
    // Enrolled by the agent itself into classroom 1, its settings where the agent looks by default on Windows.
    expect(devices()).toEqual([{ school_code: '6229210001', classroom_id: expect.any(Number) }]);
    const config = JSON.parse(await readFile(join(settingsDir(), 'config.json'), 'utf8')) as { deviceId: string };
    expect(log).toContain(`已注册：设备 ${config.deviceId}，测试第一小学`); // its UTF-8 answer, read as UTF-8
    expect(log).not.toContain(token);
    // Every command of install-service ran, in order, and answered 0 (icacls and powershell: Wine's stubs).
    let from = 0;
    for (const command of installerLayout().installCommands) {
      // The temporary folder is named by the installer on the PC: schtasks /Create is matched up to it.
      const [line] = `> ${onPc(command, { ...pc, PLUGINSDIR: '%TEMP%' })}`.split('%TEMP%');
      const at = log.indexOf(line!, from);
      expect(at, `${line} in the log, after the one before`).toBeGreaterThan(from);
      expect(
        log
          .slice(at)
          .split('\r\n')
          .find((l) => l.startsWith('  exit ')),
      ).toBe('  exit 0');
      from = at;
    }
    // Wine's task scheduler read the UTF-16 XML: it keeps the description and settings (and drops the triggers,
    // the SYSTEM principal and the action, which it does not implement). Add/Remove Programs lists the agent.
    const task = await readFile(drive('windows', 'system32', 'tasks', 'santong-agent'), 'utf8');
    expect(task).toContain('<Description>santong agent: measured evidence of school connectivity</Description>');
    expect(task).toContain('<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>');
    expect(task).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
    const registry = await systemRegistry();
    expect(registry).toMatch(/\[Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\santong-agent\]/);
    expect(registry).toContain(`"DisplayVersion"="${AGENT_VERSION}"`);

    // Reports not sent yet, and the rest of what the agent keeps in its state folder.
    const state = join(settingsDir(), 'state');
    const queued = join(state, 'outbox', '000000000001-6f1c2a9e-0d43-4c1b-9a57-2b3c4d5e6f70.json');
    await mkdir(join(state, 'outbox'), { recursive: true });
    await mkdir(join(state, 'quarantine'), { recursive: true });
    await writeFile(queued, '{"a report":"not sent yet"}');
    await writeFile(join(state, 'outbox-state.json'), '{"dropped":2}');
    await writeFile(join(state, 'quarantine', 'refused.json'), '{}');
    await writeFile(join(state, 'schedule.json'), '{}');

    const uninstall = await runInWine(['C:\\Program Files\\santong-agent\\uninstall.exe', '/S', '/KEEPOUTBOX'], {
      prefix,
      log: join(dir.dir, 'uninstall.log'),
    });
    expect(uninstall.code, uninstall.log).toBe(0);
    const after = await systemRegistry();
    expect(existsSync(programDir())).toBe(false);
    expect(await readdir(settingsDir())).toEqual(['state']);
    expect((await readdir(state)).sort()).toEqual(['outbox', 'outbox-state.json']);
    expect(await readFile(queued, 'utf8')).toBe('{"a report":"not sent yet"}');
    expect(existsSync(drive('windows', 'system32', 'tasks', 'santong-agent'))).toBe(false);
    expect(after).not.toContain('Uninstall\\\\santong-agent]');
  }, 240_000);

  it('an install without switches on an enrolled PC keeps its enrollment (an upgrade); without /KEEPOUTBOX the uninstaller removes the outbox too', async () => {
    const token = await server.enrollmentToken('6229210002');
    const first = await setup(['/S', `/SERVER=${server.url}`, `/TOKEN=${token}`], 'en_US.UTF-8', 'first.log');
    expect(first.code, await installLog()).toBe(0);
    const config = await readFile(join(settingsDir(), 'config.json'), 'utf8');
    const upgrade = await setup(['/S'], 'en_US.UTF-8', 'upgrade.log');
    expect(upgrade.code, await installLog()).toBe(0);
    expect(await readFile(join(settingsDir(), 'config.json'), 'utf8')).toBe(config);
    expect(devices()).toHaveLength(2); // the first test's device and this one, enrolled once

    const uninstall = await runInWine(['C:\\Program Files\\santong-agent\\uninstall.exe', '/S'], {
      prefix,
      log: join(dir.dir, 'uninstall-all.log'),
    });
    expect(uninstall.code, uninstall.log).toBe(0);
    await waitForWine();
    expect(existsSync(programDir())).toBe(false);
    expect(existsSync(settingsDir())).toBe(false);
  }, 240_000);
});
