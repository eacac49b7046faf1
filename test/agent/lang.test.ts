import { describe, expect, it } from 'vitest';
import { beijingTime, parseLangFlag, pickLang } from '../../agent/lang.ts';

describe('the language the agent speaks', () => {
  it('takes --lang first, then SANTONG_LANG, then the system locale in POSIX order, else Chinese', () => {
    expect(pickLang('en', { SANTONG_LANG: 'zh-CN', LANG: 'zh_CN.UTF-8' }, 'linux')).toBe('en');
    expect(pickLang('zh-CN', { SANTONG_LANG: 'en' }, 'linux')).toBe('zh-CN');
    expect(pickLang(undefined, { SANTONG_LANG: 'en', LANG: 'zh_CN.UTF-8' }, 'linux')).toBe('en');
    expect(pickLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }, 'linux')).toBe('en');
    expect(pickLang(undefined, { LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_GB.UTF-8' }, 'linux')).toBe('zh-CN');
    expect(pickLang(undefined, { LANG: 'en_US.UTF-8' }, 'linux')).toBe('en');
    // A locale that names neither language, or none at all: Chinese, the language of the schools.
    expect(pickLang(undefined, { LANG: 'C.UTF-8' }, 'linux')).toBe('zh-CN');
    expect(pickLang(undefined, { SANTONG_LANG: 'fr', LANG: 'fr_FR.UTF-8' }, 'linux')).toBe('zh-CN');
    expect(pickLang(undefined, {}, 'linux')).toBe('zh-CN');
  });

  it('refuses an unknown --lang with a message naming the flag and its values', () => {
    expect(parseLangFlag('fr')).toEqual({ problem: '--lang takes zh-CN or en, e.g. --lang en' });
    expect(parseLangFlag('en')).toBe('en');
    expect(parseLangFlag(undefined)).toBeUndefined();
  });

  it('on Windows without LANG, follows the locale Intl reports', () => {
    const intl = Intl.DateTimeFormat().resolvedOptions().locale.toLowerCase();
    expect(pickLang(undefined, {}, 'win32')).toBe(intl.startsWith('en') ? 'en' : 'zh-CN');
  });
});

describe('times for people', () => {
  it('are Beijing time (UTC+8), dated in ISO order, with the zone in words', () => {
    expect(beijingTime('2026-12-02T04:35:10.123Z', 'zh-CN')).toBe('2026-12-02 12:35 (北京时间)');
    expect(beijingTime('2026-12-02T04:35:10.123Z', 'en')).toBe('2026-12-02 12:35 (Beijing time)');
    // After 16:00 UTC it is already the next day in Beijing, across a year's end too.
    expect(beijingTime(Date.parse('2026-12-31T16:30:00Z'), 'zh-CN')).toBe('2027-01-01 00:30 (北京时间)');
  });
});
