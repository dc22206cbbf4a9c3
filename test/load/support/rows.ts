/**
 * Warehouse rows as the transform writes them (typed values, see CellValue), with
 * names and codes from the shared reference rows (test/support/source-rows.ts). Dates and
 * times are computed with Date.UTC, pure arithmetic, the same in every machine zone; money
 * is parsed from its decimal text, never a float.
 */
import { createHash } from 'node:crypto';
import type { CellValue } from '../../../lambdas/core/schema/column-types';
import { FACT_TABLES, type FactTableName } from '../../../lambdas/core/schema/warehouse-tables';
import { dateAttributes } from '../../../lambdas/core/transform/dim-date';
import { day, referenceText as reference } from '../../support/source-rows';

export type Row = Record<string, CellValue>;

export { day };

/** `HH:MM:SS.mmm` → milliseconds since midnight. */
export function time(text: string): number {
  const [h, m, s] = text.split(':').map(Number) as [number, number, number];
  return Math.round(((h * 60 + m) * 60 + s) * 1000);
}

/** `12.34` → 1234n (scale 2), from the digits. */
export function money(text: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!match) throw new Error(`bad test money ${text}`);
  const unscaled = BigInt(match[2]! + match[3]!);
  return match[1] ? -unscaled : unscaled;
}

/** A source version: `<10-digit sequence>.<last_updated YYYYMMDDTHHMMSSmmm>`. */
export function version(lastUpdated: string, sequence: number): string {
  return `${String(sequence).padStart(10, '0')}.${lastUpdated}`;
}

/** A stand-in for the transform's version hash: MD5 of the business columns. */
function withHash(table: FactTableName, row: Row): Row {
  if (row.version_hash !== undefined) return row;
  const business = FACT_TABLES[table].columns.filter((c) => c.name !== 'version_hash').map((c) => String(row[c.name]));
  return { ...row, version_hash: createHash('md5').update(business.join('|')).digest('hex') };
}

const stamp = {
  created_date: day('2024-11-14'),
  created_time: time('09:30:12.345'),
  last_updated_date: day('2024-11-14'),
  last_updated_time: time('09:30:12.345'),
};

export const facts = {
  salesOrder: (o: Row = {}): Row =>
    withHash('fact_sales_order', {
      sales_order_id: 1,
      ...stamp,
      sales_staff_id: 1,
      counterparty_id: 1,
      units_sold: 100,
      unit_price: money('12.34'),
      currency_id: 1,
      design_id: 1,
      agreed_payment_date: day('2024-11-20'),
      agreed_delivery_date: day('2024-11-18'),
      agreed_delivery_location_id: 1,
      ...o,
    }),
  purchaseOrder: (o: Row = {}): Row =>
    withHash('fact_purchase_order', {
      purchase_order_id: 1,
      ...stamp,
      staff_id: 1,
      counterparty_id: 1,
      item_code: reference('purchase_order', 'item_code'),
      item_quantity: 371,
      item_unit_price: money('361.39'),
      currency_id: 1,
      agreed_delivery_date: day('2024-11-19'),
      agreed_payment_date: day('2024-11-21'),
      agreed_delivery_location_id: 1,
      ...o,
    }),
  payment: (o: Row = {}): Row =>
    withHash('fact_payment', {
      payment_id: 1,
      ...stamp,
      transaction_id: 1,
      counterparty_id: 1,
      payment_amount: money('552548.62'),
      currency_id: 1,
      payment_type_id: 1,
      paid: false,
      payment_date: day('2024-11-15'),
      ...o,
    }),
};

const v1 = version('20241114T093012345', 1);

export const dims = {
  staff: (o: Row = {}): Row => ({
    staff_id: 1,
    first_name: reference('staff', 'first_name'),
    last_name: reference('staff', 'last_name'),
    department_name: 'Purchasing',
    location: reference('department', 'location'),
    email_address: reference('staff', 'email_address'),
    source_version: `${v1}/${v1}`,
    ...o,
  }),
  location: (o: Row = {}): Row => ({
    location_id: 1,
    address_line_1: reference('address', 'address_line_1'),
    address_line_2: null,
    district: null,
    city: reference('address', 'city'),
    postal_code: reference('address', 'postal_code'),
    country: reference('address', 'country'),
    phone: reference('address', 'phone'),
    source_version: v1,
    ...o,
  }),
  counterparty: (o: Row = {}): Row => ({
    counterparty_id: 1,
    counterparty_legal_name: reference('counterparty', 'counterparty_legal_name'),
    counterparty_legal_address_line_1: reference('address', 'address_line_1'),
    counterparty_legal_address_line_2: null,
    counterparty_legal_district: null,
    counterparty_legal_city: reference('address', 'city'),
    counterparty_legal_postal_code: reference('address', 'postal_code'),
    counterparty_legal_country: reference('address', 'country'),
    counterparty_legal_phone_number: reference('address', 'phone'),
    source_version: `${v1}/${v1}`,
    ...o,
  }),
  currency: (o: Row = {}): Row => ({
    currency_id: 1,
    currency_code: reference('currency', 'currency_code'),
    currency_name: 'British Pound',
    source_version: v1,
    ...o,
  }),
  design: (o: Row = {}): Row => ({
    design_id: 1,
    design_name: reference('design', 'design_name'),
    file_location: reference('design', 'file_location'),
    file_name: reference('design', 'file_name'),
    source_version: v1,
    ...o,
  }),
  paymentType: (o: Row = {}): Row => ({
    payment_type_id: 1,
    payment_type_name: reference('payment_type', 'payment_type_name'),
    source_version: v1,
    ...o,
  }),
  transaction: (o: Row = {}): Row => ({
    transaction_id: 1,
    transaction_type: 'SALE',
    sales_order_id: 1,
    purchase_order_id: null,
    source_version: v1,
    ...o,
  }),
};

/** dim_date rows (as the transform derives them) for every date the given fact rows reference. */
export function datesOf(table: FactTableName, rows: readonly Row[]): Row[] {
  const columns = FACT_TABLES[table].columns.filter((c) => c.references === 'dim_date').map((c) => c.name);
  const days = new Set<number>();
  for (const row of rows) for (const column of columns) if (row[column] !== null) days.add(row[column] as number);
  return [...days].sort((a, b) => a - b).map((d) => ({ ...dateAttributes(d) }));
}
