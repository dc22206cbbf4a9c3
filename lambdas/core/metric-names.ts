/**
 * Metric names and dimensions: the code that emits them and the CDK alarms and dashboard
 * that watch them import these, so a rename cannot silently orphan an alarm.
 */
export const METRICS_NAMESPACE = 'TotesysElt';

/**
 * Dimension name for per-table metrics (a source table for the transform, a warehouse table
 * for the loader's row counts, a source table for its FreshnessLag).
 */
export const TABLE_DIMENSION = 'table';

/**
 * Dimension every metric carries: the stack's name, so two stacks in one account (dev and
 * prod) never feed each other's alarms. The stack passes it in PIPELINE_NAME.
 */
export const PIPELINE_DIMENSION = 'pipeline';
export const PIPELINE_NAME_VARIABLE = 'PIPELINE_NAME';
/** The pipeline dimension's value where PIPELINE_NAME is not set (local runs, tests). */
export const UNNAMED_PIPELINE = 'local';

export const TransformMetric = {
  ObjectsProcessed: 'ObjectsProcessed',
  ObjectsSkipped: 'ObjectsSkippedAlreadyProcessed',
  ObjectsFailed: 'ObjectsFailed',
  /** Event records naming another bucket, a key outside the ingestion prefix, or no object. */
  RecordsIgnored: 'RecordsIgnored',
  RowsIn: 'RowsIn',
  RowsOut: 'RowsOut',
  RowsRejected: 'RowsRejected',
  SequenceGaps: 'SequenceGaps',
  Duration: 'TransformDuration',
  /** Values of text columns written as JSON numbers, loaded as their literal text (CONTRACT.md §2). */
  NumbersAsText: 'NumbersAsText',
} as const;

/**
 * Every Lambda's failed invocations, by the failure's kind (lambdas/core/errors.ts): one
 * data point per failed invocation with dimension `kind`, and one pipeline-wide.
 */
export const InvocationMetric = {
  Failed: 'InvocationsFailed',
} as const;
export const ERROR_KIND_DIMENSION = 'kind';

export const LoadMetric = {
  BatchesLoaded: 'BatchesLoaded',
  BatchesFailed: 'BatchesFailed',
  RowsLoaded: 'RowsLoaded',
  PlaceholdersOutstanding: 'PlaceholdersOutstanding',
  OldestPendingBatchAge: 'OldestPendingBatchAge',
  /** Seconds the oldest batch this run did not get to (it was not attempted) has waited; 0 when none. */
  OldestUnattemptedBatchAge: 'OldestUnattemptedBatchAge',
  /** 1 for a run that found the warehouse secret still holding the stack's placeholder host. */
  WarehouseNotConfigured: 'WarehouseNotConfigured',
  PendingBatches: 'PendingBatches',
  /**
   * Seconds from the ingest run that read a batch's rows (its manifest's `sourceReadAt`) to
   * the load that committed it, per source table; batches without `sourceReadAt` report none.
   */
  FreshnessLag: 'FreshnessLag',
  LoadSucceeded: 'LoadSucceeded',
  Duration: 'LoadDuration',
} as const;

export const IngestMetric = {
  RowsExtracted: 'IngestRowsExtracted',
  ObjectsWritten: 'IngestObjectsWritten',
  TablesFailed: 'IngestTablesFailed',
  /** Seconds between a table's previous cursor and this run's snapshot: the window a run covers. */
  CursorLag: 'IngestCursorLag',
  Duration: 'IngestDuration',
  /** 1 for a run that extracted every table, 0 for a failed one; a run that found another in progress emits nothing. */
  RunSucceeded: 'IngestSucceeded',
} as const;
