/**
 * Which warehouse rows each source table becomes (CONTRACT.md §4), as projections over the table
 * definitions: only the differences from "same name" are written here.
 */
import type { SourceRow } from '../objects/types';
import { SOURCE_TABLES, type SourceTableName } from '../schema/source-tables';
import { DIMENSION_TABLES, type DimensionTableName, FACT_TABLES, type FactTableName } from '../schema/warehouse-tables';
import { dateOfTimestamp, timeOfTimestamp } from '../time/calendar';
import { currencyName } from './currency-names';
import { type DerivedField, type Projection, compileProjection } from './projection';
import { type VersionHasher, compileVersionHasher } from './versions';
import { type FactRowWriter, compileFactRowWriter } from './fact-row-writer';

/** Each fact splits the source's two naive timestamps into a date and a time with milliseconds. */
const TIMESTAMP_SPLITS: Readonly<Record<string, DerivedField>> = {
  created_date: { from: 'created_at', derive: (timestamp) => dateOfTimestamp(timestamp as number) },
  created_time: { from: 'created_at', derive: (timestamp) => timeOfTimestamp(timestamp as number) },
  last_updated_date: { from: 'last_updated', derive: (timestamp) => dateOfTimestamp(timestamp as number) },
  last_updated_time: { from: 'last_updated', derive: (timestamp) => timeOfTimestamp(timestamp as number) },
};

export function timestampOf(row: SourceRow, column: 'created_at' | 'last_updated'): number {
  return row[column] as number;
}

export type FactSourceTable = 'sales_order' | 'purchase_order' | 'payment';

export interface FactRemodel {
  readonly source: FactSourceTable;
  readonly target: FactTableName;
  readonly projection: Projection;
  /** The fact's version hash over its business columns, compiled once per process (warm from one object to the next). */
  readonly hashInto: VersionHasher;
  /** The whole row step compiled (fact-row-writer.ts), for facts whose columns allow it. */
  readonly writeRow: FactRowWriter | undefined;
}

function factRemodel(source: FactSourceTable, target: FactTableName, renames: Readonly<Record<string, string>> = {}): FactRemodel {
  const projection = compileProjection({
    target: FACT_TABLES[target],
    parts: [{ table: SOURCE_TABLES[source], renames }],
    derived: TIMESTAMP_SPLITS,
  });
  return {
    source,
    target,
    projection,
    hashInto: compileVersionHasher(projection.target.columns, projection.businessIndexes),
    writeRow: compileFactRowWriter(projection),
  };
}

/** Columns a fact table does not have (payment's bank account numbers) are simply not mapped. */
export const FACT_REMODELS: Readonly<Record<FactSourceTable, FactRemodel>> = {
  sales_order: factRemodel('sales_order', 'fact_sales_order', { sales_staff_id: 'staff_id' }),
  purchase_order: factRemodel('purchase_order', 'fact_purchase_order'),
  payment: factRemodel('payment', 'fact_payment'),
};

export function isFactSource(table: SourceTableName): table is FactSourceTable {
  return table in FACT_REMODELS;
}

/** A dimension fed by one source table alone. */
export interface DimensionRemodel {
  readonly source: SourceTableName;
  readonly target: DimensionTableName;
  readonly projection: Projection;
}

function dimensionRemodel(
  source: SourceTableName,
  target: DimensionTableName,
  options: { renames?: Readonly<Record<string, string>>; derived?: Readonly<Record<string, DerivedField>> } = {},
): DimensionRemodel {
  return {
    source,
    target,
    projection: compileProjection({
      target: DIMENSION_TABLES[target],
      parts: [{ table: SOURCE_TABLES[source], renames: options.renames }],
      derived: options.derived,
    }),
  };
}

export const DIMENSION_REMODELS: Readonly<Partial<Record<SourceTableName, DimensionRemodel>>> = {
  currency: dimensionRemodel('currency', 'dim_currency', {
    derived: { currency_name: { from: 'currency_code', derive: (code) => currencyName(code as string).name } },
  }),
  design: dimensionRemodel('design', 'dim_design'),
  payment_type: dimensionRemodel('payment_type', 'dim_payment_type'),
  transaction: dimensionRemodel('transaction', 'dim_transaction'),
  address: dimensionRemodel('address', 'dim_location', { renames: { location_id: 'address_id' } }),
};

/**
 * A dimension joining two source tables: each `left` row references one `right` row by
 * `foreignKey`. Rows are emitted only when both partners are known.
 */
export interface JoinRemodel {
  readonly target: DimensionTableName;
  readonly left: SourceTableName;
  readonly right: SourceTableName;
  readonly foreignKey: string;
  /** Projects `[leftRow, rightRow]`. */
  readonly projection: Projection;
}

function joinRemodel(
  target: DimensionTableName,
  left: SourceTableName,
  right: { table: SourceTableName; foreignKey: string; prefix?: string; renames?: Readonly<Record<string, string>> },
): JoinRemodel {
  return {
    target,
    left,
    right: right.table,
    foreignKey: right.foreignKey,
    projection: compileProjection({
      target: DIMENSION_TABLES[target],
      parts: [{ table: SOURCE_TABLES[left] }, { table: SOURCE_TABLES[right.table], prefix: right.prefix, renames: right.renames }],
    }),
  };
}

export const JOIN_REMODELS: readonly JoinRemodel[] = [
  // department_name and the *department's* location.
  joinRemodel('dim_staff', 'staff', { table: 'department', foreignKey: 'department_id' }),
  joinRemodel('dim_counterparty', 'counterparty', {
    table: 'address',
    foreignKey: 'legal_address_id',
    prefix: 'counterparty_legal_',
    renames: { counterparty_legal_phone_number: 'phone' },
  }),
];

/** The state an object of `table` needs: its own and its join partners'. */
export function stateTablesFor(table: SourceTableName): SourceTableName[] {
  return [
    ...new Set(JOIN_REMODELS.filter((join) => join.left === table || join.right === table).flatMap((join) => [join.left, join.right])),
  ];
}
