import { z } from 'zod';
import { chinaDateTime } from '../shared/time/china-time-text.ts';

/** The languages the agent speaks to people: Chinese by default, English on request. Logs stay English (journald). */
export const agentLangs = ['zh-CN', 'en'] as const;
export type AgentLang = (typeof agentLangs)[number];

export const langFlagSchema = z.enum(agentLangs, { error: '--lang takes zh-CN or en, e.g. --lang en' });

/** A locale name (zh_CN.UTF-8, en-US, zh-Hans-CN) as one of ours; undefined when it names neither (C, POSIX, fr_FR). */
function langOfLocale(locale: string | undefined): AgentLang | undefined {
  const l = locale?.trim().toLowerCase() ?? '';
  if (l.startsWith('zh')) return 'zh-CN';
  if (l.startsWith('en')) return 'en';
  return undefined;
}

/** `--lang` as typed: one of ours, or a message that names the flag and its values (a typo is the person's to fix). */
export function parseLangFlag(flag: string | undefined): AgentLang | undefined | { problem: string } {
  if (flag === undefined) return undefined;
  const parsed = langFlagSchema.safeParse(flag);
  return parsed.success ? parsed.data : { problem: parsed.error.issues[0]?.message ?? '--lang takes zh-CN or en' };
}

/**
 * The language to speak: `--lang`, then SANTONG_LANG, then the system locale (LC_ALL, LC_MESSAGES, LANG in
 * POSIX order; on Windows, where those are rarely set, the locale Intl reports), else Chinese.
 * The environment is a hint and ignored when it names neither language.
 */
export function pickLang(flag: AgentLang | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): AgentLang {
  if (flag !== undefined) return flag;
  const fromEnv = langOfLocale(env.SANTONG_LANG);
  if (fromEnv) return fromEnv;
  // POSIX: the first of these that is set decides, even when it names a language we do not speak.
  const posix = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  if (posix) return langOfLocale(posix) ?? 'zh-CN';
  if (platform === 'win32') return langOfLocale(Intl.DateTimeFormat().resolvedOptions().locale) ?? 'zh-CN';
  return 'zh-CN';
}

/** A moment as people read it: `2026-12-02 12:35 (北京时间)` or `2026-12-02 12:35 (Beijing time)`. */
export function beijingTime(at: string | number, lang: AgentLang): string {
  return `${chinaDateTime(at)} (${lang === 'en' ? 'Beijing time' : '北京时间'})`;
}
