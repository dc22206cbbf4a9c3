/**
 * The project's one data generator: a deterministic, seeded, realistic totesys dataset.
 *
 * - `generateDataset({ seed, scale })`: the initial source database (scale 1 ≈ the real
 *   November 2024 dump: 30 addresses, 20 counterparties, 472 designs, 11,175 sales orders,
 *   4,640 purchase orders, one transaction and one payment per order).
 * - `evolve(dataset, { seed?, tick? })`: one later ingestion run → `{ dataset, changes }`.
 * - `snapshot(dataset)`: the change set of a first, full run (every row).
 * - `simulateIngestion({ seed, scale, laterRuns })`, `landedRows`, `distinctVersions`: a
 *   whole history, for computing the expected warehouse independently.
 * - `toIngestionObject(...)`, `IngestionObjectWriter`: land rows as CONTRACT.md §2 objects.
 * - `generateSalesOrderLines({ seed, rows })`: fast sales_order JSON Lines for benchmarks.
 *
 * Rows are `SourceRecord`s: column → value, with timestamps and dates as the source text,
 * money as bigint cents. Same seed, same options → the same rows and the same bytes.
 */
export {
  type ChangeEvent,
  type Dataset,
  type GeneratedRow,
  type SourceTables,
  LEDS_DEPARTMENT_ID,
  generateDataset,
  primaryKeyOf,
  snapshot,
} from './dataset';
export { evolve } from './evolve';
export { streamDataset } from './lean-dataset';
export { type IngestionHistory, distinctVersions, landedRows, simulateIngestion } from './history';
export {
  type IngestionObject,
  IngestionObjectWriter,
  toIngestionObject,
} from './ingestion-objects';
export { formatTimestamp, formatWatermark, parseTimestamp } from './naive-time';
export { generateSalesOrderLines } from './sales-order-lines';
export { type SourceRecord, formatMoney, serializeRow, serializeRows } from './source-json';
