import { describe, expect, it } from 'vitest';
import { civilFromDays, compactTimestamp, isoDate, isoDayOfWeek, splitTimestamp } from '../../lambdas/core/time';

const DAY = 86_400_000;

describe('calendar arithmetic on day numbers', () => {
  it('agrees with the proleptic Gregorian calendar across four centuries', () => {
    // Date's UTC accessors are pure arithmetic: an independent oracle in any machine zone.
    const actual: unknown[] = [];
    const expected: unknown[] = [];
    for (let days = -146_097; days <= 146_097; days += 37) {
      const oracle = new Date(days * DAY);
      actual.push({ ...civilFromDays(days), dayOfWeek: isoDayOfWeek(days) });
      expected.push({
        year: oracle.getUTCFullYear(),
        month: oracle.getUTCMonth() + 1,
        day: oracle.getUTCDate(),
        dayOfWeek: oracle.getUTCDay() === 0 ? 7 : oracle.getUTCDay(),
      });
    }
    expect(actual).toEqual(expected);
  });

  it('handles leap days and year ends', () => {
    expect(isoDate(Date.UTC(2024, 1, 29) / DAY)).toBe('2024-02-29');
    expect(isoDate(Date.UTC(2000, 1, 29) / DAY)).toBe('2000-02-29');
    expect(isoDate(Date.UTC(2023, 11, 31) / DAY)).toBe('2023-12-31');
    expect(isoDate(-1)).toBe('1969-12-31');
  });

  it('splits a timestamp into a day and a time of day with milliseconds', () => {
    const ms = Date.UTC(2024, 10, 14, 9, 30, 12, 345);
    expect(splitTimestamp(ms)).toEqual({ date: 20041, time: 34_212_345 });
    expect(splitTimestamp(Date.UTC(2024, 10, 14, 23, 59, 59, 999))).toEqual({ date: 20041, time: DAY - 1 });
    expect(splitTimestamp(Date.UTC(1969, 11, 31, 23, 0, 0, 1))).toEqual({ date: -1, time: 82_800_001 });
  });

  it('formats the fixed-width compact timestamp used in versions', () => {
    expect(compactTimestamp(Date.UTC(2024, 10, 14, 9, 30, 12, 345))).toBe('20241114T093012345');
    expect(compactTimestamp(Date.UTC(2022, 0, 3, 0, 0, 0, 7))).toBe('20220103T000000007');
  });
});
