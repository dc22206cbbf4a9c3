import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateTimeProblem, isDateTimeProblem, readDate, readTimestamp } from '../../lambdas/core/objects/naive-datetime';
import { daysFromCivil } from '../../lambdas/core/time';

const date = (text: string) => readDate(text, 0, text.length);
const timestamp = (text: string) => readTimestamp(text, 0, text.length);
const problem = (result: number) => (isDateTimeProblem(result) ? dateTimeProblem(result) : result);

/** The reference: UTC arithmetic on Date (setUTCFullYear so years 1–99 are not read as 19xx). */
function utcMilliseconds(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, ms);
  return d.getTime();
}
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('dates (YYYY-MM-DD → days since 1970-01-01)', () => {
  it('counts days from the epoch', () => {
    expect(date('1970-01-01')).toBe(0);
    expect(date('1970-01-02')).toBe(1);
    expect(date('1969-12-31')).toBe(-1);
    expect(date('2024-11-14')).toBe(20041);
    expect(date('2022-11-07')).toBe(19303);
    expect(date('2000-02-29')).toBe(11016);
    expect(date('0001-01-01')).toBe(-719162);
    expect(date('9999-12-31')).toBe(2932896);
  });

  it.each(['2024-02-30', '2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-01-00', '2024-01-32', '0000-01-01'])(
    'rejects the impossible date %s',
    (text) => {
      expect(problem(date(text))).toBe('impossible');
    },
  );

  it('accepts leap days of leap years only', () => {
    expect(date('2024-02-29')).toBe(19782);
    expect(date('2000-02-29')).not.toBeLessThan(0);
  });

  it.each([
    '2024-1-05',
    '2024/01/05',
    '24-01-05',
    '2024-01-05 ',
    ' 2024-01-05',
    '2024-01-05T00:00:00',
    '20240105',
    '',
    '2024-0a-05',
    '٢٠٢٤-01-05',
  ])('rejects %j as not a date', (text) => {
    expect(problem(date(text))).toBe('format');
  });

  it('agrees with UTC calendar arithmetic for every date of years 1–9999', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        const text = `${pad(y, 4)}-${pad(m)}-${pad(dd)}`;
        expect(date(text)).toBe(utcMilliseconds(y, m, dd) / 86_400_000);
        expect(daysFromCivil(y, m, dd)).toBe(utcMilliseconds(y, m, dd) / 86_400_000);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('naive timestamps (→ ms since 1970-01-01T00:00:00, same clock)', () => {
  it('reads the real-data shapes: 6 fractional digits, none, T or space', () => {
    expect(timestamp('2022-11-03T14:20:52.186000')).toBe(1667485252186);
    expect(timestamp('2022-11-03 14:20:52.186000')).toBe(1667485252186);
    expect(timestamp('2023-02-16T09:26:10')).toBe(1676539570000);
    expect(timestamp('2023-02-16 09:26:10')).toBe(1676539570000);
  });

  it('takes 0–6 fractional digits, truncating beyond the millisecond', () => {
    const base = timestamp('2024-11-14 09:30:12');
    expect(timestamp('2024-11-14 09:30:12.3')).toBe(base + 300);
    expect(timestamp('2024-11-14 09:30:12.34')).toBe(base + 340);
    expect(timestamp('2024-11-14 09:30:12.345')).toBe(base + 345);
    expect(timestamp('2024-11-14 09:30:12.3456')).toBe(base + 345);
    expect(timestamp('2024-11-14 09:30:12.34599')).toBe(base + 345);
    expect(timestamp('2024-11-14 09:30:12.999999')).toBe(base + 999);
    expect(problem(timestamp('2024-11-14 09:30:12.3456789'))).toBe('format');
    expect(problem(timestamp('2024-11-14 09:30:12.'))).toBe('format');
  });

  it('handles the ends of the day and the epoch boundary', () => {
    expect(timestamp('1970-01-01 00:00:00')).toBe(0);
    expect(timestamp('1969-12-31 23:59:59.999')).toBe(-1);
    expect(timestamp('2024-11-14 23:59:59.999')).toBe(20042 * 86_400_000 - 1);
  });

  it.each(['2024-11-14 24:00:00', '2024-11-14 23:60:00', '2024-11-14 23:59:60', '2024-02-30 10:00:00', '2023-02-29T00:00:00'])(
    'rejects the impossible timestamp %s',
    (text) => {
      expect(problem(timestamp(text))).toBe('impossible');
    },
  );

  it.each([
    '2024-11-14T09:30:12Z',
    '2024-11-14T09:30:12.345Z',
    '2024-11-14 09:30:12+01:00',
    '2024-11-14 09:30:12-05',
    '2024-11-14T09:30:12.123456+0100',
    '2024-11-14 09:30:12 +00:00',
    '2024-11-14T09:30:12z',
  ])('rejects %s: source timestamps carry no zone', (text) => {
    expect(problem(timestamp(text))).toBe('zone');
  });

  it.each([
    '2024-11-14',
    '2024-11-14 9:30:12',
    '2024-11-14 09:30',
    '2024-11-14X09:30:12',
    '2024-11-14 09-30-12',
    '2024-11-14 09:30:12 ',
    '2024-11-14 09:30:12.abc',
    '2024-11-14 09:30:12 PM',
  ])('rejects %j as not a timestamp', (text) => {
    expect(problem(timestamp(text))).toBe('format');
  });

  it('agrees with UTC arithmetic for random timestamps with 0–6 fractional digits', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 999 }),
        fc.constantFrom(' ', 'T'),
        (d, fractionDigits, micros, separator) => {
          const ms = d.getUTCMilliseconds();
          const fraction = `${pad(ms, 3)}${pad(micros, 3)}`.slice(0, fractionDigits);
          const text =
            `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${separator}` +
            `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
            (fractionDigits > 0 ? `.${fraction}` : '');
          const keptMs = fractionDigits === 0 ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
          const expected = utcMilliseconds(
            d.getUTCFullYear(),
            d.getUTCMonth() + 1,
            d.getUTCDate(),
            d.getUTCHours(),
            d.getUTCMinutes(),
            d.getUTCSeconds(),
            keptMs,
          );
          expect(timestamp(text)).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('does not depend on the machine time zone (the suite runs under TZ=UTC and TZ=Pacific/Kiritimati)', () => {
    // A zone-dependent implementation (new Date(text)) would shift this by the offset.
    expect(timestamp('2022-11-03 14:20:52.186')).toBe(Date.UTC(2022, 10, 3, 14, 20, 52, 186));
    // Pacific/Kiritimati skipped 1994-12-31 entirely; a naive timestamp on that day still exists.
    expect(timestamp('1994-12-31 12:00:00')).toBe(Date.UTC(1994, 11, 31, 12));
  });
});
