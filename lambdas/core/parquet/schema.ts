/**
 * The Parquet schema of a warehouse table, derived from its definition. Logical types
 * are real ones: DATE, TIME(MILLIS, not UTC-adjusted), DECIMAL(p,s) on INT32/INT64, UTF8.
 */
import type { SchemaElement } from 'hyparquet';
import type { ColumnDefinition } from '../schema/column-types';
import type { WarehouseTableDefinition } from '../schema/warehouse-tables';

export function parquetSchema(table: WarehouseTableDefinition): SchemaElement[] {
  return [{ name: 'root', num_children: table.columns.length }, ...table.columns.map(parquetColumn)];
}

function parquetColumn(column: ColumnDefinition): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  const { name, type } = column;
  switch (type.kind) {
    case 'integer':
      return { name, repetition_type, type: 'INT32' };
    case 'text':
    case 'enum':
      return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'boolean':
      return { name, repetition_type, type: 'BOOLEAN' };
    case 'date':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'time':
      return {
        name,
        repetition_type,
        type: 'INT32',
        converted_type: 'TIME_MILLIS',
        logical_type: { type: 'TIME', isAdjustedToUTC: false, unit: 'MILLIS' },
      };
    case 'decimal': {
      const { precision, scale } = type;
      return {
        name,
        repetition_type,
        type: precision <= 9 ? 'INT32' : 'INT64',
        converted_type: 'DECIMAL',
        precision,
        scale,
        logical_type: { type: 'DECIMAL', precision, scale },
      };
    }
    case 'timestamp':
      throw new Error(`column ${name}: warehouse tables split timestamps into date and time`);
  }
}
