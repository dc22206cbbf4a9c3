/**
 * The star schema of the warehouse (CONTRACT.md §3): 3 facts and 8 dimensions. The analysts'
 * names and types, plus audit columns marked `audit: true` (documented in
 * docs/ARCHITECTURE.md). These definitions drive the Parquet schema written by the
 * transform and the DDL applied by the loader.
 */
import { type ColumnDefinition, boolean, date, integer, money, text, time, varchar } from './column-types';

export interface WarehouseColumnDefinition extends ColumnDefinition {
  /** The dimension this column references (by its primary key). */
  readonly references?: DimensionTableName;
  /** SQL type where the analysts' type differs from the one derived from `type`. */
  readonly sqlType?: string;
  /** Not an analyst column: bookkeeping the pipeline needs (documented). */
  readonly audit?: boolean;
}

interface TableBase {
  readonly name: WarehouseTableName;
  /** Columns carried in Parquet, in order. */
  readonly columns: readonly WarehouseColumnDefinition[];
}

export interface FactTableDefinition extends TableBase {
  readonly kind: 'fact';
  readonly name: FactTableName;
  /** Serial primary key owned by the warehouse; not in Parquet. */
  readonly surrogateKey: string;
  /** The source row's id; with the warehouse's `source_sequence` it identifies one row of its history. */
  readonly naturalKey: string;
}

export interface DimensionTableDefinition extends TableBase {
  readonly kind: 'dimension';
  readonly name: DimensionTableName;
  /** The source id; one row per id holding its latest values. */
  readonly primaryKey: string;
}

export type WarehouseTableDefinition = FactTableDefinition | DimensionTableDefinition;

export const FACT_TABLE_NAMES = ['fact_sales_order', 'fact_purchase_order', 'fact_payment'] as const;
const DIMENSION_TABLE_NAMES = [
  'dim_date',
  'dim_staff',
  'dim_location',
  'dim_currency',
  'dim_design',
  'dim_counterparty',
  'dim_payment_type',
  'dim_transaction',
] as const;

export type FactTableName = (typeof FACT_TABLE_NAMES)[number];
export type DimensionTableName = (typeof DIMENSION_TABLE_NAMES)[number];
export type WarehouseTableName = FactTableName | DimensionTableName;

/**
 * 128-bit hash (32 hex digits) of a fact row's business columns: a changed source row gets a new hash (a new
 * version) even when `last_updated` did not move; an identical row gets the same one.
 */
export const VERSION_HASH_COLUMN = 'version_hash';
/**
 * Fixed-width, lexicographically ordered version of a dimension row (see
 * core/transform/versions.ts): an older version never overwrites a newer one.
 */
export const SOURCE_VERSION_COLUMN = 'source_version';

const versionHash: WarehouseColumnDefinition = {
  name: VERSION_HASH_COLUMN,
  type: varchar(32),
  audit: true,
};
const sourceVersion: WarehouseColumnDefinition = {
  name: SOURCE_VERSION_COLUMN,
  type: text,
  audit: true,
};

/** The four date/time columns every fact splits `created_at` and `last_updated` into. */
const factTimestamps: readonly WarehouseColumnDefinition[] = [
  { name: 'created_date', type: date, references: 'dim_date' },
  { name: 'created_time', type: time },
  { name: 'last_updated_date', type: date, references: 'dim_date' },
  { name: 'last_updated_time', type: time },
];

const optional = (column: WarehouseColumnDefinition): WarehouseColumnDefinition => ({
  ...column,
  nullable: true,
});

export const FACT_TABLES: Readonly<Record<FactTableName, FactTableDefinition>> = {
  fact_sales_order: {
    kind: 'fact',
    name: 'fact_sales_order',
    surrogateKey: 'sales_record_id',
    naturalKey: 'sales_order_id',
    columns: [
      { name: 'sales_order_id', type: integer },
      ...factTimestamps,
      { name: 'sales_staff_id', type: integer, references: 'dim_staff' },
      { name: 'counterparty_id', type: integer, references: 'dim_counterparty' },
      { name: 'units_sold', type: integer },
      { name: 'unit_price', type: money },
      { name: 'currency_id', type: integer, references: 'dim_currency' },
      { name: 'design_id', type: integer, references: 'dim_design' },
      { name: 'agreed_payment_date', type: date, references: 'dim_date' },
      { name: 'agreed_delivery_date', type: date, references: 'dim_date' },
      { name: 'agreed_delivery_location_id', type: integer, references: 'dim_location' },
      versionHash,
    ],
  },
  fact_purchase_order: {
    kind: 'fact',
    name: 'fact_purchase_order',
    surrogateKey: 'purchase_record_id',
    naturalKey: 'purchase_order_id',
    columns: [
      { name: 'purchase_order_id', type: integer },
      ...factTimestamps,
      { name: 'staff_id', type: integer, references: 'dim_staff' },
      { name: 'counterparty_id', type: integer, references: 'dim_counterparty' },
      { name: 'item_code', type: text },
      { name: 'item_quantity', type: integer },
      { name: 'item_unit_price', type: money, sqlType: 'numeric' },
      { name: 'currency_id', type: integer, references: 'dim_currency' },
      { name: 'agreed_delivery_date', type: date, references: 'dim_date' },
      { name: 'agreed_payment_date', type: date, references: 'dim_date' },
      { name: 'agreed_delivery_location_id', type: integer, references: 'dim_location' },
      versionHash,
    ],
  },
  fact_payment: {
    kind: 'fact',
    name: 'fact_payment',
    surrogateKey: 'payment_record_id',
    naturalKey: 'payment_id',
    columns: [
      { name: 'payment_id', type: integer },
      ...factTimestamps,
      { name: 'transaction_id', type: integer, references: 'dim_transaction' },
      { name: 'counterparty_id', type: integer, references: 'dim_counterparty' },
      { name: 'payment_amount', type: money, sqlType: 'numeric' },
      { name: 'currency_id', type: integer, references: 'dim_currency' },
      { name: 'payment_type_id', type: integer, references: 'dim_payment_type' },
      { name: 'paid', type: boolean },
      { name: 'payment_date', type: date, references: 'dim_date' },
      versionHash,
    ],
  },
};

export const DIMENSION_TABLES: Readonly<Record<DimensionTableName, DimensionTableDefinition>> = {
  // dim_date is derived from the dates themselves, so it needs no version.
  dim_date: {
    kind: 'dimension',
    name: 'dim_date',
    primaryKey: 'date_id',
    columns: [
      { name: 'date_id', type: date },
      { name: 'year', type: integer },
      { name: 'month', type: integer },
      { name: 'day', type: integer },
      { name: 'day_of_week', type: integer },
      { name: 'day_name', type: text },
      { name: 'month_name', type: text },
      { name: 'quarter', type: integer },
    ],
  },
  dim_staff: {
    kind: 'dimension',
    name: 'dim_staff',
    primaryKey: 'staff_id',
    columns: [
      { name: 'staff_id', type: integer },
      { name: 'first_name', type: text },
      { name: 'last_name', type: text },
      { name: 'department_name', type: text },
      // The department's location: nullable in the source.
      optional({ name: 'location', type: text }),
      { name: 'email_address', type: text },
      sourceVersion,
    ],
  },
  dim_location: {
    kind: 'dimension',
    name: 'dim_location',
    primaryKey: 'location_id',
    columns: [
      { name: 'location_id', type: integer },
      { name: 'address_line_1', type: text },
      optional({ name: 'address_line_2', type: text }),
      optional({ name: 'district', type: text }),
      { name: 'city', type: text },
      { name: 'postal_code', type: text },
      { name: 'country', type: text },
      { name: 'phone', type: text },
      sourceVersion,
    ],
  },
  dim_currency: {
    kind: 'dimension',
    name: 'dim_currency',
    primaryKey: 'currency_id',
    columns: [
      { name: 'currency_id', type: integer },
      { name: 'currency_code', type: text },
      { name: 'currency_name', type: text },
      sourceVersion,
    ],
  },
  dim_design: {
    kind: 'dimension',
    name: 'dim_design',
    primaryKey: 'design_id',
    columns: [
      { name: 'design_id', type: integer },
      { name: 'design_name', type: text },
      { name: 'file_location', type: text },
      { name: 'file_name', type: text },
      sourceVersion,
    ],
  },
  dim_counterparty: {
    kind: 'dimension',
    name: 'dim_counterparty',
    primaryKey: 'counterparty_id',
    columns: [
      { name: 'counterparty_id', type: integer },
      { name: 'counterparty_legal_name', type: text },
      { name: 'counterparty_legal_address_line_1', type: text },
      optional({ name: 'counterparty_legal_address_line_2', type: text }),
      optional({ name: 'counterparty_legal_district', type: text }),
      { name: 'counterparty_legal_city', type: text },
      { name: 'counterparty_legal_postal_code', type: text },
      { name: 'counterparty_legal_country', type: text },
      { name: 'counterparty_legal_phone_number', type: text },
      sourceVersion,
    ],
  },
  dim_payment_type: {
    kind: 'dimension',
    name: 'dim_payment_type',
    primaryKey: 'payment_type_id',
    columns: [{ name: 'payment_type_id', type: integer }, { name: 'payment_type_name', type: text }, sourceVersion],
  },
  dim_transaction: {
    kind: 'dimension',
    name: 'dim_transaction',
    primaryKey: 'transaction_id',
    columns: [
      { name: 'transaction_id', type: integer },
      { name: 'transaction_type', type: text },
      optional({ name: 'sales_order_id', type: integer }),
      optional({ name: 'purchase_order_id', type: integer }),
      sourceVersion,
    ],
  },
};

export const WAREHOUSE_TABLES: Readonly<Record<WarehouseTableName, WarehouseTableDefinition>> = {
  ...DIMENSION_TABLES,
  ...FACT_TABLES,
};

/** Dimensions first (in dependency-free order), then facts: the order the loader applies. */
export const WAREHOUSE_TABLE_NAMES: readonly WarehouseTableName[] = [...DIMENSION_TABLE_NAMES, ...FACT_TABLE_NAMES];

export function isWarehouseTableName(name: string): name is WarehouseTableName {
  return (WAREHOUSE_TABLE_NAMES as readonly string[]).includes(name);
}
