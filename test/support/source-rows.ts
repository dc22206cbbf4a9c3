/**
 * One reference row per source table, from the real totesys data, defined once and given in
 * the two forms tests need:
 * - `line(table)`: as an ingestion object holds it (JSON values, timestamps and dates as text);
 * - `rows[table]()`: typed, as the ingestion reader yields it (for remodelling tests).
 * The typed form is derived by column type from the one schema (SOURCE_TABLES): timestamps and
 * dates with Date.UTC (pure arithmetic, the same in every machine zone), money from its decimal
 * text into an unscaled bigint (never a float).
 */
import type { SourceRow } from '../../lambdas/core/objects/types';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';

const DAY = 86_400_000;

/** Money as its decimal text, so the typed form is exact; written to JSON as a number. */
class Decimal {
  constructor(readonly text: string) {}
}
const decimal = (text: string) => new Decimal(text);

type ReferenceValue = string | number | boolean | null | Decimal;

const at = '2022-11-03T14:20:49.962000';

/** The reference rows, as the source holds them. */
const REFERENCE: Record<SourceTableName, Record<string, ReferenceValue>> = {
  address: {
    address_id: 1,
    address_line_1: '6826 Herzog Via',
    address_line_2: null,
    district: null,
    city: 'New Patienceburgh',
    postal_code: '28441',
    country: 'Turkey',
    phone: '1803 637401',
    created_at: at,
    last_updated: at,
  },
  counterparty: {
    counterparty_id: 1,
    counterparty_legal_name: 'Fahey and Sons',
    legal_address_id: 1,
    commercial_contact: 'Micheal Toy',
    delivery_contact: 'Mrs. Lucy Runolfsdottir',
    created_at: at,
    last_updated: at,
  },
  currency: { currency_id: 1, currency_code: 'GBP', created_at: at, last_updated: at },
  department: {
    department_id: 1,
    department_name: 'Sales',
    location: 'Manchester',
    manager: 'Richard Roma',
    created_at: at,
    last_updated: at,
  },
  design: {
    design_id: 8,
    design_name: 'Wooden',
    file_location: '/usr',
    file_name: 'wooden-20220717-npgz.json',
    created_at: at,
    last_updated: at,
  },
  staff: {
    staff_id: 1,
    first_name: 'Jeremie',
    last_name: 'Franey',
    department_id: 1,
    email_address: 'jeremie.franey@terrifictotes.com',
    created_at: at,
    last_updated: at,
  },
  sales_order: {
    sales_order_id: 2,
    created_at: '2022-11-03T14:20:52.186000',
    last_updated: '2022-11-03T14:20:52.186000',
    design_id: 3,
    staff_id: 19,
    counterparty_id: 8,
    units_sold: 42972,
    unit_price: decimal('3.94'),
    currency_id: 2,
    agreed_delivery_date: '2022-11-07',
    agreed_payment_date: '2022-11-08',
    agreed_delivery_location_id: 8,
  },
  purchase_order: {
    purchase_order_id: 1,
    created_at: '2022-11-03T14:20:52.187000',
    last_updated: '2022-11-03T14:20:52.187000',
    staff_id: 12,
    counterparty_id: 11,
    item_code: 'ZDOI5EA',
    item_quantity: 371,
    item_unit_price: decimal('361.39'),
    currency_id: 2,
    agreed_delivery_date: '2022-11-09',
    agreed_payment_date: '2022-11-07',
    agreed_delivery_location_id: 6,
  },
  payment_type: { payment_type_id: 1, payment_type_name: 'SALES_RECEIPT', created_at: at, last_updated: at },
  transaction: {
    transaction_id: 1,
    transaction_type: 'PURCHASE',
    sales_order_id: null,
    purchase_order_id: 2,
    created_at: '2022-11-03T14:20:52.186000',
    last_updated: '2022-11-03T14:20:52.186000',
  },
  payment: {
    payment_id: 2,
    created_at: '2022-11-03T14:20:52.187000',
    last_updated: '2022-11-03T14:20:52.187000',
    transaction_id: 2,
    counterparty_id: 15,
    payment_amount: decimal('552548.62'),
    currency_id: 2,
    payment_type_id: 3,
    paid: false,
    payment_date: '2022-11-03',
    company_ac_number: 67305075,
    counterparty_ac_number: 31622269,
  },
};

/** A text value of the reference rows (names, codes), for fixtures of other shapes. */
export function referenceText(table: SourceTableName, column: string): string {
  const value = REFERENCE[table][column];
  if (typeof value !== 'string') throw new Error(`${table}.${column} is not text in the reference rows`);
  return value;
}

/** `YYYY-MM-DD HH:MM:SS[.fff]` (or with `T`, more fraction digits) → naive milliseconds. */
export function ts(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`bad test timestamp ${text}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** `YYYY-MM-DD` → day number (days since 1970-01-01). */
export function day(text: string): number {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY;
}

/** `552548.62` at scale 2 → 55254862n, from the digits. */
function unscaled(text: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m || (m[3] ?? '').length > scale) throw new Error(`bad test decimal ${text}`);
  const value = BigInt((m[2] ?? '') + (m[3] ?? '').padEnd(scale, '0'));
  return m[1] ? -value : value;
}

/**
 * A reference line of `table` as an ingestion object holds it, with some values replaced.
 * Money is written as a JSON number, as the source dump writes it (a two-decimal value's
 * shortest JSON form is its decimal text).
 */
export function line(table: SourceTableName, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const values = Object.fromEntries(
    Object.entries(REFERENCE[table]).map(([column, value]) => [column, value instanceof Decimal ? Number(value.text) : value]),
  );
  return { ...values, ...overrides };
}

/** A JSON line with some values written as raw JSON text (e.g. `2.0`, `"12.30"`). */
export function rawLine(table: SourceTableName, overrides: Record<string, unknown>, raw: Record<string, string>): string {
  const values = line(table, overrides);
  for (const column of Object.keys(raw)) delete values[column];
  const parts = Object.entries(raw).map(([column, text]) => `"${column}": ${text}`);
  return `${JSON.stringify(values).slice(0, -1)}, ${parts.join(', ')}}`;
}

/** The reference row of `table` typed as the ingestion reader yields it, with some values replaced. */
function sourceRow(table: SourceTableName, overrides: Partial<Record<string, CellValue>> = {}): SourceRow {
  const typed: Record<string, CellValue> = {};
  for (const { name, type } of SOURCE_TABLES[table].columns) {
    const value = REFERENCE[table][name];
    if (value === undefined) throw new Error(`the reference ${table} row has no ${name}`);
    if (value instanceof Decimal) typed[name] = unscaled(value.text, type.kind === 'decimal' ? type.scale : 0);
    else if (typeof value === 'string' && type.kind === 'timestamp') typed[name] = ts(value);
    else if (typeof value === 'string' && type.kind === 'date') typed[name] = day(value);
    else typed[name] = value;
  }
  return { ...typed, ...overrides } as SourceRow;
}

/** `rows.design({ design_id: 9 })`: sourceRow per table. */
export const rows = Object.fromEntries(
  (Object.keys(REFERENCE) as SourceTableName[]).map((table) => [
    table,
    (o: Partial<Record<string, CellValue>> = {}) => sourceRow(table, o),
  ]),
) as Record<SourceTableName, (o?: Partial<Record<string, CellValue>>) => SourceRow>;
