/**
 * Typed values and bad rows, per column type, through the whole reader with real-shaped
 * rows. Every rejection must name the column and say what is wrong with the value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOne, sampleLine } from './support';

const NOV_3_2022 = 19299; // days since 1970-01-01

async function rejectionOf(table: Parameters<typeof sampleLine>[0], overrides: Record<string, string | undefined>) {
  const { row, rejection } = await readOne(table, sampleLine(table, overrides));
  expect(row).toBeUndefined();
  return rejection;
}

async function typedValueOf(table: Parameters<typeof sampleLine>[0], column: string, raw: string) {
  const { row, rejection } = await readOne(table, sampleLine(table, { [column]: raw }));
  expect(rejection).toBeUndefined();
  return row?.[column];
}

describe('real rows', () => {
  it('a sales_order row becomes exact typed values', async () => {
    const { row, rejection } = await readOne('sales_order', sampleLine('sales_order'));
    expect(rejection).toBeUndefined();
    expect(row).toEqual({
      sales_order_id: 2,
      design_id: 3,
      staff_id: 19,
      counterparty_id: 8,
      units_sold: 42972,
      unit_price: 394n,
      currency_id: 2,
      agreed_delivery_date: NOV_3_2022 + 4,
      agreed_payment_date: NOV_3_2022 + 5,
      agreed_delivery_location_id: 8,
      created_at: Date.UTC(2022, 10, 3, 14, 20, 52, 186),
      last_updated: Date.UTC(2022, 10, 3, 14, 20, 52, 186),
    });
    // Columns come in table order, whatever the key order of the line.
    expect(Object.keys(row!)[0]).toBe('sales_order_id');
    expect(Object.keys(row!).at(-1)).toBe('last_updated');
  });

  it('purchase_order money written as an integral float (593.0) is exact', async () => {
    expect(await typedValueOf('purchase_order', 'item_unit_price', '593.0')).toBe(59300n);
  });

  it('address with a null address_line_2 keeps the null', async () => {
    const { row } = await readOne('address', sampleLine('address'));
    expect(row).toMatchObject({ address_id: 1, address_line_2: null, district: 'Avon', postal_code: '28441' });
  });

  it('transaction with a null purchase_order_id', async () => {
    const { row } = await readOne('transaction', sampleLine('transaction'));
    expect(row).toMatchObject({ transaction_type: 'SALE', sales_order_id: 1, purchase_order_id: null });
  });

  it('payment with money as a string, "f" and a timestamp without T', async () => {
    const { row, rejection } = await readOne('payment', sampleLine('payment'));
    expect(rejection).toBeUndefined();
    expect(row).toMatchObject({
      payment_amount: 55254862n,
      paid: false,
      payment_date: NOV_3_2022 + 1,
      created_at: Date.UTC(2022, 10, 3, 14, 20, 52, 187),
      company_ac_number: 67305075,
    });
  });
});

describe('integer columns', () => {
  it.each([
    ['42972', 42972],
    ['2.0', 2],
    ['2.00', 2],
    ['2e0', 2],
    ['-5', -5],
    ['0', 0],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
  ])('%s → %d', async (raw, expected) => {
    expect(await typedValueOf('sales_order', 'units_sold', raw)).toBe(expected);
  });

  it.each([
    ['2.5', 'column "units_sold": 2.5 is not an integer'],
    ['2147483648', 'column "units_sold": 2147483648 is out of the integer (int32) range'],
    ['-2147483649', 'column "units_sold": -2147483649 is out of the integer (int32) range'],
    ['1e10', 'column "units_sold": 1e10 is out of the integer (int32) range'],
    ['"5"', 'column "units_sold": expected an integer, got "5"'],
    ['true', 'column "units_sold": expected an integer, got true'],
    ['null', 'column "units_sold": null in a non-null column'],
  ])('%s is a bad row', async (raw, reason) => {
    expect(await rejectionOf('sales_order', { units_sold: raw })).toMatchObject({ column: 'units_sold', reason, line: 1 });
  });

  it('null is fine where the column is nullable', async () => {
    expect(await typedValueOf('transaction', 'sales_order_id', 'null')).toBeNull();
  });
});

describe('money columns (numeric(10,2)), exact to the cent', () => {
  it.each([
    ['361.39', 36139n],
    ['"361.39"', 36139n],
    ['0.1', 10n],
    ['0.2', 20n],
    ['0.30', 30n],
    ['99999999.99', 9999999999n],
    ['"99999999.99"', 9999999999n],
    ['-0.01', -1n],
    ['"-3"', -300n],
    ['"3.5"', 350n],
    ['"3.500"', 350n],
    ['3.94', 394n],
    ['1.15', 115n],
    ['3.5e2', 35000n],
  ])('%s → %s cents', async (raw, cents) => {
    expect(await typedValueOf('sales_order', 'unit_price', raw)).toBe(cents);
  });

  it.each([
    ['12.345', 'column "unit_price": 12.345 has more than 2 decimal places'],
    ['"12.345"', 'column "unit_price": "12.345" has more than 2 decimal places'],
    ['0.30000000000000004', 'column "unit_price": 0.30000000000000004 has more than 2 decimal places'],
    ['100000000', 'column "unit_price": 100000000 is out of range for numeric(10,2)'],
    ['"abc"', 'column "unit_price": "abc" is not a number'],
    ['""', 'column "unit_price": "" is not a number'],
    ['" 3.5"', 'column "unit_price": " 3.5" is not a number'],
    ['"NaN"', 'column "unit_price": "NaN" is not a number'],
    ['false', 'column "unit_price": expected a decimal number, got false'],
    ['null', 'column "unit_price": null in a non-null column'],
  ])('%s is a bad row', async (raw, reason) => {
    expect(await rejectionOf('sales_order', { unit_price: raw })).toMatchObject({ column: 'unit_price', reason });
  });

  it('every cent value in range reads back exactly, as number or string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: -9_999_999_999n, max: 9_999_999_999n }), fc.boolean(), async (cents, quoted) => {
        const sign = cents < 0n ? '-' : '';
        const magnitude = (cents < 0n ? -cents : cents).toString().padStart(3, '0');
        const literal = `${sign}${magnitude.slice(0, -2)}.${magnitude.slice(-2)}`;
        expect(await typedValueOf('payment', 'payment_amount', quoted ? `"${literal}"` : literal)).toBe(cents);
      }),
      { numRuns: 300 },
    );
  });
});

describe('text and enum columns', () => {
  it('text is kept as is, escapes decoded', async () => {
    expect(await typedValueOf('address', 'address_line_1', '"Flat 1, \\"The Old Mill\\" \\u00e9"')).toBe('Flat 1, "The Old Mill" é');
  });

  it('varchar(3) is enforced in characters', async () => {
    expect(await typedValueOf('currency', 'currency_code', '"€€€"')).toBe('€€€');
    expect(await rejectionOf('currency', { currency_code: '"GBPX"' })).toMatchObject({
      column: 'currency_code',
      reason: 'column "currency_code": "GBPX" is longer than 3 characters',
    });
  });

  it.each([
    ['true', 'column "city": expected a string, got true'],
    ['null', 'column "city": null in a non-null column'],
    ['"a\\u0000b"', 'column "city": text contains U+0000, which the warehouse cannot store'],
  ])('%s is a bad row in a text column', async (raw, reason) => {
    expect(await rejectionOf('address', { city: raw })).toMatchObject({ column: 'city', reason });
  });

  it('enum values must be listed', async () => {
    expect(await typedValueOf('payment_type', 'payment_type_name', '"PURCHASE_REFUND"')).toBe('PURCHASE_REFUND');
    expect(await rejectionOf('payment_type', { payment_type_name: '"sales_receipt"' })).toMatchObject({
      column: 'payment_type_name',
      reason: 'column "payment_type_name": "sales_receipt" is not one of SALES_RECEIPT, SALES_REFUND, PURCHASE_PAYMENT, PURCHASE_REFUND',
    });
  });
});

describe('date and timestamp columns', () => {
  it('dates are days since 1970-01-01', async () => {
    expect(await typedValueOf('sales_order', 'agreed_delivery_date', '"2024-02-29"')).toBe(19782);
  });

  it.each([
    ['"2024-02-30"', 'column "agreed_delivery_date": "2024-02-30" is not a valid date'],
    ['"2023-02-29"', 'column "agreed_delivery_date": "2023-02-29" is not a valid date'],
    ['"2024-13-01"', 'column "agreed_delivery_date": "2024-13-01" is not a valid date'],
    ['"14/11/2024"', 'column "agreed_delivery_date": "14/11/2024" is not a date (expected YYYY-MM-DD)'],
    ['20241114', 'column "agreed_delivery_date": expected a date string "YYYY-MM-DD", got 20241114'],
  ])('%s is a bad row', async (raw, reason) => {
    expect(await rejectionOf('sales_order', { agreed_delivery_date: raw })).toMatchObject({ column: 'agreed_delivery_date', reason });
  });

  it.each([
    ['"2022-11-03T14:20:52.186000"', Date.UTC(2022, 10, 3, 14, 20, 52, 186)],
    ['"2022-11-03 14:20:52"', Date.UTC(2022, 10, 3, 14, 20, 52)],
    ['"2022-11-03 14:20:52.1"', Date.UTC(2022, 10, 3, 14, 20, 52, 100)],
    ['"2022-11-03 14:20:52.12"', Date.UTC(2022, 10, 3, 14, 20, 52, 120)],
    ['"2022-11-03 14:20:52.123"', Date.UTC(2022, 10, 3, 14, 20, 52, 123)],
    ['"2022-11-03 14:20:52.1239"', Date.UTC(2022, 10, 3, 14, 20, 52, 123)],
    ['"2022-11-03 14:20:52.12399"', Date.UTC(2022, 10, 3, 14, 20, 52, 123)],
    ['"2022-11-03 14:20:52.123999"', Date.UTC(2022, 10, 3, 14, 20, 52, 123)],
  ])('timestamp %s is a naive wall clock', async (raw, ms) => {
    expect(await typedValueOf('sales_order', 'last_updated', raw)).toBe(ms);
  });

  it.each([
    ['"2022-11-03T14:20:52Z"', 'column "created_at": "2022-11-03T14:20:52Z" has a time zone designator; source timestamps are naive'],
    [
      '"2022-11-03T14:20:52.186+01:00"',
      'column "created_at": "2022-11-03T14:20:52.186+01:00" has a time zone designator; source timestamps are naive',
    ],
    ['"2022-11-03 25:00:00"', 'column "created_at": "2022-11-03 25:00:00" is not a valid timestamp'],
    [
      '"2022-11-03 14:20:52.1234567"',
      'column "created_at": "2022-11-03 14:20:52.1234567" is not a timestamp (expected YYYY-MM-DD HH:MM:SS with 0-6 fractional digits)',
    ],
    ['1667485252186', 'column "created_at": expected a timestamp string, got 1667485252186'],
  ])('%s is a bad row', async (raw, reason) => {
    expect(await rejectionOf('sales_order', { created_at: raw })).toMatchObject({ column: 'created_at', reason });
  });
});

describe('boolean columns', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['"t"', true],
    ['"f"', false],
  ])('%s → %s', async (raw, expected) => {
    expect(await typedValueOf('payment', 'paid', raw)).toBe(expected);
  });

  it.each(['"true"', '"false"', '"T"', '"yes"', '1', '0', 'null'])('%s is a bad row', async (raw) => {
    const rejection = await rejectionOf('payment', { paid: raw });
    expect(rejection?.column).toBe('paid');
    expect(rejection?.reason).toBe(
      raw === 'null'
        ? 'column "paid": null in a non-null column'
        : `column "paid": expected a boolean (true, false, "t" or "f"), got ${raw}`,
    );
  });
});
