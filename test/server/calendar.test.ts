import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarOf, openTime, openWindowEnd, openWindowStart, type Calendar } from '../../server/coverage/calendar.ts';

const DAY = 86_400_000;
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('school calendar arithmetic', () => {
  const winter = calendarOf([{ startsOn: '2027-01-15', endsOn: '2027-02-25' }]);

  it('reads closures as whole local days in China Standard Time, merging overlaps', () => {
    expect(winter).toEqual([[at('2027-01-15T00:00:00'), at('2027-02-26T00:00:00')]]);
    const merged = calendarOf([
      { startsOn: '2027-07-10', endsOn: '2027-08-31' },
      { startsOn: '2027-08-20', endsOn: '2027-09-01' },
      { startsOn: '2027-09-02', endsOn: '2027-09-02' },
    ]);
    expect(merged).toEqual([[at('2027-07-10T00:00:00'), at('2027-09-03T00:00:00')]]);
  });

  it('stops the clock during a closure', () => {
    const before = at('2027-01-10T12:00:00');
    const after = at('2027-03-01T12:00:00');
    expect(openTime(winter, before, after)).toBe(4.5 * DAY + 3.5 * DAY);
    expect(openTime(winter, at('2027-01-20T00:00:00'), at('2027-02-01T00:00:00'))).toBe(0);
  });

  it('reaches a window back through a closure: evidence from before the winter holiday still counts after it', () => {
    const now = at('2027-03-05T00:00:00');
    const start = openWindowStart(winter, now, 30 * DAY);
    // 7 open days since 26 Feb, then the 42-day holiday costs nothing, then 23 more open days before 15 Jan.
    expect(start).toBe(at('2026-12-23T00:00:00'));
    expect(openTime(winter, start, now)).toBe(30 * DAY);
    expect(openTime(winter, start - 1, now)).toBe(30 * DAY + 1);
  });

  it('stretches the window to the start of a closure that touches it', () => {
    const end = at('2027-03-03T00:00:00'); // 5 open days after the holiday
    expect(openWindowStart(winter, end, 5 * DAY)).toBe(at('2027-01-15T00:00:00'));
    expect(openWindowEnd(winter, at('2027-01-10T00:00:00'), 5 * DAY)).toBe(at('2027-02-26T00:00:00'));
  });

  it('agrees with openTime on any calendar (property)', () => {
    const closures = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 60 })), { maxLength: 6 })
      .map((spans) =>
        calendarOf(spans.map(([offset, length]) => ({ startsOn: day(offset), endsOn: day(offset + length) }))),
      );
    const instant = fc.integer({ min: 0, max: 500 * DAY });
    const duration = fc.integer({ min: 0, max: 120 * DAY });
    fc.assert(
      fc.property(closures, instant, duration, (calendar: Calendar, t, d) => {
        const base = at('2027-01-01T00:00:00');
        const start = openWindowStart(calendar, base + t, d);
        expect(openTime(calendar, start, base + t)).toBeLessThanOrEqual(d);
        expect(openTime(calendar, start - 1, base + t)).toBeGreaterThan(d);
        const end = openWindowEnd(calendar, base + t, d);
        expect(openTime(calendar, base + t, end)).toBeLessThanOrEqual(d);
        expect(openTime(calendar, base + t, end + 1)).toBeGreaterThan(d);
      }),
      { numRuns: 500 },
    );
  });
});

function day(offset: number): string {
  return new Date(Date.parse('2027-01-01T00:00:00Z') + offset * DAY).toISOString().slice(0, 10);
}
