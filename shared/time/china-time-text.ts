import { CHINA_OFFSET_MS, localDay } from './china-time.ts';

/*
 * How an instant or a day is written for people (pages, exports, printed checklists): Beijing wall-clock
 * time in ISO 8601 order, `2026-12-02` and `2026-12-02 00:35`, a 24-hour clock from 00:00 to 23:59, in
 * Chinese and English alike (decision 130). Built on plain arithmetic rather than Intl: CST has no daylight
 * saving, and Intl's "en" with hour12:false writes midnight as 24:35 and dates as 12/02/2026.
 * Machine fields of the API are not written here: they stay ISO 8601 in UTC.
 */

/** An instant given as epoch milliseconds or as an ISO 8601 string. */
export type Instant = number | string;

/** Epoch milliseconds of an instant (NaN for a string that is not a date). */
export function instantMs(at: Instant): number {
  return typeof at === 'number' ? at : Date.parse(at);
}

// The Beijing wall clock of an instant, spelt as ISO 8601 without its zone: `2026-12-02T00:35:12.345`.
const wallClock = (ms: number) => new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 23);

/** The Beijing date of an instant: `2026-12-02`. */
export function chinaDate(at: Instant): string {
  const ms = instantMs(at);
  return Number.isFinite(ms) ? localDay(ms) : String(at);
}

/** The Beijing date and minute of an instant: `2026-12-02 00:35` (never 24:35). */
export function chinaDateTime(at: Instant): string {
  const ms = instantMs(at);
  return Number.isFinite(ms) ? wallClock(ms).slice(0, 16).replace('T', ' ') : String(at);
}

/** An instant in ISO 8601 with Beijing's offset stated, to the second: `2026-12-02T00:35:12+08:00`. */
export function chinaIsoWithOffset(at: Instant): string {
  const ms = instantMs(at);
  return Number.isFinite(ms) ? `${wallClock(ms).slice(0, 19)}+08:00` : String(at);
}

/**
 * The Beijing wall-clock time of an instant as a Date whose UTC fields read it. Excel and WPS know no time
 * zones: a cell holds a wall-clock serial number, so this is what a spreadsheet cell should store.
 */
export function chinaWallClockDate(at: Instant): Date | null {
  const ms = instantMs(at);
  return Number.isFinite(ms) ? new Date(ms + CHINA_OFFSET_MS) : null;
}

/** A local day (`YYYY-MM-DD`) as a Date at that day's UTC midnight: the day's spreadsheet serial. */
export function dayAsDate(day: string): Date | null {
  const ms = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March; a day that does not round-trip is no day.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day ? new Date(ms) : null;
}
