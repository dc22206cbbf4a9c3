/**
 * The bad-row corpus through the real transform: each bad line, between two valid ones,
 * is rejected with a precise error (object key, line, column, reason, the raw line) in
 * rejected/<table>/<sequence>.jsonl, counted in RowsRejected and logged, while the valid
 * rows around it reach the Parquet files with their exact values.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TransformMetric } from '../../lambdas/core/metric-names';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import type { WarehouseTableName } from '../../lambdas/core/schema/warehouse-tables';
import { BadInputHarness } from './support/harness';
import { body, validLine, withRawValue } from './support/source-lines';

const h = new BadInputHarness();
beforeEach(() => h.reset());
afterAll(() => h.restore());

/** Where each table's rows land (tables without join partners, so every valid row shows). */
const TARGET: Partial<Record<SourceTableName, WarehouseTableName>> = {
  sales_order: 'fact_sales_order',
  purchase_order: 'fact_purchase_order',
  payment: 'fact_payment',
  design: 'dim_design',
  currency: 'dim_currency',
  transaction: 'dim_transaction',
};

interface BadRowCase {
  readonly name: string;
  readonly table: SourceTableName;
  /** The bad line, built from a valid line of the table with id 2. */
  readonly line: (valid: string) => string | Uint8Array;
  readonly column?: string;
  readonly reason: string;
}

const cases: BadRowCase[] = [
  // Truncated and malformed JSON
  {
    name: 'a truncated line',
    table: 'sales_order',
    line: (l) => l.slice(0, 120),
    reason: 'malformed JSON at the end of the line: unterminated string',
  },
  {
    name: 'a line cut after a value',
    table: 'sales_order',
    line: (l) => l.slice(0, l.indexOf(', "design_id"')),
    reason: 'malformed JSON at the end of the line: expected "," or "}"',
  },
  {
    name: 'a JSON number, not an object',
    table: 'sales_order',
    line: () => '42',
    reason: 'malformed JSON at character 1: expected a JSON object "{"',
  },
  {
    name: 'a byte order mark in the middle of the object',
    table: 'sales_order',
    line: (l) => `\uFEFF${l}`,
    reason: 'malformed JSON at character 1: expected a JSON object "{"',
  },
  // Structure
  {
    name: 'a duplicate key, even with another value',
    table: 'sales_order',
    line: (l) => `${l.slice(0, -1)}, "units_sold": 5}`,
    column: 'units_sold',
    reason: 'duplicate key "units_sold"',
  },
  {
    name: 'a nested object',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'units_sold', '{"a": 1}'),
    column: 'units_sold',
    reason: 'key "units_sold" has a nested object; row values must be scalars',
  },
  {
    name: 'a nested array',
    table: 'design',
    line: (l) => withRawValue(l, 'design_name', '["Wooden"]'),
    column: 'design_name',
    reason: 'key "design_name" has a nested array; row values must be scalars',
  },
  // Wrong types
  {
    name: 'a string for an integer',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'units_sold', '"many"'),
    column: 'units_sold',
    reason: 'column "units_sold": expected an integer, got "many"',
  },
  {
    name: 'a boolean for money',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'unit_price', 'true'),
    column: 'unit_price',
    reason: 'column "unit_price": expected a decimal number, got true',
  },
  {
    name: 'a number for a date',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'agreed_delivery_date', '20241107'),
    column: 'agreed_delivery_date',
    reason: 'column "agreed_delivery_date": expected a date string "YYYY-MM-DD", got 20241107',
  },
  {
    name: 'a fractional integer',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'staff_id', '1.5'),
    column: 'staff_id',
    reason: 'column "staff_id": 1.5 is not an integer',
  },
  {
    name: 'an integer beyond int32',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'currency_id', '3000000000'),
    column: 'currency_id',
    reason: 'column "currency_id": 3000000000 is out of the integer (int32) range',
  },
  {
    name: 'a null id',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'sales_order_id', 'null'),
    column: 'sales_order_id',
    reason: 'column "sales_order_id": null in a non-null column',
  },
  {
    name: 'a boolean written as the string "true"',
    table: 'payment',
    line: (l) => withRawValue(l, 'paid', '"true"'),
    column: 'paid',
    reason: 'column "paid": expected a boolean (true, false, "t" or "f"), got "true"',
  },
  {
    name: 'an unknown enum value',
    table: 'transaction',
    line: (l) => withRawValue(l, 'transaction_type', '"REFUND"'),
    column: 'transaction_type',
    reason: 'column "transaction_type": "REFUND" is not one of SALE, PURCHASE',
  },
  {
    name: 'a currency code over varchar(3)',
    table: 'currency',
    line: (l) => withRawValue(l, 'currency_code', '"EURO"'),
    column: 'currency_code',
    reason: 'column "currency_code": "EURO" is longer than 3 characters',
  },
  {
    name: 'U+0000 in text',
    table: 'design',
    line: (l) => withRawValue(l, 'design_name', '"Wood\\u0000en"'),
    column: 'design_name',
    reason: 'column "design_name": text contains U+0000, which the warehouse cannot store',
  },
  // Impossible dates and timestamps
  {
    name: '30 February',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'agreed_delivery_date', '"2024-02-30"'),
    column: 'agreed_delivery_date',
    reason: 'column "agreed_delivery_date": "2024-02-30" is not a valid date',
  },
  {
    name: '29 February of a common year',
    table: 'purchase_order',
    line: (l) => withRawValue(l, 'agreed_payment_date', '"2023-02-29"'),
    column: 'agreed_payment_date',
    reason: 'column "agreed_payment_date": "2023-02-29" is not a valid date',
  },
  {
    name: 'month 13',
    table: 'payment',
    line: (l) => withRawValue(l, 'payment_date', '"2024-13-01"'),
    column: 'payment_date',
    reason: 'column "payment_date": "2024-13-01" is not a valid date',
  },
  {
    name: 'year 0',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'agreed_payment_date', '"0000-01-01"'),
    column: 'agreed_payment_date',
    reason: 'column "agreed_payment_date": "0000-01-01" is not a valid date',
  },
  {
    name: 'an unpadded date',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'agreed_payment_date', '"2024-2-3"'),
    column: 'agreed_payment_date',
    reason: 'column "agreed_payment_date": "2024-2-3" is not a date (expected YYYY-MM-DD)',
  },
  {
    name: 'hour 24',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'created_at', '"2024-11-14 24:00:00"'),
    column: 'created_at',
    reason: 'column "created_at": "2024-11-14 24:00:00" is not a valid timestamp',
  },
  {
    name: 'a leap second',
    table: 'design',
    line: (l) => withRawValue(l, 'created_at', '"2016-12-31 23:59:60"'),
    column: 'created_at',
    reason: 'column "created_at": "2016-12-31 23:59:60" is not a valid timestamp',
  },
  {
    name: 'a zoned timestamp',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'last_updated', '"2024-11-14T09:30:12.345Z"'),
    column: 'last_updated',
    reason: 'column "last_updated": "2024-11-14T09:30:12.345Z" has a time zone designator; source timestamps are naive',
  },
  // Money
  {
    name: 'money over numeric(10,2)',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'unit_price', '100000000.00'),
    column: 'unit_price',
    reason: 'column "unit_price": 100000000.00 is out of range for numeric(10,2)',
  },
  {
    name: 'negative money over numeric(10,2)',
    table: 'payment',
    line: (l) => withRawValue(l, 'payment_amount', '"-100000000"'),
    column: 'payment_amount',
    reason: 'column "payment_amount": "-100000000" is out of range for numeric(10,2)',
  },
  {
    name: 'money beyond any float',
    table: 'purchase_order',
    line: (l) => withRawValue(l, 'item_unit_price', '1e400'),
    column: 'item_unit_price',
    reason: 'column "item_unit_price": 1e400 is out of range for numeric(10,2)',
  },
  {
    name: 'a fraction of a cent',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'unit_price', '3.945'),
    column: 'unit_price',
    reason: 'column "unit_price": 3.945 has more than 2 decimal places',
  },
  {
    name: 'NaN money',
    table: 'sales_order',
    line: (l) => withRawValue(l, 'unit_price', '"NaN"'),
    column: 'unit_price',
    reason: 'column "unit_price": "NaN" is not a number',
  },
  // Bytes
  {
    name: 'invalid UTF-8 in a text value',
    table: 'design',
    line: (l) => Buffer.concat([Buffer.from(l.slice(0, 30)), Buffer.from([0xc3, 0x28]), Buffer.from(l.slice(30))]),
    reason: 'invalid UTF-8 at byte 31 of the line',
  },
  {
    name: 'an overlong UTF-8 encoding of "/"',
    table: 'design',
    line: (l) => Buffer.concat([Buffer.from(l.slice(0, 20)), Buffer.from([0xc0, 0xaf]), Buffer.from(l.slice(20))]),
    reason: 'invalid UTF-8 at byte 21 of the line',
  },
];

/** The object's body: valid row 1, the bad line, valid row 3; optionally CRLF line ends. */
function objectBody(table: SourceTableName, bad: string | Uint8Array, lineEnd = '\n'): Buffer {
  const id = SOURCE_TABLES[table].primaryKey;
  const valid = (n: number) => Buffer.from(`${validLine(table, { [id]: n })}${lineEnd}`);
  return Buffer.concat([valid(1), typeof bad === 'string' ? Buffer.from(bad) : Buffer.from(bad), Buffer.from(lineEnd), valid(3)]);
}

describe('a bad row between two good ones', () => {
  it.each(cases)('$name: rejected naming line and column, the good rows flow', async ({ table, line, column, reason }) => {
    const id = SOURCE_TABLES[table].primaryKey;
    const bad = line(validLine(table, { [id]: 2 }));
    const key = h.key(table, 4);
    const { summary, error } = await h.transform(key, objectBody(table, bad));
    expect(error).toBeUndefined();
    expect(summary).toMatchObject({
      outcome: 'processed',
      rowsIn: 3,
      rowsRejected: 1,
      rejectedKey: `processed/rejected/${table}/0000000004.jsonl`,
    });

    const [rejection, ...others] = h.rejected(table, 4);
    expect(others).toEqual([]);
    expect(rejection).toEqual({
      objectKey: key,
      line: 2,
      ...(column === undefined ? {} : { column }),
      reason,
      raw: typeof bad === 'string' ? bad : expect.any(String),
    });
    expect((await h.rows(table, 4, TARGET[table]!)).map((row) => row[id])).toEqual([1, 3]);
    expect(h.metrics.total(TransformMetric.RowsRejected, table)).toBe(1);
    expect(h.log.at('warn')).toContainEqual(
      expect.objectContaining({ message: 'rows rejected', attributes: expect.objectContaining({ sourceKey: key, rowsRejected: 1 }) }),
    );
    expect(h.manifest(table, 4)).toMatchObject({ rowsIn: 3, rowsRejected: 1, rejectedKey: summary!.rejectedKey });
  });

  it('a line over the 1 MiB limit: skipped unread, its head kept for the rejection', async () => {
    const huge = withRawValue(validLine('design', { design_id: 2 }), 'design_name', JSON.stringify('x'.repeat(1_100_000)));
    const key = h.key('design', 1);
    const { summary } = await h.transform(key, objectBody('design', huge));
    expect(summary).toMatchObject({ rowsIn: 3, rowsRejected: 1 });
    const [rejection] = h.rejected('design', 1);
    expect(rejection).toMatchObject({
      objectKey: key,
      line: 2,
      reason: `line is ${Buffer.byteLength(huge)} bytes long, over the limit of 1048576 bytes; skipped`,
    });
    expect(rejection!.raw).toBe(`${huge.slice(0, 500)}…`);
    expect((await h.rows('design', 1, 'dim_design')).map((row) => row.design_id)).toEqual([1, 3]);
  });

  it('the raw line of a long bad row is cut to 500 characters', async () => {
    const long = withRawValue(validLine('design', { design_id: 2 }), 'file_name', JSON.stringify(`${'y'.repeat(900)}\u0000`));
    await h.transform(h.key('design', 1), objectBody('design', long));
    expect(h.rejected('design', 1)[0]!.raw).toBe(`${long.slice(0, 500)}…`);
  });
});

describe('encodings that are not bad', () => {
  it('a byte order mark at the start, CRLF line ends and blank lines: every row flows, line numbers count every line', async () => {
    const lines = [1, 2, 3].map((n) => validLine('sales_order', { sales_order_id: n }));
    const text = `\uFEFF${lines[0]}\r\n\r\n   \r\n${lines[1]}\r\n${withRawValue(lines[2]!, 'units_sold', '"x"')}\r\n`;
    const { summary } = await h.transform(h.key('sales_order', 1), text);
    expect(summary).toMatchObject({ rowsIn: 3, rowsRejected: 1 });
    expect((await h.rows('sales_order', 1, 'fact_sales_order')).map((r) => r.sales_order_id)).toEqual([1, 2]);
    // The rejection names line 5 (blank lines count) and its raw line has no trailing CR.
    expect(h.rejected('sales_order', 1)).toEqual([
      expect.objectContaining({ line: 5, column: 'units_sold', raw: withRawValue(lines[2]!, 'units_sold', '"x"') }),
    ]);
  });

  it('negative money and money as a numeric string flow exactly, to the cent', async () => {
    const text = body(
      validLine('payment', { payment_id: 1, payment_amount: -99_999_999_99n }),
      withRawValue(validLine('payment', { payment_id: 2 }), 'payment_amount', '"-0.01"'),
      withRawValue(validLine('payment', { payment_id: 3 }), 'payment_amount', '99999999.99'),
      withRawValue(validLine('payment', { payment_id: 4 }), 'payment_amount', '"1.10"'),
    );
    const { summary } = await h.transform(h.key('payment', 1), text);
    expect(summary).toMatchObject({ rowsIn: 4, rowsRejected: 0 });
    expect((await h.rows('payment', 1, 'fact_payment')).map((r) => r.payment_amount)).toEqual([-9_999_999_999n, -1n, 9_999_999_999n, 110n]);
  });
});
