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

/**
 * Why `name` cannot be the warehouse schema, or undefined when it can: a plain lower-case
 * identifier (so it needs no quoting in the analysts' SQL), not a system schema, not the
 * loader's control schema.
 */
export function warehouseSchemaProblem(name: string): string | undefined {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    return `"${name}" is not a plain schema name (lower-case letters, digits and _, not starting with a digit, at most 63)`;
  }
  if (name.startsWith('pg_') || name === 'information_schema') return `"${name}" is a Postgres system schema`;
  if (name === DEFAULT_SCHEMAS.control) return `"${name}" is the loader's own control schema`;
  return undefined;
}

/** The schemas for a configured warehouse schema (undefined: the default). */
export function warehouseSchemas(warehouse: string | undefined): WarehouseSchemas {
  return warehouse ? { ...DEFAULT_SCHEMAS, warehouse } : DEFAULT_SCHEMAS;
}

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
