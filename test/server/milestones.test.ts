import { describe, expect, it } from 'vitest';
import { expectedCumulative, progressOf } from '../../server/plan/milestones.ts';

const schools = {
  target: 1492,
  targetYear: 2016,
  milestones: [
    { year: 2015, cumulative: 1050, increment: 300 },
    { year: 2016, cumulative: 1492, increment: 442 },
  ],
};
const teachers = {
  target: 17859,
  targetYear: 2020,
  milestones: [
    { year: 2015, cumulative: 6000 },
    { year: 2016, cumulative: 9000 },
    { year: 2017, cumulative: 12000 },
  ],
};
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('milestones', () => {
  it('interpolates within a year from the previous milestone to this one', () => {
    expect(expectedCumulative(schools, at('2016-01-01T00:00:00'))).toBe(1050);
    expect(expectedCumulative(schools, at('2016-07-02T00:00:00'))).toBeCloseTo(1050 + 442 * (183 / 366), 6);
    expect(expectedCumulative(schools, at('2017-01-01T00:00:00'))).toBe(1492);
  });

  it('starts the first year from what existed before it, and ends at the target after the plan', () => {
    expect(expectedCumulative(schools, at('2015-01-01T00:00:00'))).toBe(750);
    expect(expectedCumulative(schools, at('2014-06-01T00:00:00'))).toBe(750);
    expect(expectedCumulative(schools, at('2026-11-28T00:00:00'))).toBe(1492);
    // A milestone without an increment starts its first year from zero.
    expect(expectedCumulative(teachers, at('2015-01-01T00:00:00'))).toBe(0);
    // After the last milestone the target stands even if the last milestone fell short of it.
    expect(expectedCumulative(teachers, at('2019-03-01T00:00:00'))).toBe(17859);
  });

  it('calls a unit on track at exactly the expected share and behind just below it', () => {
    const midYear = at('2016-07-02T00:00:00');
    const share = expectedCumulative(schools, midYear) / 1492;
    expect(progressOf(schools, Math.ceil(share * 200), 200, midYear).status).toBe('on-track');
    expect(progressOf(schools, Math.floor(share * 200) - 1, 200, midYear).status).toBe('behind');
    expect(progressOf(schools, 0, 0, midYear)).toMatchObject({ status: 'no-data', measuredShare: null });
  });
});
