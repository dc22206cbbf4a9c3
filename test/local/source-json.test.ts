import { describe, expect, it } from 'vitest';
import { formatMoney, formatTimestamp, formatWatermark, parseTimestamp, serializeRow } from '../../local/generator';

const staff = {
  staff_id: 1,
  first_name: 'Zoë',
  last_name: "O'Callaghan",
  department_id: 4,
  email_address: 'zoe.ocallaghan@terrifictotes.com',
  created_at: '2022-11-03T14:20:51.563000',
  last_updated: '2022-11-03T14:20:51',
};

describe('the source text form', () => {
  it.each([
    [36139n, '361.39'],
    [390n, '3.9'],
    [300n, '3.0'],
    [5n, '0.05'],
    [50n, '0.5'],
    [0n, '0.0'],
    [-1234n, '-12.34'],
    [-5n, '-0.05'],
    [9_999_999_999n, '99999999.99'],
    [39_989_200, '399892.0'],
  ])('writes %s cents as the JSON number %s, like the dump’s Python floats', (cents, text) => {
    expect(formatMoney(cents)).toBe(text);
  });

  it('refuses money that is not a whole number of cents', () => {
    expect(() => formatMoney(3.5)).toThrow(/whole number of cents/);
  });

  it('writes timestamps as Python isoformat does: six fractional digits, none when zero', () => {
    const ms = Date.UTC(2024, 10, 14, 9, 30, 12, 345);
    expect(formatTimestamp(ms)).toBe('2024-11-14T09:30:12.345000');
    expect(formatTimestamp(Date.UTC(2024, 10, 14, 9, 30, 12, 0))).toBe('2024-11-14T09:30:12');
    expect(formatTimestamp(Date.UTC(2024, 10, 14, 9, 30, 12, 7))).toBe('2024-11-14T09:30:12.007000');
    expect(formatWatermark(ms)).toBe('20241114T093012345');
    expect(parseTimestamp('2024-11-14T09:30:12.345000')).toBe(ms);
    expect(parseTimestamp('2024-11-14T09:30:12')).toBe(Date.UTC(2024, 10, 14, 9, 30, 12));
  });

  it('writes a row in the table definition’s column order, in the dump’s layout, UTF-8 kept as is', () => {
    expect(serializeRow('staff', staff)).toBe(
      '{"staff_id": 1, "first_name": "Zoë", "last_name": "O\'Callaghan", "department_id": 4, ' +
        '"email_address": "zoe.ocallaghan@terrifictotes.com", "created_at": "2022-11-03T14:20:51.563000", ' +
        '"last_updated": "2022-11-03T14:20:51"}',
    );
  });

  it('refuses rows that do not fit the table definition', () => {
    const { email_address: _, ...missing } = staff;
    expect(() => serializeRow('staff', missing)).toThrow(/lacks column "email_address"/);
    expect(() => serializeRow('staff', { ...staff, extra: 1 })).toThrow(/unknown columns extra/);
    expect(() => serializeRow('staff', { ...staff, department_id: '4' })).toThrow(/staff.department_id must be a number/);
    expect(() => serializeRow('staff', { ...staff, first_name: null })).toThrow(/staff.first_name is not nullable/);
    expect(() => serializeRow('staff', { ...staff, department_id: 4.5 })).toThrow(/not an integer/);
    const order = {
      sales_order_id: 1,
      design_id: 1,
      staff_id: 1,
      counterparty_id: 1,
      units_sold: 10,
      unit_price: 3.94,
      currency_id: 1,
      agreed_delivery_date: '2024-11-15',
      agreed_payment_date: '2024-11-16',
      agreed_delivery_location_id: 1,
      created_at: staff.created_at,
      last_updated: staff.created_at,
    };
    // Money must arrive as cents (bigint), never as a float.
    expect(() => serializeRow('sales_order', order)).toThrow(/sales_order.unit_price must be a bigint/);
    expect(serializeRow('sales_order', { ...order, unit_price: 394n })).toContain('"unit_price": 3.94,');
  });
});
