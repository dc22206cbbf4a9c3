/**
 * What the warehouse holds, for the loader's report and the operator CLI: placeholders
 * outstanding, batches loaded and the last sequence per source table, rows per table.
 */
import type { QueryClient } from '../sql-client';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../schema/source-tables';
import { DIMENSION_TABLES, type DimensionTableName, WAREHOUSE_TABLE_NAMES, type WarehouseTableName } from '../schema/warehouse-tables';
import { DIMENSION_IS_PLACEHOLDER } from './audit-columns';
import { isVersionedDimension } from './ddl';
import { CONTROL_TABLES, DEFAULT_SCHEMAS, type WarehouseSchemas, qualified, quoteIdent, quoteLiteral } from './names';

export interface SourceTableLoadStatus {
  readonly batchesLoaded: number;
  /** Highest sequence loaded (not necessarily contiguous), 0 when none. */
  readonly lastLoadedSequence: number;
  /** ISO instant of the latest load, if any. */
  readonly lastLoadedAt: string | null;
}

export interface WarehouseStatus {
  readonly schemaVersion: number;
  /** Placeholder rows per dimension that can have them: facts arrived before these rows. */
  readonly placeholdersOutstanding: Partial<Record<DimensionTableName, number>>;
  readonly placeholdersTotal: number;
  readonly sourceTables: Record<SourceTableName, SourceTableLoadStatus>;
  readonly rows: Record<WarehouseTableName, number>;
}

/** Dimensions that get placeholder rows (all but dim_date). */
export const PLACEHOLDER_DIMENSIONS: readonly DimensionTableName[] = Object.values(DIMENSION_TABLES)
  .filter(isVersionedDimension)
  .map((table) => table.name);

export async function countPlaceholders(
  client: QueryClient,
  schemas: WarehouseSchemas = DEFAULT_SCHEMAS,
): Promise<Partial<Record<DimensionTableName, number>>> {
  const sql = PLACEHOLDER_DIMENSIONS.map(
    (name) =>
      `SELECT ${quoteLiteral(name)} AS dimension, count(*)::int AS n FROM ${qualified(schemas.warehouse, name)} WHERE ${quoteIdent(DIMENSION_IS_PLACEHOLDER)}`,
  ).join('\nUNION ALL\n');
  const { rows } = await client.query<{ dimension: DimensionTableName; n: number }>(sql);
  return Object.fromEntries(rows.map((row) => [row.dimension, row.n]));
}

export async function warehouseStatus(client: QueryClient, schemas: WarehouseSchemas = DEFAULT_SCHEMAS): Promise<WarehouseStatus> {
  const version = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${qualified(schemas.control, CONTROL_TABLES.schemaMigration)}`,
  );
  const placeholdersOutstanding = await countPlaceholders(client, schemas);
  const ledger = await client.query<{ source_table: SourceTableName; batches: number; last_sequence: number; last_loaded_at: Date }>(
    `SELECT source_table, count(*)::int AS batches, max(sequence) AS last_sequence, max(loaded_at) AS last_loaded_at
FROM ${qualified(schemas.control, CONTROL_TABLES.loadedBatch)} GROUP BY source_table`,
  );
  const sourceTables = Object.fromEntries(
    SOURCE_TABLE_NAMES.map((name) => [name, { batchesLoaded: 0, lastLoadedSequence: 0, lastLoadedAt: null }]),
  ) as Record<SourceTableName, SourceTableLoadStatus>;
  for (const row of ledger.rows) {
    sourceTables[row.source_table] = {
      batchesLoaded: row.batches,
      lastLoadedSequence: row.last_sequence,
      lastLoadedAt: toIso(row.last_loaded_at),
    };
  }
  const counts = await client.query<{ table_name: WarehouseTableName; n: number }>(
    WAREHOUSE_TABLE_NAMES.map(
      (name) => `SELECT ${quoteLiteral(name)} AS table_name, count(*)::int AS n FROM ${qualified(schemas.warehouse, name)}`,
    ).join('\nUNION ALL\n'),
  );
  return {
    schemaVersion: version.rows[0]?.version ?? 0,
    placeholdersOutstanding,
    placeholdersTotal: Object.values(placeholdersOutstanding).reduce<number>((a, b) => a + (b ?? 0), 0),
    sourceTables,
    rows: Object.fromEntries(counts.rows.map((row) => [row.table_name, row.n])) as Record<WarehouseTableName, number>,
  };
}

/** timestamptz arrives as a Date (an instant; no zone question) or, with custom parsers, as text. */
function toIso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
