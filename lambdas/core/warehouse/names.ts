/**
 * Where the warehouse lives in the database: the analysts' star schema in one schema
 * (`public` unless configured) and the loader's own bookkeeping in another, so analysts
 * never see (or trip over) pipeline tables.
 */
export interface WarehouseSchemas {
  /** The analysts' schema: the 11 star-schema tables. */
  readonly warehouse: string;
  /** The loader's bookkeeping: migrations and the ledger of loaded batches. */
  readonly control: string;
}

export const DEFAULT_SCHEMAS: WarehouseSchemas = { warehouse: 'public', control: 'etl_control' };

/** `"name"`, with embedded quotes doubled: identifiers are never spliced in raw. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** `'text'`, with embedded quotes doubled (for DDL such as COMMENT, which cannot take parameters). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Table names in the control schema. */
export const CONTROL_TABLES = {
  schemaMigration: 'schema_migration',
  loadedBatch: 'loaded_batch',
  /** Every (fact, natural id, sequence) the loader has seen, with its version hash: what fact history is rebuilt from. */
  factObservation: 'fact_observation',
} as const;

/**
 * Advisory lock keys (two-int form: namespace, lock). The namespace spells "TOTE" so the
 * locks are recognisable in pg_locks and never collide with another application's.
 */
export const ADVISORY_LOCK_NAMESPACE = 0x544f5445;
export const MIGRATION_LOCK = 1;
export const LOADER_LOCK = 2;
