import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { keysTrustedAfter } from '../shared/schemas/release-keys.ts';
import {
  ConfigError,
  currentPlatform,
  defaultConfigPath,
  loadConfig,
  pinnedReleaseKeys,
  stateDirFor,
  type AgentConfig,
} from './config.ts';
import { openAgent } from './context.ts';
import { Daemon } from './daemon.ts';
import { enroll } from './enroll.ts';
import { parseLangFlag, pickLang, type AgentLang } from './lang.ts';
import { log } from './log.ts';
import { formatOnceDelivery, formatOnceFacts, runOnce } from './once.ts';
import { parseServerFlag } from './server-url.ts';
import { usageText } from './usage.ts';
import * as service from './service.ts';
import { serviceWordsFor } from './service-words.ts';
import { agentStatus, formatStatus } from './status.ts';
import { EXIT_RESTART_FOR_UPDATE, LAUNCHER_FILE, writeLauncher } from './update/launcher.ts';
import { bundleFiles, readSignatures, runningBundle, runningExecutable } from './update/install.ts';
import { readKeyStatements } from './update/trust.ts';
import { signedBundle } from './update/verify.ts';
import { AGENT_VERSION } from './version.ts';

/** Exit codes a script or the service manager can act on. */
export const EXIT = {
  ok: 0,
  notDelivered: 1,
  usage: 2,
  unauthorized: 3,
  refused: 4,
  restartForUpdate: EXIT_RESTART_FOR_UPDATE,
} as const;

const options = {
  config: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  classroom: { type: 'string' },
  proxy: { type: 'string' },
  'ca-file': { type: 'string' },
  target: { type: 'string', multiple: true },
  'insecure-http': { type: 'boolean' },
  json: { type: 'boolean' },
  retries: { type: 'string' },
  'speed-test': { type: 'boolean' },
  lang: { type: 'string' },
  'dry-run': { type: 'boolean' },
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
  const command = positionals[0];
  if (v.version) return print(AGENT_VERSION);
  const langFlag = parseLangFlag(v.lang);
  if (typeof langFlag === 'object') throw new ConfigError(langFlag.problem);
  const lang = pickLang(langFlag, process.env, process.platform);
  const usage = usageText(lang, defaultConfigPath(currentPlatform()));
  if (v.help) return print(usage);
  if (!command) return print(usage, EXIT.usage);
  // Where Linux exposes display connectors when not /sys/class/drm: a container that mounts sysfs elsewhere, a test.
  const drmRoot = process.env.SANTONG_AGENT_DRM_ROOT || undefined;
  const configPath = resolve(v.config ?? defaultConfigPath(currentPlatform()));
  const overrides = { ...(v.proxy ? { proxy: v.proxy } : {}), ...(v['ca-file'] ? { caFile: v['ca-file'] } : {}) };
  switch (command) {
    case 'enroll': {
      if (!v.server || !v.token)
        return print(
          lang === 'en'
            ? 'enroll needs --server URL and --token TOKEN (from your county office)'
            : 'enroll 需要 --server 网址 和 --token 注册码（由县教育局提供）',
          EXIT.usage,
        );
      const message = await enroll({
        server: parseServerFlag(v.server, lang),
        token: v.token,
        classroom: v.classroom,
        proxy: v.proxy,
        caFile: v['ca-file'],
        internetTargets: v.target,
        insecureHttp: v['insecure-http'],
        configPath,
        lang,
      });
      return print(message);
    }
    case 'once':
      return once(configPath, overrides, {
        retries: Number(v.retries ?? 2),
        speedTest: v['speed-test'] ?? false,
        json: v.json ?? false,
        lang,
        drmRoot,
      });
    case 'run':
      return run(configPath, overrides, drmRoot, lang);
    case 'status': {
      const ctx = await openAgent(configPath, overrides, lang);
      const status = await agentStatus(ctx);
      await ctx.dispatcher.close();
      return print(v.json ? JSON.stringify(status, null, 2) : formatStatus(status, lang));
    }
    case 'install-service':
    case 'uninstall-service':
      return installService(
        command === 'install-service',
        configPath,
        v.user ?? 'santong-agent',
        v['dry-run'] ?? false,
        lang,
      );
    default:
      return print(`${lang === 'en' ? 'unknown command' : '未知命令'} "${command}"\n\n${usage}`, EXIT.usage);
  }
}

/** `once` at the terminal: the measured facts on stdout, the delivery line on stdout or (when not delivered) stderr. */
async function once(
  configPath: string,
  overrides: { proxy?: string; caFile?: string },
  o: { retries: number; speedTest: boolean; json: boolean; lang: AgentLang; drmRoot: string | undefined },
): Promise<number> {
  const ctx = await openAgent(configPath, overrides, o.lang);
  try {
    const result = await runOnce(ctx, o);
    const code = {
      acknowledged: EXIT.ok,
      refused: EXIT.refused,
      unauthorized: EXIT.unauthorized,
      queued: EXIT.notDelivered,
    }[result.delivery.state];
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return code;
    }
    process.stdout.write(`${formatOnceFacts(result, o.lang)}\n`);
    return print(formatOnceDelivery(result.delivery, o.lang), code);
  } finally {
    await ctx.dispatcher.close();
  }
}

async function run(
  configPath: string,
  overrides: { proxy?: string; caFile?: string },
  drmRoot: string | undefined,
  lang: AgentLang,
): Promise<number> {
  const ctx = await openAgent(configPath, overrides, lang);
  const daemon = new Daemon(ctx, drmRoot ? { drmRoot } : {});
  const stopped = new Promise<string>((resolveStop) => {
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    process.once('SIGINT', () => resolveStop('SIGINT'));
  });
  log('info', 'agent started', { version: AGENT_VERSION, device: ctx.config.deviceId, server: ctx.config.serverUrl });
  if (!daemon.updater.bundle) log('info', 'self-update off: running from the TypeScript sources, not the bundle file');
  await daemon.start();
  const reason = await Promise.race([stopped, daemon.restartRequested.then((version) => `update to ${version}`)]);
  await daemon.stop();
  await ctx.dispatcher.close();
  log('info', 'agent stopped; queue kept', { reason, queued: (await ctx.outbox.list()).length });
  return reason.startsWith('update') ? EXIT.restartForUpdate : EXIT.ok;
}

async function installService(
  install: boolean,
  configPath: string,
  user: string,
  dryRun: boolean,
  lang: AgentLang,
): Promise<number> {
  const platform = currentPlatform();
  const w = serviceWordsFor(lang);
  const script = resolve(process.argv[1] ?? 'santong-agent.mjs');
  const bundle = runningBundle();
  // A standalone executable carries node, launcher and bundle: it is what gets installed (decision 170).
  const executable = runningExecutable()?.executable ?? null;
  if (!install) return uninstallService(platform.platform, platform.isRoot, dryRun);
  const config = await loadConfig(configPath, lang);
  if (platform.platform === 'win32')
    return installWindowsTask(bundle, executable, script, configPath, config, dryRun, w);
  const updatable = executable === null && bundle !== null && (await selfUpdateReady(bundle, config));
  const beside =
    bundle === null || executable ? [] : [bundleFiles(bundle).signatures, bundleFiles(bundle).keys].filter(existsSync);
  const plan = service.linuxInstall({
    bundle,
    executable,
    script,
    node: process.execPath,
    configPath,
    stateDir: stateDirFor(config, configPath, platform),
    user,
    beside,
    selfUpdate: updatable,
  });
  const commands = service.systemdInstallCommands(plan.paths);
  const problems = plan.problems.map((p) => `- ${w.problem(p)}`).join('\n');
  if (dryRun) {
    const copy = plan.copyCommands.length ? [w.copies(service.LINUX_INSTALL_DIR), ...plan.copyCommands] : [];
    print(
      [
        ...copy.map((c) => (typeof c === 'string' ? c : c.join(' '))),
        `# ${service.SYSTEMD_UNIT_PATH}`,
        service.systemdUnit(plan.paths),
        ...commands.map((c) => c.join(' ')),
      ].join('\n'),
    );
    return problems ? print(`${w.refused}\n${problems}`, EXIT.usage) : EXIT.ok;
  }
  if (problems) return print(`${w.refused}\n${problems}`, EXIT.usage);
  if (!platform.isRoot) return print(w.needsRoot, EXIT.usage);
  const copied = runCommands(plan.copyCommands, []);
  if (copied !== EXIT.ok) return copied;
  if (plan.paths.launcher) await writeLauncher(service.LINUX_INSTALL_DIR);
  await mkdir(dirname(service.SYSTEMD_UNIT_PATH), { recursive: true });
  await writeFile(service.SYSTEMD_UNIT_PATH, service.systemdUnit(plan.paths));
  return runCommands(
    commands,
    [['useradd']],
    'santong-agent service installed and started; see `systemctl status santong-agent`',
  );
}

/**
 * Windows: the task runs the bundle (or the executable) where it is, in a folder of its own that install locks
 * to administrators.
 */
async function installWindowsTask(
  bundle: string | null,
  executable: string | null,
  script: string,
  configPath: string,
  config: AgentConfig,
  dryRun: boolean,
  w: ReturnType<typeof serviceWordsFor>,
): Promise<number> {
  const installed = executable ?? bundle;
  const ownDir = installed !== null && /santong-agent/i.test(basename(dirname(installed)));
  if (!ownDir) return print(w.windowsOwnFolder, EXIT.usage);
  const installDir = dirname(installed);
  if (service.underUserProfile(installDir)) return print(w.windowsUserProfile(installDir), EXIT.usage);
  const updatable = executable === null && bundle !== null && (await selfUpdateReady(bundle, config));
  const launcher = updatable ? join(installDir, LAUNCHER_FILE) : undefined;
  if (!dryRun && updatable) await writeLauncher(installDir);
  const windows = {
    xmlPath: join(dirname(configPath), 'santong-agent-task.xml'),
    configPath,
    installDir,
  };
  const scriptPath = join(dirname(configPath), 'santong-agent-install.cmd');
  if (!dryRun) {
    await writeAsAdministrator(
      windows.xmlPath,
      service.windowsTaskFile(
        service.windowsTaskXml({
          node: process.execPath,
          script,
          configPath,
          launcher,
          executable: executable ?? undefined,
        }),
      ),
    );
    await writeAsAdministrator(scriptPath, service.windowsInstallScript(windows));
  }
  const commands = service.windowsInstallCommands(windows);
  return print(
    `run ${scriptPath} in an elevated cmd.exe, or these commands one by one (docs/agent-data.md explains them):\n${commands.join('\n')}`,
  );
}

async function uninstallService(os: NodeJS.Platform, isRoot: boolean, dryRun: boolean): Promise<number> {
  if (os === 'win32')
    return print(`run these in an elevated cmd.exe:\n${service.windowsUninstallCommands().join('\n')}`);
  const commands = service.systemdUninstallCommands();
  if (dryRun) return print(commands.map((c) => c.join(' ')).join('\n'));
  if (!isRoot) return print('uninstall-service needs root (sudo)', EXIT.usage);
  await rm(service.SYSTEMD_UNIT_PATH, { force: true });
  return runCommands(
    commands,
    [['systemctl', 'disable']],
    'santong-agent service removed; its settings and queue are kept',
  );
}

/**
 * Self-update runs the bundle under the launcher, which runs only what a pinned release key signed: so
 * it is turned on only when this bundle's signature (`santong-agent.mjs.sig`, from the county office
 * with the bundle) verifies now. Otherwise the service runs the bundle directly and never updates it.
 */
async function selfUpdateReady(bundle: string, config: AgentConfig): Promise<boolean> {
  const trusted = keysTrustedAfter(pinnedReleaseKeys(config), await readKeyStatements(bundle));
  const check = signedBundle(await readFile(bundle), await readSignatures(bundle), trusted);
  if ('problem' in check)
    log(
      'warn',
      `self-update stays off: ${bundle} ${check.problem}; put its .sig file beside it, as the county office gave it`,
    );
  return 'version' in check;
}

/** Writes a file a SYSTEM task will use: removed first, then created anew, so an account that made it beforehand does not own it. */
async function writeAsAdministrator(path: string, text: string | Buffer): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, text, { flag: 'wx' });
}

/** Runs commands in order; a failure of one listed in `mayFail` (the user exists already) is not fatal. */
function runCommands(commands: string[][], mayFail: string[][], done?: string): number {
  for (const [cmd, ...args] of commands) {
    const r = spawnSync(cmd!, args, { stdio: 'inherit' });
    const optional = mayFail.some((m) => m.every((part, i) => [cmd, ...args][i] === part));
    if (r.status !== 0 && !optional) return print(`failed: ${[cmd, ...args].join(' ')}`, EXIT.usage);
  }
  return done === undefined ? EXIT.ok : print(done);
}

function print(text: string, code: number = EXIT.ok): number {
  (code === EXIT.ok ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const expected = error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`santong-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(expected ? EXIT.usage : EXIT.notDelivered);
  },
);
