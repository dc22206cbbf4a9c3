/**
 * The shape a star-schema table must have, derived from the table definitions (the same
 * ones the DDL is generated from), in the terms Postgres's catalog reports: column types
 * as `format_type` prints them, nullability, primary key, unique keys and references.
 * Used to decide whether an existing table can be adopted (see adopt-tables.ts).
 */
import {
  type DimensionTableDefinition,
  type FactTableDefinition,
  SOURCE_VERSION_COLUMN,
  VERSION_HASH_COLUMN,
  WAREHOUSE_TABLES,
  type WarehouseTableDefinition,
} from '../schema/warehouse-tables';
import { DIMENSION_IS_PLACEHOLDER, DIMENSION_LOADED_AT, FACT_LOADED_AT, FACT_SOURCE_BATCH } from './audit-columns';
import { isVersionedDimension, sqlType } from './ddl';

export interface ExpectedColumn {
  readonly name: string;
  /** As `format_type()` prints it, e.g. `character varying(32)`, `numeric(10,2)`. */
  readonly type: string;
  /** The type as written in the DDL, for the SQL that fixes a difference. */
  readonly ddlType: string;
  readonly nullable: boolean;
  /** The loader's bookkeeping, not an analyst column: added when missing (see adopt-tables.ts). */
  readonly audit: boolean;
  /** DEFAULT clause the loader's DDL gives it, if any. */
  readonly default?: string;
  /** A collation the column needs (source_version compares byte-wise). */
  readonly collation?: string;
}

interface ExpectedReference {
  readonly column: string;
  readonly table: string;
  readonly targetColumn: string;
}

export interface ExpectedShape {
  readonly table: WarehouseTableDefinition;
  readonly columns: readonly ExpectedColumn[];
  readonly primaryKey: string;
  /** The loader's key: facts are de-duplicated on (natural key, version_hash). */
  readonly versionKey?: { readonly name: string; readonly columns: readonly string[] };
  readonly references: readonly ExpectedReference[];
}

/** DDL spellings the definitions use, as Postgres's catalog reports them. */
function catalogType(ddlType: string): string {
  const varchar = /^varchar(?:\((\d+)\))?$/.exec(ddlType);
  if (varchar) return varchar[1] ? `character varying(${varchar[1]})` : 'character varying';
  switch (ddlType) {
    case 'int':
    case 'serial':
      return 'integer';
    case 'time':
      return 'time without time zone';
    case 'timestamptz':
      return 'timestamp with time zone';
    default:
      return ddlType;
  }
}

const column = (
  name: string,
  ddlType: string,
  options: { nullable?: boolean; audit?: boolean; default?: string; collation?: string } = {},
): ExpectedColumn => ({
  name,
  type: catalogType(ddlType),
  ddlType,
  nullable: options.nullable ?? false,
  audit: options.audit ?? false,
  ...(options.default ? { default: options.default } : {}),
  ...(options.collation ? { collation: options.collation } : {}),
});

function definedColumns(table: WarehouseTableDefinition): ExpectedColumn[] {
  return table.columns.map((c) =>
    column(c.name, sqlType(c), {
      nullable: c.nullable ?? false,
      audit: c.audit ?? false,
      ...(c.name === SOURCE_VERSION_COLUMN ? { collation: 'C' } : {}),
    }),
  );
}

function references(table: WarehouseTableDefinition): ExpectedReference[] {
  return table.columns.flatMap((c) => {
    if (!c.references) return [];
    const target = WAREHOUSE_TABLES[c.references] as DimensionTableDefinition;
    return [{ column: c.name, table: target.name, targetColumn: target.primaryKey }];
  });
}

function factShape(table: FactTableDefinition): ExpectedShape {
  return {
    table,
    columns: [
      column(table.surrogateKey, 'serial'),
      ...definedColumns(table),
      column(FACT_SOURCE_BATCH, 'varchar', { audit: true }),
      column(FACT_LOADED_AT, 'timestamptz', { audit: true, default: 'now()' }),
    ],
    primaryKey: table.surrogateKey,
    versionKey: { name: `${table.name}_version_key`, columns: [table.naturalKey, VERSION_HASH_COLUMN] },
    references: references(table),
  };
}

function dimensionShape(table: DimensionTableDefinition): ExpectedShape {
  const audit = isVersionedDimension(table) ? [column(DIMENSION_IS_PLACEHOLDER, 'boolean', { audit: true, default: 'false' })] : [];
  return {
    table,
    columns: [...definedColumns(table), ...audit, column(DIMENSION_LOADED_AT, 'timestamptz', { audit: true, default: 'now()' })],
    primaryKey: table.primaryKey,
    references: references(table),
  };
}

export function expectedShape(table: WarehouseTableDefinition): ExpectedShape {
  return table.kind === 'fact' ? factShape(table) : dimensionShape(table);
}
