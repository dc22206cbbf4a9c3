/** The warehouse's public API: names and schemas, audit columns, status. */
export { DIMENSION_IS_PLACEHOLDER, DIMENSION_LOADED_AT, FACT_SOURCE_BATCH, FACT_SOURCE_SEQUENCE } from './audit-columns';
export { currentVersionView } from './fact-history-ddl';
export {
  CONTROL_TABLES,
  DEFAULT_SCHEMAS,
  type WarehouseSchemas,
  qualified,
  quoteIdent,
  quoteLiteral,
  warehouseSchemaProblem,
  warehouseSchemas,
} from './names';
export { PLACEHOLDER_DIMENSIONS, type SourceTableLoadStatus, warehouseStatus } from './status';
