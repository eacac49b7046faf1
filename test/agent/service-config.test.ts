import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultConfigPath,
  loadConfig,
  saveConfig,
  stateDirFor,
  type Platform,
} from '../../agent/config.ts';
import {
  hiddenFromService,
  linuxInstall,
  systemdInstallCommands,
  systemdUnit,
  underUserProfile,
  windowsFolderCheckCommand,
  windowsInstallCommands,
  windowsInstallScript,
  windowsTaskFile,
  windowsTaskXml,
} from '../../agent/service.ts';
import { serviceWordsFor } from '../../agent/service-words.ts';
import { runAgent } from './agent-process.ts';
import { tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const linuxRoot: Platform = { platform: 'linux', isRoot: true, env: {}, home: '/root' };
const linuxUser: Platform = {
  platform: 'linux',
  isRoot: false,
  env: { XDG_CONFIG_HOME: '/home/t/.cfg' },
  home: '/home/t',
};
const windows: Platform = {
  platform: 'win32',
  isRoot: false,
  env: { ProgramData: 'C:\\ProgramData' },
  home: 'C:\\Users\\t',
};
const valid = {
  serverUrl: 'https://santong.example.org',
  deviceId: 'd1',
  deviceKey: 'std_secret',
  school: { code: '6229210001', name: '测试第一小学' },
};

describe('settings', () => {
  it('lives in /etc when root, the XDG config dir for a user, ProgramData on Windows', () => {
    expect(defaultConfigPath(linuxRoot)).toBe('/etc/santong-agent/config.json');
    expect(defaultConfigPath(linuxUser)).toBe('/home/t/.cfg/santong-agent/config.json');
    expect(defaultConfigPath(windows)).toMatch(/^C:\\ProgramData.santong-agent.config\.json$/);
    expect(stateDirFor({}, '/etc/santong-agent/config.json', linuxRoot)).toBe('/var/lib/santong-agent');
    expect(stateDirFor({}, '/home/t/.cfg/santong-agent/config.json', linuxUser)).toBe(
      '/home/t/.local/state/santong-agent',
    );
    expect(stateDirFor({}, '/tmp/x/config.json', linuxUser)).toBe('/tmp/x/state');
  });

  it('is written 0600 (it holds the device key) and read back with defaults', async () => {
    const path = join(dir, 'sub', 'config.json');
    await saveConfig(path, valid);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
    const config = await loadConfig(path);
    expect(config).toMatchObject({ intervalMinutes: 60, outbox: { maxCount: 2000 }, classroom: null });
    expect(config.internetTargets.length).toBeGreaterThan(0);
  });

  it('refuses a bad file with a message naming the field', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ ...valid, serverUrl: 'ftp://x', intervalMinutes: 1 }));
    await expect(loadConfig(path)).rejects.toThrow(ConfigError);
    await expect(loadConfig(path)).rejects.toThrow(/serverUrl[\s\S]*intervalMinutes/);
    await expect(loadConfig(join(dir, 'absent.json'), 'en')).rejects.toThrow(/enroll first/);
    await expect(loadConfig(join(dir, 'absent.json'))).rejects.toThrow(/请先注册/);
  });

  it('the CLI exits 2 with that message, and 2 on an unknown command', async () => {
    const missing = await runAgent(['status', '--config', join(dir, 'absent.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('请先注册（santong-agent enroll');
    const english = await runAgent(['status', '--lang', 'en', '--config', join(dir, 'absent.json')]);
    expect(english.stderr).toContain('enroll first');
    expect((await runAgent(['fly'])).code).toBe(2);
  }, 30_000);
});

describe('service definitions', () => {
  const paths = {
    node: '/usr/bin/node',
    script: '/opt/santong-agent/santong-agent.mjs',
    configPath: '/etc/santong-agent/config.json',
    stateDir: '/var/lib/santong-agent',
    user: 'santong-agent',
  };

  it('systemd unit runs the agent as its own user, restarts on failure, and protects the system', () => {
    const unit = systemdUnit(paths);
    expect(unit).toContain(
      'ExecStart=/usr/bin/node --max-semi-space-size=1 --optimize-for-size --no-expose-wasm --jitless /opt/santong-agent/santong-agent.mjs run --config /etc/santong-agent/config.json',
    );
    expect(unit).toMatch(/^Environment=MALLOC_ARENA_MAX=2$/m);
    expect(unit).toMatch(/^User=santong-agent$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^After=network-online.target$/m);
    expect(unit).toMatch(/^StateDirectory=santong-agent$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
    expect(systemdUnit({ ...paths, script: '/opt/my agent/a.mjs' })).toContain('"/opt/my agent/a.mjs"');
  });

  it('with the self-update launcher: it starts the bundle, exit 75 restarts, and the bundle directory is writable', () => {
    const updatable = { ...paths, launcher: '/opt/santong-agent/santong-agent-launcher.mjs' };
    const unit = systemdUnit(updatable);
    expect(unit).toContain(
      'ExecStart=/usr/bin/node --max-semi-space-size=1 --optimize-for-size --no-expose-wasm --jitless /opt/santong-agent/santong-agent-launcher.mjs /opt/santong-agent/santong-agent.mjs run --config',
    );
    expect(unit).toMatch(/^RestartForceExitStatus=75$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m); // the launcher refused every file: restarting changes nothing
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/santong-agent \/opt\/santong-agent$/m);
    expect(systemdInstallCommands(updatable).map((c) => c.join(' '))).toContain(
      'chown -R santong-agent:santong-agent /opt/santong-agent',
    );
    expect(
      systemdInstallCommands(paths)
        .map((c) => c.join(' '))
        .join('\n'),
    ).not.toContain('/opt/santong-agent');
    const xml = windowsTaskXml({
      node: 'node.exe',
      script: 'C:\\sa\\santong-agent.mjs',
      configPath: 'C:\\c.json',
      launcher: 'C:\\sa\\santong-agent-launcher.mjs',
    });
    expect(xml).toContain('&quot;C:\\sa\\santong-agent-launcher.mjs&quot; &quot;C:\\sa\\santong-agent.mjs&quot; run');
    expect(xml).toContain('<Repetition><Interval>PT5M</Interval>'); // brings the task back after exit 75
  });

  it('install commands create the user and give it the key file alone', () => {
    const lines = systemdInstallCommands(paths).map((c) => c.join(' '));
    expect(lines[0]).toMatch(/^useradd --system .* santong-agent$/);
    expect(lines).toContain('chown santong-agent:santong-agent /etc/santong-agent/config.json');
    expect(lines).toContain('chmod 0600 /etc/santong-agent/config.json');
    expect(lines.at(-1)).toBe('systemctl enable --now santong-agent.service');
  });

  it('Windows gets a boot-time SYSTEM task that restarts on failure', () => {
    const xml = windowsTaskXml({
      node: 'C:\\Program Files\\nodejs\\node.exe',
      script: 'C:\\ProgramData\\santong-agent\\santong-agent.mjs',
      configPath: 'C:\\ProgramData\\santong-agent\\config.json',
    });
    expect(xml).toContain('<BootTrigger>');
    expect(xml).toContain('<UserId>S-1-5-18</UserId>');
    expect(xml).toContain('<RestartOnFailure><Interval>PT1M</Interval>');
    expect(xml).toContain('<Command>C:\\Program Files\\nodejs\\node.exe</Command>');
    expect(xml).toContain(
      '<Arguments>--max-semi-space-size=1 --optimize-for-size --no-expose-wasm --jitless &quot;C:\\ProgramData\\santong-agent\\santong-agent.mjs&quot; run --config',
    );
    const commands = windowsInstallCommands({
      xmlPath: 'C:\\ProgramData\\santong-agent\\t.xml',
      configPath: 'C:\\ProgramData\\santong-agent\\config.json',
      installDir: 'C:\\ProgramData\\santong-agent',
    });
    expect(commands).toContain('schtasks /Create /TN santong-agent /XML "C:\\ProgramData\\santong-agent\\t.xml" /F');
  });

  it('Windows: the install folder is locked to Administrators and SYSTEM, checked, and only then is the task created (issue 11)', () => {
    const install = {
      xmlPath: 'C:\\ProgramData\\santong-agent\\task.xml',
      configPath: 'C:\\ProgramData\\santong-agent\\config.json',
      installDir: "C:\\Program Files\\santong-agent (O'Brien)",
    };
    const commands = windowsInstallCommands(install);
    const dir = install.installDir;
    // Well-known SIDs: the group names are translated on a Chinese Windows.
    expect(commands).toContain(`icacls "${dir}" /setowner *S-1-5-32-544 /T /C /Q`);
    expect(commands).toContain(
      `icacls "${dir}" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)RX" /Q`,
    );
    expect(commands).toContain(`icacls "${dir}\\*" /reset /T /C /Q`);
    // The settings folder (C:\\ProgramData lets Users add files to it) is locked too, and the settings file is SYSTEM's and Administrators' only.
    expect(commands).toContain(
      'icacls "C:\\ProgramData\\santong-agent" /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)RX" /Q',
    );
    expect(commands).toContain(
      'icacls "C:\\ProgramData\\santong-agent\\config.json" /inheritance:r /grant:r "*S-1-5-18:F" "*S-1-5-32-544:F" /Q',
    );
    // Nothing grants any other account a right to change anything.
    for (const grant of commands
      .filter((c) => c.startsWith('icacls'))
      .flatMap((c) => [...c.matchAll(/"\*(S-[\d-]+):([^"]*)"/g)])) {
      if (grant[1] === 'S-1-5-32-545') expect(grant[2]).toBe('(OI)(CI)RX');
      else expect(['S-1-5-18', 'S-1-5-32-544']).toContain(grant[1]);
    }
    const check = windowsFolderCheckCommand(dir);
    const order = (line: string) => commands.indexOf(line);
    expect(order(check)).toBeGreaterThan(order(`icacls "${dir}\\*" /reset /T /C /Q`));
    expect(order(check)).toBeLessThan(
      order('schtasks /Create /TN santong-agent /XML "C:\\ProgramData\\santong-agent\\task.xml" /F'),
    );
    // The check: owner and every allow rule of the folder and each file in it, by SID, against the rights that change things.
    const script = /^powershell -NoProfile -NonInteractive -Command "(.*)"$/.exec(check)![1]!;
    expect(script).not.toMatch(/["%]/); // passes through cmd.exe untouched
    expect(script).toContain("$dir = 'C:\\Program Files\\santong-agent (O''Brien)'");
    expect(script).toContain("$ok = 'S-1-5-18','S-1-5-32-544'");
    expect(script).toContain('Get-ChildItem -LiteralPath $dir -Recurse -Force');
    expect(script).toContain('$acl.GetOwner($sid)');
    expect(script).toContain('$acl.GetAccessRules($true, $true, $sid)');
    expect(script).toContain('-band 0x500D0156');
    expect(script).toContain('exit 1');
    // As a .cmd script: it stops at the first failing step, so the task is never created over an unlocked folder.
    const lines = windowsInstallScript(install).split('\r\n');
    expect(
      lines.filter((l) => l.startsWith('icacls') || l.startsWith('powershell') || l.startsWith('schtasks')),
    ).toEqual(commands.map((c) => `${c} || goto failed`));
    expect(lines).toContain(':failed');
    expect(lines.at(-2)).toBe('exit /b 1');
  });

  it('install-service --dry-run from the sources shows the unit and refuses, naming each fix (Chinese and English)', async () => {
    const configPath = join(dir, 'config.json');
    await saveConfig(configPath, valid);
    const run = await runAgent(['install-service', '--dry-run', '--config', configPath]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`run --config ${configPath}`);
    expect(run.stdout).not.toContain('install -m'); // nothing to copy: the sources are no bundle
    expect(run.stderr).toContain('服务无法从以下位置启动，未安装：');
    expect(run.stderr).toContain('请先 npm run build:agent，再用 dist/santong-agent.mjs 运行 install-service');
    expect(run.stderr).toContain(
      `设置文件 ${configPath} 在 /tmp 下，服务看不到这个目录（ProtectHome、PrivateTmp）：请以 root 身份不带 --config 重新注册`,
    );
    const english = await runAgent(['install-service', '--dry-run', '--lang', 'en', '--config', configPath]);
    expect(english.code).toBe(2);
    expect(english.stderr).toContain('the service could not start from these places, so it is not installed:');
    expect(english.stderr).toContain(
      `the settings file ${configPath} is under /tmp, which the service cannot see (ProtectHome, PrivateTmp): enroll again as root without --config (the settings go to /etc/santong-agent/config.json)`,
    );
    expect(await readFile(configPath, 'utf8')).toContain('std_secret'); // untouched
  }, 30_000);
});

describe('the Linux install puts the bundle where the service can read it (issue 18)', () => {
  const install = (bundle: string | null, over: Partial<Parameters<typeof linuxInstall>[0]> = {}) =>
    linuxInstall({
      bundle,
      script: bundle ?? '/home/t/santong/agent/cli.ts',
      node: '/usr/bin/node',
      configPath: '/etc/santong-agent/config.json',
      stateDir: '/var/lib/santong-agent',
      user: 'santong-agent',
      beside: [],
      selfUpdate: false,
      ...over,
    });

  it.each(['/root', '/home/teacher/Downloads', '/tmp/x', '/var/tmp', '/srv/agent'])(
    'a bundle in %s is copied into /opt/santong-agent, and the unit runs that copy',
    (folder) => {
      const plan = install(`${folder}/santong-agent.mjs`, { beside: [`${folder}/santong-agent.mjs.sig`] });
      expect(plan.problems).toEqual([]);
      expect(plan.copyCommands.map((c) => c.join(' '))).toEqual([
        'install -d -m 0755 /opt/santong-agent',
        `install -m 0644 ${folder}/santong-agent.mjs /opt/santong-agent/santong-agent.mjs`,
        `install -m 0644 ${folder}/santong-agent.mjs.sig /opt/santong-agent/santong-agent.mjs.sig`,
      ]);
      const unit = systemdUnit(plan.paths);
      expect(unit).toContain(
        '--jitless /opt/santong-agent/santong-agent.mjs run --config /etc/santong-agent/config.json',
      );
      expect(unit).not.toContain(folder);
      // Nothing the unit names lies where its own sandbox hides it.
      for (const path of unit.matchAll(/(?:^|[\s=])(\/[^\s]+)/gm)) expect(hiddenFromService(path[1]!)).toBeNull();
    },
  );

  it('a bundle under any name is installed as santong-agent.mjs, its key statements beside it', () => {
    const plan = install('/root/dl/santong-agent-0.2.0.mjs', {
      beside: ['/root/dl/santong-agent-0.2.0.mjs.keys.json'],
    });
    expect(plan.copyCommands.map((c) => c.at(-1))).toEqual([
      '/opt/santong-agent',
      '/opt/santong-agent/santong-agent.mjs',
      '/opt/santong-agent/santong-agent.mjs.keys.json',
    ]);
  });

  it('with self-update, the launcher sits beside the installed copy, which the agent user owns', () => {
    const plan = install('/root/santong-agent.mjs', { selfUpdate: true });
    expect(plan.paths.launcher).toBe('/opt/santong-agent/santong-agent-launcher.mjs');
    expect(systemdUnit(plan.paths)).toMatch(/^ReadWritePaths=\/var\/lib\/santong-agent \/opt\/santong-agent$/m);
    expect(systemdInstallCommands(plan.paths).map((c) => c.join(' '))).toContain(
      'chown -R santong-agent:santong-agent /opt/santong-agent',
    );
  });

  it('a standalone executable is installed as /opt/santong-agent/santong-agent and run with NODE_OPTIONS (decision 170)', () => {
    // node itself may be anywhere, or nowhere: the executable carries its own.
    const plan = install('/root/Downloads/agent/santong-agent.mjs', {
      executable: '/root/Downloads/santong-agent-linux-x64',
      node: '/root/Downloads/santong-agent-linux-x64',
    });
    expect(plan.problems).toEqual([]);
    expect(plan.copyCommands.map((c) => c.join(' '))).toEqual([
      'install -d -m 0755 /opt/santong-agent',
      'install -m 0755 /root/Downloads/santong-agent-linux-x64 /opt/santong-agent/santong-agent',
    ]);
    const unit = systemdUnit(plan.paths);
    expect(unit).toMatch(
      /^ExecStart=\/opt\/santong-agent\/santong-agent run --config \/etc\/santong-agent\/config.json$/m,
    );
    expect(unit).toMatch(/^Environment="NODE_OPTIONS=--max-semi-space-size=1 --jitless"$/m);
    expect(unit).toMatch(/^Environment=MALLOC_ARENA_MAX=2$/m);
    // The agent's user may write the bundle folder beside the executable, never the executable's own folder.
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/santong-agent \/opt\/santong-agent\/agent$/m);
    const commands = systemdInstallCommands(plan.paths).map((c) => c.join(' '));
    expect(commands).toContain('chown -R santong-agent:santong-agent /opt/santong-agent/agent');
    expect(commands).not.toContain('chown -R santong-agent:santong-agent /opt/santong-agent');
    expect(install(null, { executable: '/opt/santong-agent/santong-agent' }).copyCommands).toEqual([]);
    const exe = 'C:\\Program Files\\santong-agent\\santong-agent.exe';
    const xml = windowsTaskXml({
      node: exe,
      script: exe,
      executable: exe,
      configPath: 'C:\\ProgramData\\santong-agent\\config.json',
    });
    expect(xml).toContain(`<Command>${exe}</Command>`);
    expect(xml).toContain(
      '<Arguments>run --config &quot;C:\\ProgramData\\santong-agent\\config.json&quot;</Arguments>',
    );
    // The file schtasks reads is in the encoding its first line declares: UTF-16, with a byte-order mark.
    const file = windowsTaskFile(xml);
    expect([...file.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(file.subarray(2).toString('utf16le')).toBe(xml);
  });

  it('run from the installed copy, nothing is copied', () => {
    expect(install('/opt/santong-agent/santong-agent.mjs').copyCommands).toEqual([]);
  });

  it('what cannot be copied is a problem: node, the settings file, the state directory, the sources', () => {
    expect(install('/root/santong-agent.mjs', { node: '/root/.nvm/versions/node/v20.20.2/bin/node' }).problems).toEqual(
      [{ kind: 'node', path: '/root/.nvm/versions/node/v20.20.2/bin/node', hiddenIn: '/root' }],
    );
    // A state directory beside a hidden settings file is the same problem with the same fix.
    expect(
      install('/home/t/santong-agent.mjs', {
        configPath: '/home/t/.config/santong-agent/config.json',
        stateDir: '/home/t/.local/state/santong-agent',
      }).problems,
    ).toEqual([{ kind: 'config', path: '/home/t/.config/santong-agent/config.json', hiddenIn: '/home' }]);
    expect(install('/root/santong-agent.mjs', { stateDir: '/tmp/state' }).problems).toEqual([
      { kind: 'state', path: '/tmp/state', hiddenIn: '/tmp' },
    ]);
    expect(install(null).problems).toEqual([{ kind: 'sources', script: '/home/t/santong/agent/cli.ts' }]);
    expect(hiddenFromService('/homework/x')).toBeNull();
    expect(hiddenFromService('/run/user/1000/x')).toBe('/run/user');
  });

  it('each problem names the fix, in Chinese and English', () => {
    const node = { kind: 'node', path: '/root/.nvm/node', hiddenIn: '/root' } as const;
    expect(serviceWordsFor('zh-CN').problem(node)).toBe(
      'Node.js（/root/.nvm/node）在 /root 下，服务看不到这个目录（ProtectHome、PrivateTmp）：请把 Node.js 20 或更高版本装到系统目录（例如系统软件包的 /usr/bin/node 或 /usr/local/bin/node），再用它运行 install-service',
    );
    expect(serviceWordsFor('en').problem(node)).toBe(
      "Node.js (/root/.nvm/node) is under /root, which the service cannot see (ProtectHome, PrivateTmp): install Node.js 20 or later system-wide (the distribution's /usr/bin/node, or /usr/local/bin/node) and run install-service with it",
    );
    expect(serviceWordsFor('en').problem({ kind: 'state', path: '/tmp/s', hiddenIn: '/tmp' })).toContain(
      'set stateDir in the settings file to /var/lib/santong-agent',
    );
  });

  it('Windows refuses a folder in a user profile, whose owner could swap it', () => {
    expect(underUserProfile('C:\\Users\\t\\Downloads\\santong-agent')).toBe(true);
    expect(underUserProfile('c:\\users\\t\\santong-agent')).toBe(true);
    expect(underUserProfile('C:\\Program Files\\santong-agent')).toBe(false);
    expect(serviceWordsFor('zh-CN').windowsUserProfile('C:\\Users\\t\\santong-agent')).toContain(
      '请把 santong-agent.mjs 及其 .sig 复制到 C:\\Program Files\\santong-agent\\',
    );
  });
});
