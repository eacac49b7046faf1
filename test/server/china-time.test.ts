import { describe, expect, it } from 'vitest';
import {
  endOfLocalDay,
  localDay,
  localHour,
  localYear,
  startOfLocalDay,
  startOfLocalYear,
} from '../../shared/time/china-time.ts';

describe('China Standard Time', () => {
  it('puts 16:00 UTC on the next local day, and 15:59:59.999 on the same one', () => {
    expect(localDay(Date.parse('2026-12-01T15:59:59.999Z'))).toBe('2026-12-01');
    expect(localDay(Date.parse('2026-12-01T16:00:00.000Z'))).toBe('2026-12-02');
    expect(localHour(Date.parse('2026-12-01T16:00:00.000Z'))).toBe(0);
    expect(localHour(Date.parse('2026-12-02T09:30:00.000Z'))).toBe(17);
  });

  it('gives every local day 24 hours, across UTC month and year ends', () => {
    for (const day of ['2026-02-28', '2026-12-31', '2028-02-29']) {
      expect(endOfLocalDay(day) - startOfLocalDay(day)).toBe(86_400_000);
      expect(localDay(startOfLocalDay(day))).toBe(day);
      expect(localDay(endOfLocalDay(day) - 1)).toBe(day);
    }
    expect(startOfLocalDay('2026-01-01')).toBe(Date.parse('2025-12-31T16:00:00Z'));
  });

  it('counts plan years in local time: New Year comes eight hours before UTC', () => {
    expect(localYear(Date.parse('2026-12-31T16:00:00Z'))).toBe(2027);
    expect(localYear(Date.parse('2026-12-31T15:59:59Z'))).toBe(2026);
    expect(startOfLocalYear(2027)).toBe(Date.parse('2026-12-31T16:00:00Z'));
  });
});
