/**
 * The warehouse schema against CONTRACT.md §3, written out here by hand (not derived from the
 * definitions the DDL comes from), so a drift in either is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../lambdas/core/warehouse/migrations';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { withClient } from './support';

const INT = 'integer';
const VARCHAR = 'character varying';
const DATE = 'date';
const TIME = 'time without time zone';
const TIMESTAMPTZ = 'timestamp with time zone';

const factTimes = { created_date: DATE, created_time: TIME, last_updated_date: DATE, last_updated_time: TIME };
const factAudit = { version_hash: 'character varying(32)', source_batch: VARCHAR, loaded_at: TIMESTAMPTZ, source_sequence: 'bigint' };
const dimAudit = { source_version: VARCHAR, is_placeholder: 'boolean', loaded_at: TIMESTAMPTZ };

/** table → column → type, in column order; `?` marks nullable columns. */
const EXPECTED: Record<string, Record<string, string>> = {
  dim_date: {
    date_id: DATE,
    year: INT,
    month: INT,
    day: INT,
    day_of_week: INT,
    day_name: VARCHAR,
    month_name: VARCHAR,
    quarter: INT,
    loaded_at: TIMESTAMPTZ,
  },
  dim_staff: {
    staff_id: INT,
    first_name: VARCHAR,
    last_name: VARCHAR,
    department_name: VARCHAR,
    'location?': VARCHAR,
    email_address: VARCHAR,
    ...dimAudit,
  },
  dim_location: {
    location_id: INT,
    address_line_1: VARCHAR,
    'address_line_2?': VARCHAR,
    'district?': VARCHAR,
    city: VARCHAR,
    postal_code: VARCHAR,
    country: VARCHAR,
    phone: VARCHAR,
    ...dimAudit,
  },
  dim_currency: { currency_id: INT, currency_code: VARCHAR, currency_name: VARCHAR, ...dimAudit },
  dim_design: { design_id: INT, design_name: VARCHAR, file_location: VARCHAR, file_name: VARCHAR, ...dimAudit },
  dim_counterparty: {
    counterparty_id: INT,
    counterparty_legal_name: VARCHAR,
    counterparty_legal_address_line_1: VARCHAR,
    'counterparty_legal_address_line_2?': VARCHAR,
    'counterparty_legal_district?': VARCHAR,
    counterparty_legal_city: VARCHAR,
    counterparty_legal_postal_code: VARCHAR,
    counterparty_legal_country: VARCHAR,
    counterparty_legal_phone_number: VARCHAR,
    ...dimAudit,
  },
  dim_payment_type: { payment_type_id: INT, payment_type_name: VARCHAR, ...dimAudit },
  dim_transaction: { transaction_id: INT, transaction_type: VARCHAR, 'sales_order_id?': INT, 'purchase_order_id?': INT, ...dimAudit },
  fact_sales_order: {
    sales_record_id: INT,
    sales_order_id: INT,
    ...factTimes,
    sales_staff_id: INT,
    counterparty_id: INT,
    units_sold: INT,
    unit_price: 'numeric(10,2)',
    currency_id: INT,
    design_id: INT,
    agreed_payment_date: DATE,
    agreed_delivery_date: DATE,
    agreed_delivery_location_id: INT,
    ...factAudit,
  },
  fact_purchase_order: {
    purchase_record_id: INT,
    purchase_order_id: INT,
    ...factTimes,
    staff_id: INT,
    counterparty_id: INT,
    item_code: VARCHAR,
    item_quantity: INT,
    item_unit_price: 'numeric',
    currency_id: INT,
    agreed_delivery_date: DATE,
    agreed_payment_date: DATE,
    agreed_delivery_location_id: INT,
    ...factAudit,
  },
  fact_payment: {
    payment_record_id: INT,
    payment_id: INT,
    ...factTimes,
    transaction_id: INT,
    counterparty_id: INT,
    payment_amount: 'numeric',
    currency_id: INT,
    payment_type_id: INT,
    paid: 'boolean',
    payment_date: DATE,
    ...factAudit,
  },
};

const dateRefs = (...columns: string[]) => columns.map((c) => `${c} → dim_date.date_id`);
const EXPECTED_FOREIGN_KEYS: Record<string, string[]> = {
  fact_sales_order: [
    ...dateRefs('created_date', 'last_updated_date', 'agreed_payment_date', 'agreed_delivery_date'),
    'sales_staff_id → dim_staff.staff_id',
    'counterparty_id → dim_counterparty.counterparty_id',
    'currency_id → dim_currency.currency_id',
    'design_id → dim_design.design_id',
    'agreed_delivery_location_id → dim_location.location_id',
  ],
  fact_purchase_order: [
    ...dateRefs('created_date', 'last_updated_date', 'agreed_delivery_date', 'agreed_payment_date'),
    'staff_id → dim_staff.staff_id',
    'counterparty_id → dim_counterparty.counterparty_id',
    'currency_id → dim_currency.currency_id',
    'agreed_delivery_location_id → dim_location.location_id',
  ],
  fact_payment: [
    ...dateRefs('created_date', 'last_updated_date', 'payment_date'),
    'transaction_id → dim_transaction.transaction_id',
    'counterparty_id → dim_counterparty.counterparty_id',
    'currency_id → dim_currency.currency_id',
    'payment_type_id → dim_payment_type.payment_type_id',
  ],
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await withClient(db.url, (client) => migrate(client));
});
afterAll(() => db.drop());

describe('the star schema a migration creates', () => {
  it('has the analysts’ 11 tables, columns, types and nullability, plus the documented audit columns', async () => {
    const rows = await withClient(
      db.url,
      async (client) =>
        (
          await client.query<{ table_name: string; column_name: string; type: string; not_null: boolean }>(
            `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname, a.attnum`,
          )
        ).rows,
    );
    const actual: Record<string, Record<string, string>> = {};
    for (const row of rows) {
      (actual[row.table_name] ??= {})[row.not_null ? row.column_name : `${row.column_name}?`] = row.type;
    }
    expect(actual).toEqual(EXPECTED);
    // Column order too, as the analysts listed them.
    for (const [table, columns] of Object.entries(EXPECTED)) expect(Object.keys(actual[table]!)).toEqual(Object.keys(columns));
  });

  it('keys dimensions on the source id and facts on a serial surrogate, unique per (natural key, ingestion sequence)', async () => {
    const keys = await withClient(
      db.url,
      async (client) =>
        (
          await client.query<{ table_name: string; kind: string; columns: string }>(
            `SELECT conrelid::regclass::text AS table_name, contype AS kind,
                string_agg(a.attname, ',' ORDER BY k.ord) AS columns
         FROM pg_constraint con CROSS JOIN unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         WHERE con.connamespace = 'public'::regnamespace AND contype IN ('p', 'u')
         GROUP BY 1, 2, con.oid ORDER BY 1, 2`,
          )
        ).rows,
    );
    const described = keys.map((k) => `${k.table_name} ${k.kind === 'p' ? 'PK' : 'UNIQUE'} (${k.columns})`);
    expect(described).toEqual([
      'dim_counterparty PK (counterparty_id)',
      'dim_currency PK (currency_id)',
      'dim_date PK (date_id)',
      'dim_design PK (design_id)',
      'dim_location PK (location_id)',
      'dim_payment_type PK (payment_type_id)',
      'dim_staff PK (staff_id)',
      'dim_transaction PK (transaction_id)',
      'fact_payment PK (payment_record_id)',
      'fact_payment UNIQUE (payment_id,source_sequence)',
      'fact_purchase_order PK (purchase_record_id)',
      'fact_purchase_order UNIQUE (purchase_order_id,source_sequence)',
      'fact_sales_order PK (sales_record_id)',
      'fact_sales_order UNIQUE (sales_order_id,source_sequence)',
    ]);
    const serials = await withClient(db.url, async (client) =>
      (
        await client.query<{ column: string }>(
          `SELECT table_name || '.' || column_name AS column FROM information_schema.columns
         WHERE table_schema = 'public' AND column_default LIKE 'nextval(%' ORDER BY 1`,
        )
      ).rows.map((r) => r.column),
    );
    expect(serials).toEqual([
      'fact_payment.payment_record_id',
      'fact_purchase_order.purchase_record_id',
      'fact_sales_order.sales_record_id',
    ]);
  });

  it('has the foreign keys of CONTRACT.md §3, facts to dimensions', async () => {
    const fks = await withClient(
      db.url,
      async (client) =>
        (
          await client.query<{ table_name: string; fk: string }>(
            `SELECT conrelid::regclass::text AS table_name,
                a.attname || ' → ' || confrelid::regclass::text || '.' || fa.attname AS fk
         FROM pg_constraint con
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
         JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1]
         WHERE con.connamespace = 'public'::regnamespace AND contype = 'f'`,
          )
        ).rows,
    );
    const actual: Record<string, string[]> = {};
    for (const row of fks) (actual[row.table_name] ??= []).push(row.fk);
    for (const list of Object.values(actual)) list.sort();
    const expected = Object.fromEntries(Object.entries(EXPECTED_FOREIGN_KEYS).map(([t, l]) => [t, [...l].sort()]));
    expect(actual).toEqual(expected);
  });

  it('keeps the loader’s bookkeeping in its own schema', async () => {
    const tables = await withClient(db.url, async (client) =>
      (
        await client.query<{ name: string }>(
          `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'public') ORDER BY 1`,
        )
      ).rows.map((r) => r.name),
    );
    expect(tables).toEqual(['etl_control.fact_observation', 'etl_control.loaded_batch', 'etl_control.schema_migration']);
  });

  it('has a current-version view per fact: its columns, one row per natural key', async () => {
    const views = await withClient(
      db.url,
      async (client) =>
        (
          await client.query<{ view: string; columns: string }>(
            `SELECT c.relname AS view, string_agg(a.attname, ',' ORDER BY a.attnum) AS columns
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' AND a.attnum > 0
         GROUP BY 1 ORDER BY 1`,
          )
        ).rows,
    );
    const audit = ['source_sequence', 'source_batch', 'loaded_at'];
    const columnsOf = (table: string, surrogate: string) =>
      [surrogate, ...Object.keys(EXPECTED[table]!).filter((c) => c !== surrogate && !audit.includes(c)), ...audit].join(',');
    expect(views).toEqual([
      { view: 'fact_payment_current', columns: columnsOf('fact_payment', 'payment_record_id') },
      { view: 'fact_purchase_order_current', columns: columnsOf('fact_purchase_order', 'purchase_record_id') },
      { view: 'fact_sales_order_current', columns: columnsOf('fact_sales_order', 'sales_record_id') },
    ]);
  });
});
