import { describe, expect, it } from 'vitest';
import { localeFor } from '../../server/i18n/locale.ts';
import {
  chinaDate,
  chinaDateTime,
  chinaIsoWithOffset,
  chinaWallClockDate,
  dayAsDate,
} from '../../shared/time/china-time-text.ts';

/*
 * The rule for dates and times people read (decision 130): Beijing wall-clock time, ISO order, 24-hour clock
 * from 00:00 to 23:59, the same in Chinese and English.
 */
describe('dates and times for people', () => {
  it('writes the minutes after Beijing midnight as 00:xx on the new day, never 24:xx', () => {
    const at = Date.parse('2026-12-01T16:35:00Z');
    expect(chinaDateTime(at)).toBe('2026-12-02 00:35');
    expect(chinaDate(at)).toBe('2026-12-02');
    expect(chinaIsoWithOffset(at)).toBe('2026-12-02T00:35:00+08:00');
    for (const lang of ['zh-CN', 'en'] as const) {
      expect(localeFor(lang).dateTime(at)).toBe('2026-12-02 00:35');
      expect(localeFor(lang).date(at)).toBe('2026-12-02');
    }
  });

  it('keeps 23:59 on its own day and midnight exactly on the next', () => {
    expect(chinaDateTime('2026-12-01T15:59:59.999Z')).toBe('2026-12-01 23:59');
    expect(chinaDate('2026-12-01T15:59:59.999Z')).toBe('2026-12-01');
    expect(chinaDateTime('2026-12-01T16:00:00.000Z')).toBe('2026-12-02 00:00');
    expect(chinaIsoWithOffset('2026-12-01T15:59:59.999Z')).toBe('2026-12-01T23:59:59+08:00');
  });

  it('starts the new year in Beijing eight hours before UTC does', () => {
    const at = Date.parse('2026-12-31T16:00:00Z'); // still 2026 in UTC
    expect(chinaDateTime(at)).toBe('2027-01-01 00:00');
    expect(chinaIsoWithOffset(at)).toBe('2027-01-01T00:00:00+08:00');
    expect(chinaDateTime(at - 1)).toBe('2026-12-31 23:59');
  });

  it('never moves by daylight saving: UTC+8 in January, March, July and November alike', () => {
    // The spring-forward and fall-back days of Europe and North America, and mid-summer.
    for (const utc of [
      '2026-01-15T04:00:00Z',
      '2026-03-08T04:00:00Z',
      '2026-03-29T04:00:00Z',
      '2026-07-15T04:00:00Z',
      '2026-11-01T04:00:00Z',
    ])
      expect(chinaDateTime(utc).slice(11)).toBe('12:00');
  });

  it('agrees with the IANA zone Asia/Shanghai on a 24-hour clock, across four years', () => {
    // An independent reckoning: Intl with hourCycle h23 (the setting "en" with hour12:false gets wrong).
    const intl = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const from = Date.parse('2025-01-01T00:00:00Z');
    for (let at = from; at < from + 4 * 366 * 86_400_000; at += 7 * 3_600_000 + 37 * 60_000)
      expect(chinaDateTime(at)).toBe(intl.format(at));
  });

  it('gives spreadsheets the Beijing wall clock (Excel knows no zones) and days at their own midnight', () => {
    expect(chinaWallClockDate('2026-12-01T16:35:20.500Z')?.toISOString()).toBe('2026-12-02T00:35:20.500Z');
    expect(dayAsDate('2026-12-02')?.toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(dayAsDate('2026-02-30')).toBe(null);
    expect(chinaWallClockDate('not a date')).toBe(null);
  });

  it('shows none for a missing instant and leaves a string that is no date as it is', () => {
    expect(localeFor('zh-CN').dateTime(null)).toBe('—');
    expect(chinaDateTime('soon')).toBe('soon');
  });
});
