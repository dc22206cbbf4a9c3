/**
 * Dates and timestamps read by the byte fast path and by the general path must agree on
 * every object: the same accepted values, the same rejections (line, column, reason).
 * Objects hold several lines and several objects go through one process, because the
 * fast path's date cache is module-global and must never let an invalid date through.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';
import { readBothWays } from './both-paths';
import { readAll, SAMPLE_LINES } from './support';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A real calendar date, formatted as the source writes it. */
const realDate = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`);

const edgeYear = fc.oneof(
  fc.constantFrom('0000', '0001', '0004', '0100', '1900', '1970', '2000', '2023', '2024', '2100', '9999'),
  fc.integer({ min: 0, max: 9999 }).map((y) => pad(y, 4)),
);
const edgeMonth = fc.oneof(fc.constantFrom(0, 1, 2, 12, 13), fc.integer({ min: 0, max: 99 })).map((m) => pad(m));
const edgeDay = fc.oneof(fc.constantFrom(0, 1, 28, 29, 30, 31, 32), fc.integer({ min: 0, max: 99 })).map((d) => pad(d));

/** Dates around every rule: zeros, month 13, day 32, Feb 29/30 in leap and common years. */
const edgeDate = fc.oneof(
  fc.tuple(edgeYear, edgeMonth, edgeDay).map(([y, m, d]) => `${y}-${m}-${d}`),
  fc.tuple(edgeYear, fc.constantFrom('28', '29', '30')).map(([y, d]) => `${y}-02-${d}`),
  fc.constantFrom(
    '0000-00-00',
    '0000-01-01',
    '0001-01-01',
    '9999-12-31',
    '9999-12-32',
    '2024-02-29',
    '2023-02-29',
    '2000-02-29',
    '1900-02-29',
    '2024-02-30',
  ),
  fc.constantFrom('2024-1-01', '2024-01-1', '2024/01/01', '20240101', '2024-01-01 ', ' 2024-01-01', '2024-01-0x'),
);
const dateText = fc.oneof(realDate, edgeDate);

const realTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`);
const edgeTime = fc
  .tuple(fc.constantFrom(0, 23, 24, 99), fc.constantFrom(0, 59, 60), fc.constantFrom(0, 59, 60, 61))
  .map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`);
/** Fractions of every length 0–7, and malformed ones. */
const fraction = fc.oneof(
  fc.constant(''),
  fc
    .integer({ min: 1, max: 7 })
    .chain((n) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }))
    .map((d) => `.${d.join('')}`),
  fc.constantFrom('.', '.000', '.999999', '.0000000', '.5x', '..5', ',123'),
);
const zone = fc.oneof({ arbitrary: fc.constant(''), weight: 6 }, { arbitrary: fc.constantFrom('Z', '+01:00', ' -0500', '+01'), weight: 1 });
const timestampText = fc.oneof(
  fc
    .tuple(dateText, fc.constantFrom(' ', 'T', 't', '_'), fc.oneof(realTime, edgeTime), fraction, zone)
    .map(([date, separator, time, digits, designator]) => `${date}${separator}${time}${digits}${designator}`),
  fc.constantFrom('0000-00-00 00:00:00', '0000-00-00T00:00:00.000', '9999-12-31 23:59:59.999999', '2024-02-29 24:00:00'),
);

const DATE_COLUMNS = ['agreed_delivery_date', 'agreed_payment_date'] as const;
const TIMESTAMP_COLUMNS = ['created_at', 'last_updated'] as const;
const sample = JSON.parse(SAMPLE_LINES.sales_order) as Record<string, unknown>;

/** Half the time a column keeps the sample's value, so that many lines are valid. */
const maybe = (text: fc.Arbitrary<string>) => fc.option(text, { freq: 2 });

/** A sales_order line with some date and timestamp values replaced, keys in one of two orders. */
const line = (keyOrder: readonly string[]) =>
  fc
    .record({
      agreed_delivery_date: maybe(dateText),
      agreed_payment_date: maybe(dateText),
      created_at: maybe(timestampText),
      last_updated: maybe(timestampText),
    })
    .map((replaced) => {
      const values: Record<string, unknown> = { ...sample };
      for (const column of [...DATE_COLUMNS, ...TIMESTAMP_COLUMNS]) {
        if (replaced[column] !== null) values[column] = replaced[column];
      }
      return `{${keyOrder.map((key) => `${JSON.stringify(key)}: ${JSON.stringify(values[key])}`).join(', ')}}`;
    });

/** The table's key order (the fast path's first guess) or the sample's (learnt after line 1). */
const TABLE_ORDER = SOURCE_TABLES.sales_order.columns.map((column) => column.name);
const SAMPLE_ORDER = Object.keys(sample);
const object = fc
  .constantFrom(TABLE_ORDER, SAMPLE_ORDER)
  .chain((order) => fc.array(line(order), { minLength: 1, maxLength: 8 }))
  .map((lines) => `${lines.join('\n')}\n`);

describe('dates and timestamps on the fast and general paths', () => {
  it('give identical rows and rejections, object after object in one process', () => {
    let fastLines = 0;
    let rejections = 0;
    fc.assert(
      fc.property(fc.array(object, { minLength: 1, maxLength: 4 }), (objects) => {
        for (const text of objects) {
          const { fast, general } = readBothWays('sales_order', text);
          expect(fast.rejected, text).toEqual(general.rejected);
          expect(fast.rows, text).toEqual(general.rows);
          fastLines += fast.fastLines;
          rejections += fast.rejected.length;
        }
      }),
      {
        numRuns: 400,
        examples: [[[`${SAMPLE_LINES.sales_order}\n${SAMPLE_LINES.sales_order.replace('"2022-11-07"', '"0000-00-00"')}\n`]]],
      },
    );
    // The comparison means something only if both outcomes were common.
    expect(fastLines).toBeGreaterThan(300);
    expect(rejections).toBeGreaterThan(300);
  });

  it.each([
    ['agreed_delivery_date', '"2022-11-07"', '"0000-00-00"', 'column "agreed_delivery_date": "0000-00-00" is not a valid date'],
    [
      'created_at',
      '"2022-11-03T14:20:52.186000"',
      '"0000-00-00 00:00:00"',
      'column "created_at": "0000-00-00 00:00:00" is not a valid timestamp',
    ],
  ])('rejects a zero %s on a line after a good one (never 1970-01-01)', async (column, good, zero, reason) => {
    const second = SAMPLE_LINES.sales_order.replace(good, zero);
    const { rows, rejected } = await readAll(`${SAMPLE_LINES.sales_order}\n${second}\n${second}\n`);
    expect(rows.map((row) => row.line)).toEqual([1]);
    expect(rejected).toMatchObject([
      { line: 2, column, reason },
      { line: 3, column, reason },
    ]);
  });
});
