/*
 * China Standard Time: the one home of local-day and local-year arithmetic. CST is UTC+8 all year (no
 * daylight saving since 1991), so a local date is a fixed 24-hour span and plain arithmetic is exact.
 * Days, school holidays, snapshots, retention and plan years are all counted in it.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The IANA zone for cron schedules. */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';
/** China Standard Time's distance from UTC: UTC+8, the same every day of the year. */
export const CHINA_OFFSET_MS = 8 * HOUR_MS;

/** The local date of an instant, as YYYY-MM-DD. */
export function localDay(at: number): string {
  return new Date(at + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first instant of a local date (YYYY-MM-DD). */
export function startOfLocalDay(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

/** The instant a local day ends (the next day's first instant). */
export function endOfLocalDay(day: string): number {
  return startOfLocalDay(day) + DAY_MS;
}

/** The local hour (0–23) of an instant. */
export function localHour(at: number): number {
  return Math.floor(((at + CHINA_OFFSET_MS) % DAY_MS) / HOUR_MS);
}

/** The local calendar year of an instant. */
export function localYear(at: number): number {
  return new Date(at + CHINA_OFFSET_MS).getUTCFullYear();
}

/** The first instant of a local calendar year. */
export function startOfLocalYear(year: number): number {
  return Date.parse(`${year}-01-01T00:00:00+08:00`);
}
