/**
 * DDL for a totesys-shaped source database (CONTRACT.md §1), derived from the one source table
 * definition: serial primary keys, text dates, numeric(10,2) money, timestamp(3)
 * audit columns, Postgres enums. Used by local mode's source database and the tests.
 */
import { type ColumnDefinition, SOURCE_TABLE_NAMES, SOURCE_TABLES, type SourceTableDefinition } from '../../lambdas/core/schema';

const quote = (name: string): string => `"${name}"`;

function enumType(table: SourceTableDefinition, column: ColumnDefinition): string {
  return `${table.name}_${column.name}`;
}

function sqlType(table: SourceTableDefinition, column: ColumnDefinition): string {
  switch (column.type.kind) {
    case 'integer':
      return column.name === table.primaryKey ? 'serial' : 'integer';
    case 'text':
      return column.type.maxLength === undefined ? 'text' : `varchar(${column.type.maxLength})`;
    case 'enum':
      return quote(enumType(table, column));
    case 'decimal':
      return `numeric(${column.type.precision},${column.type.scale})`;
    case 'date':
      return 'text'; // the source keeps agreed dates as YYYY-MM-DD text
    case 'timestamp':
      return 'timestamp(3)';
    case 'boolean':
      return 'boolean';
    case 'time':
      return 'time(3)';
  }
}

export function sourceTableDdl(table: SourceTableDefinition): string[] {
  const statements: string[] = [];
  for (const column of table.columns) {
    if (column.type.kind === 'enum') {
      const values = column.type.values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
      statements.push(`CREATE TYPE ${quote(enumType(table, column))} AS ENUM (${values})`);
    }
  }
  const columns = table.columns.map((column) => {
    const defaults = column.type.kind === 'timestamp' ? ' DEFAULT (localtimestamp(3))' : '';
    const key = column.name === table.primaryKey ? ' PRIMARY KEY' : '';
    return `${quote(column.name)} ${sqlType(table, column)}${key}${column.nullable ? '' : ' NOT NULL'}${defaults}`;
  });
  statements.push(`CREATE TABLE ${quote(table.name)} (${columns.join(', ')})`);
  return statements;
}

/** Every statement to create the 11 tables, in dependency-free order (no foreign keys: the source's are not needed to extract). */
export function sourceDatabaseDdl(): string[] {
  return SOURCE_TABLE_NAMES.flatMap((name) => sourceTableDdl(SOURCE_TABLES[name]));
}
