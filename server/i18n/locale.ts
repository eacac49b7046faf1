import { en } from './en.ts';
import { zhCN, type Dictionary, type MessageKey } from './zh-CN.ts';
import { chinaDate, chinaDateTime, type Instant } from '../../shared/time/china-time-text.ts';

/*
 * The two languages of the dashboard: Chinese by default, English by a switch remembered in a cookie.
 * Numbers and percentages are formatted per language; dates and times are written one way in both, Beijing
 * wall-clock time in ISO order (time/china-time-text.ts, decision 130), where every reader of these pages is.
 */
export const langs = ['zh-CN', 'en'] as const;
export type Lang = (typeof langs)[number];
export const LANG_COOKIE = 'santong_lang';

/**
 * What a percentage can be a share of (decision 166): every percentage on a page or in a sentence says its
 * base in words (`占学校 72.5%`, `72.5% of schools`), from this closed set, so none reads as a state or a label.
 */
export const shareBases = [
  'target',
  'schools',
  'classrooms',
  'devices',
  'teachers',
  'spacesOpened',
  'probes',
  'standard',
] as const;
export type ShareBase = (typeof shareBases)[number];

const dictionaries: Record<Lang, Dictionary> = { 'zh-CN': zhCN, en };

export interface Locale {
  lang: Lang;
  t(key: MessageKey): string;
  /** A message with {name} placeholders filled in. */
  fill(key: MessageKey, values: Record<string, string | number>): string;
  /** A message key that is only known at run time (a state or type code); falls back to the raw value. */
  tOr(key: string, fallback: string): string;
  number(n: number | null, digits?: number): string;
  /** part ÷ whole as a percentage that names its base: `占学校 72.5%` / `72.5% of schools`; `—` when whole is 0. */
  share(part: number, whole: number | null, base: ShareBase): string;
  /** An instant as Beijing date and minute, `2026-12-02 00:35`. */
  dateTime(at: Instant | null): string;
  /** An instant as its Beijing date, `2026-12-02`. */
  date(at: Instant | null): string;
  /** A division's name for the page: Chinese, or in English its pinyin where the reference has one (decision 168). */
  divisionName(d: { name: string; pinyin?: string | null }): string;
  /** A plan's title: Chinese, or in English the plan's English title where it gives one (decision 168). */
  planName(plan: { name: string; nameEn?: string | undefined }): string;
}

/** The language a cookie value asks for, zh-CN when absent or unknown. */
export function langFrom(cookie: string | undefined): Lang {
  return langs.find((l) => l === cookie) ?? 'zh-CN';
}

const cache = new Map<Lang, Locale>();

/** The formatters and dictionary of one language (built once per language). */
export function localeFor(lang: Lang): Locale {
  const cached = cache.get(lang);
  if (cached) return cached;
  const dictionary = dictionaries[lang];
  const percentFormat = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const none = dictionary['value.none'];
  const locale: Locale = {
    lang,
    t: (key) => dictionary[key],
    fill: (key, values) =>
      dictionary[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m)),
    tOr: (key, fallback) => (key in dictionary ? dictionary[key as MessageKey] : fallback),
    number: (n, digits = 0) =>
      n === null ? none : new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n),
    share: (part, whole, base) =>
      whole === null || whole === 0
        ? none
        : dictionary[`share.${base}`].replace('{p}', percentFormat.format(part / whole)),
    dateTime: (at) => (at === null ? none : chinaDateTime(at)),
    date: (at) => (at === null ? none : chinaDate(at)),
    divisionName: (d) => (lang === 'en' && d.pinyin ? d.pinyin : d.name),
    planName: (plan) => (lang === 'en' && plan.nameEn ? plan.nameEn : plan.name),
  };
  cache.set(lang, locale);
  return locale;
}
