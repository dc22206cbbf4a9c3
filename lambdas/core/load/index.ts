/** The loader's public API: pending Parquet batches into the warehouse, and the ledger ops reads. */
export { batchId } from './batch-id';
export { BatchLoadError } from './errors';
export { type DatabaseClient, type LoadSummary, emptySummary, loadPendingBatches } from './loader';
export { parseManifest } from './manifest';
export { readLedgerPositions } from './pending-batches';
