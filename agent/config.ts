import { readFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, win32 } from 'node:path';
import { z } from 'zod';
import { writeFileDurable } from './durable-file.ts';
import { enrollWordsFor } from './enroll-words.ts';
import type { AgentLang } from './lang.ts';
import { defaultOutboxLimits } from './outbox.ts';

/**
 * Probed to decide "the internet is reachable". Sites that answer from inside China without a
 * proxy abroad, plus the national education platform (国家智慧教育公共服务平台) a classroom uses.
 */
export const defaultInternetTargets = ['https://www.baidu.com/', 'https://www.qq.com/', 'https://www.smartedu.cn/'];

const target = z
  .string()
  .trim()
  .regex(/^(https?:\/\/\S+|\[?[\w.:-]+\]?:\d{1,5})$/, 'a URL or host:port');

/** The agent's settings file; the device key in it is why the file is readable by the agent's user only. */
export const agentConfigSchema = z.object({
  serverUrl: z.url({ protocol: /^https?$/, error: 'the santong server URL, e.g. https://santong.example.edu.cn' }),
  deviceId: z.string().min(1),
  deviceKey: z.string().min(1),
  school: z.object({ code: z.string(), name: z.string() }),
  classroom: z.object({ code: z.string(), name: z.string() }).nullable().default(null),
  /**
   * Release keys pinned at enrollment (base64 SPKI DER, Ed25519): a self-update installs, and the launcher
   * runs, only bundles signed by one of them or by a key they vouched for (docs/decisions/060-offline-release-keys.md).
   */
  releaseKeys: z.array(z.string().min(1).max(128)).max(32).default([]),
  /** The one key agents enrolled before issue 11 pinned; trusted like releaseKeys. */
  releaseSigningKey: z.string().min(1).optional(),
  proxy: z.url({ error: 'a proxy URL, e.g. http://10.1.1.1:3128' }).optional(),
  caFile: z.string().min(1).optional(),
  stateDir: z.string().min(1).optional(),
  internetTargets: z.array(target).min(1).max(16).default(defaultInternetTargets),
  extraTargets: z
    .array(target)
    .max(16)
    .default([])
    .describe('e.g. the county resource platform, reported but not deciding "internet"'),
  intervalMinutes: z.number().int().min(5).max(1440).default(60),
  throughput: z
    .object({
      enabled: z.boolean().default(true),
      maxBytes: z
        .number()
        .int()
        .min(100_000)
        .max(64 * 1024 * 1024)
        .default(25_000_000),
      minIntervalHours: z.number().min(1).max(168).default(6),
      // Local school hours: the link is measured as classes use it, like Giga Meter's tests in school hours.
      fromHour: z.number().int().min(0).max(23).default(8),
      toHour: z.number().int().min(1).max(24).default(17),
    })
    .default({ enabled: true, maxBytes: 25_000_000, minIntervalHours: 6, fromHour: 8, toHour: 17 }),
  outbox: z
    .object({
      maxCount: z.number().int().min(1).max(100_000),
      maxBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(1024 ** 3),
    })
    .default(defaultOutboxLimits),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Every release key this PC pinned at enrollment, whichever version of the agent enrolled it. */
export function pinnedReleaseKeys(config: Pick<AgentConfig, 'releaseKeys' | 'releaseSigningKey'>): string[] {
  return [...new Set([...config.releaseKeys, ...(config.releaseSigningKey ? [config.releaseSigningKey] : [])])];
}
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

export type Platform = { platform: NodeJS.Platform; isRoot: boolean; env: NodeJS.ProcessEnv; home: string };

/** The running platform, as the path rules below need it. */
export function currentPlatform(): Platform {
  return { platform: process.platform, isRoot: process.getuid?.() === 0, env: process.env, home: homedir() };
}

/**
 * Where the settings file lives: /etc when root, the XDG config dir for a user, %ProgramData% on Windows.
 * Windows paths are joined as Windows joins them whatever runs this, since the Windows installer's build
 * (agent/package/windows-installer.ts) asks these rules on Linux.
 */
export function defaultConfigPath(p: Platform): string {
  if (p.platform === 'win32') return win32.join(p.env.ProgramData ?? 'C:\\ProgramData', 'santong-agent', 'config.json');
  if (p.isRoot) return '/etc/santong-agent/config.json';
  return join(p.env.XDG_CONFIG_HOME || join(p.home, '.config'), 'santong-agent', 'config.json');
}

/** Where the outbox and schedule live: /var/lib for the system service, else beside the settings file. */
export function stateDirFor(config: Pick<AgentConfig, 'stateDir'>, configPath: string, p: Platform): string {
  if (config.stateDir) return config.stateDir;
  if (p.platform !== 'win32' && configPath === '/etc/santong-agent/config.json') return '/var/lib/santong-agent';
  if (p.platform !== 'win32' && !p.isRoot && configPath === defaultConfigPath(p)) {
    return join(p.env.XDG_STATE_HOME || join(p.home, '.local', 'state'), 'santong-agent');
  }
  return p.platform === 'win32' ? win32.join(win32.dirname(configPath), 'state') : join(dirname(configPath), 'state');
}

export class ConfigError extends Error {}

/** Reads and validates the settings file; throws ConfigError with a message that says what to do. */
export async function loadConfig(path: string, lang: AgentLang = 'zh-CN'): Promise<AgentConfig> {
  const w = enrollWordsFor(lang);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(w.notEnrolled(path));
    if (code === 'EACCES') throw new ConfigError(w.cannotRead(path));
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(w.notJson(path));
  }
  const parsed = agentConfigSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new ConfigError(`${w.invalid(path)}\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Writes the settings durably with mode 0600 in a 0700 directory, since the file holds the device key. */
export async function saveConfig(path: string, config: AgentConfigInput): Promise<void> {
  const valid = agentConfigSchema.parse(config);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileDurable(path, `${JSON.stringify(valid, null, 2)}\n`, 0o600);
}
