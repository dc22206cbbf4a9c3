/**
 * The warehouse DDL, generated from the table definitions in core/schema (the same ones
 * the transform writes Parquet from), so the two cannot drift apart.
 */
import {
  type DimensionTableDefinition,
  type FactTableDefinition,
  SOURCE_VERSION_COLUMN,
  VERSION_HASH_COLUMN,
  WAREHOUSE_TABLES,
  WAREHOUSE_TABLE_NAMES,
  type WarehouseColumnDefinition,
  type WarehouseTableDefinition,
} from '../schema/warehouse-tables';
import { DIMENSION_IS_PLACEHOLDER, DIMENSION_LOADED_AT, FACT_LOADED_AT, FACT_SOURCE_BATCH } from './audit-columns';
import { type WarehouseSchemas, qualified, quoteIdent, quoteLiteral } from './names';

/** The analysts' SQL type of a column. */
export function sqlType(column: WarehouseColumnDefinition): string {
  if (column.sqlType) return column.sqlType;
  const { type } = column;
  switch (type.kind) {
    case 'integer':
      return 'int';
    case 'text':
      return type.maxLength === undefined ? 'varchar' : `varchar(${type.maxLength})`;
    case 'enum':
      return 'varchar';
    case 'decimal':
      return `numeric(${type.precision},${type.scale})`;
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      throw new Error(`column ${column.name}: warehouse tables split timestamps into date and time`);
  }
}

/** Whether a dimension carries `source_version` (all but dim_date, which is derived from the date). */
export function isVersionedDimension(table: DimensionTableDefinition): boolean {
  return table.columns.some((column) => column.name === SOURCE_VERSION_COLUMN);
}

/** The warehouse tables in dependency order: dimensions before the facts that reference them. */
export function warehouseTablesInOrder(): WarehouseTableDefinition[] {
  return WAREHOUSE_TABLE_NAMES.map((name) => WAREHOUSE_TABLES[name]);
}

/** Every statement that creates the star schema in `schemas.warehouse`. */
export function warehouseDdl(schemas: WarehouseSchemas): string[] {
  const statements = [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.warehouse)}`];
  for (const table of warehouseTablesInOrder()) statements.push(...tableDdl(table, schemas));
  return statements;
}

/** The statements that create one star-schema table (with its comments and indexes). */
export function tableDdl(table: WarehouseTableDefinition, schemas: WarehouseSchemas): string[] {
  return table.kind === 'fact' ? factDdl(table, schemas) : dimensionDdl(table, schemas);
}

function columnDdl(column: WarehouseColumnDefinition, schemas: WarehouseSchemas): string {
  const parts = [quoteIdent(column.name), sqlType(column)];
  // Versions are compared byte-wise whatever the database's default collation.
  if (column.name === SOURCE_VERSION_COLUMN) parts.push('COLLATE "C"');
  if (!column.nullable) parts.push('NOT NULL');
  if (column.references) {
    const target = WAREHOUSE_TABLES[column.references];
    if (target.kind !== 'dimension') throw new Error(`${column.name} references a fact table`);
    parts.push(`REFERENCES ${qualified(schemas.warehouse, target.name)} (${quoteIdent(target.primaryKey)})`);
  }
  return parts.join(' ');
}

function factDdl(table: FactTableDefinition, schemas: WarehouseSchemas): string[] {
  const name = qualified(schemas.warehouse, table.name);
  const lines = [
    `${quoteIdent(table.surrogateKey)} serial PRIMARY KEY`,
    ...table.columns.map((column) => columnDdl(column, schemas)),
    `${quoteIdent(FACT_SOURCE_BATCH)} varchar NOT NULL`,
    `${quoteIdent(FACT_LOADED_AT)} timestamptz NOT NULL DEFAULT now()`,
    `CONSTRAINT ${quoteIdent(`${table.name}_version_key`)} UNIQUE (${quoteIdent(table.naturalKey)}, ${quoteIdent(VERSION_HASH_COLUMN)})`,
  ];
  return [
    `CREATE TABLE ${name} (\n  ${lines.join(',\n  ')}\n)`,
    comment(
      schemas,
      table.name,
      VERSION_HASH_COLUMN,
      'audit: 128-bit hash of the business columns; one row per (natural key, version_hash)',
    ),
    comment(
      schemas,
      table.name,
      FACT_SOURCE_BATCH,
      'audit: the processed batch (<source table>/<sequence>) that first brought this version',
    ),
    comment(schemas, table.name, FACT_LOADED_AT, 'audit: when this version was loaded'),
  ];
}

function dimensionDdl(table: DimensionTableDefinition, schemas: WarehouseSchemas): string[] {
  const name = qualified(schemas.warehouse, table.name);
  const versioned = isVersionedDimension(table);
  const lines = table.columns.map((column) =>
    column.name === table.primaryKey ? `${columnDdl(column, schemas)} PRIMARY KEY` : columnDdl(column, schemas),
  );
  if (versioned) lines.push(`${quoteIdent(DIMENSION_IS_PLACEHOLDER)} boolean NOT NULL DEFAULT false`);
  lines.push(`${quoteIdent(DIMENSION_LOADED_AT)} timestamptz NOT NULL DEFAULT now()`);
  const statements = [`CREATE TABLE ${name} (\n  ${lines.join(',\n  ')}\n)`];
  if (versioned) {
    statements.push(
      // Counting outstanding placeholders reads only this (normally empty) index.
      `CREATE INDEX ${quoteIdent(`${table.name}_placeholder_idx`)} ON ${name} (${quoteIdent(table.primaryKey)}) WHERE ${quoteIdent(DIMENSION_IS_PLACEHOLDER)}`,
      comment(
        schemas,
        table.name,
        SOURCE_VERSION_COLUMN,
        'audit: version of the source row(s); an older version never overwrites a newer one',
      ),
      comment(
        schemas,
        table.name,
        DIMENSION_IS_PLACEHOLDER,
        'audit: true while this row stands in for one a fact referenced before it arrived',
      ),
    );
  }
  statements.push(comment(schemas, table.name, DIMENSION_LOADED_AT, "audit: when this row's values last changed"));
  return statements;
}

function comment(schemas: WarehouseSchemas, table: string, column: string, text: string): string {
  return `COMMENT ON COLUMN ${qualified(schemas.warehouse, table)}.${quoteIdent(column)} IS ${quoteLiteral(text)}`;
}
