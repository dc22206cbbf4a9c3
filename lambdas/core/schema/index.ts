/** The table definitions (one per table) that drive validation, Parquet and DDL. */
export type { CellValue, ColumnDefinition } from './column-types';
export { SOURCE_TABLES, SOURCE_TABLE_NAMES, type SourceTableDefinition, type SourceTableName, isSourceTableName } from './source-tables';
export {
  DIMENSION_TABLES,
  type DimensionTableName,
  FACT_TABLES,
  FACT_TABLE_NAMES,
  type FactTableName,
  SOURCE_VERSION_COLUMN,
  VERSION_HASH_COLUMN,
  type WarehouseTableName,
} from './warehouse-tables';
