/**
 * Metric names and dimensions: the code that emits them and the CDK alarms and dashboard
 * that watch them import these, so a rename cannot silently orphan an alarm.
 */
export const METRICS_NAMESPACE = 'TotesysElt';

/** Dimension name for per-table metrics (a source table for the transform, a warehouse table for the loader). */
export const TABLE_DIMENSION = 'table';

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
  /** Values of text columns written as JSON numbers, loaded as their literal text (SPEC §2). */
  NumbersAsText: 'NumbersAsText',
} as const;

export const LoadMetric = {
  BatchesLoaded: 'BatchesLoaded',
  BatchesFailed: 'BatchesFailed',
  RowsLoaded: 'RowsLoaded',
  PlaceholdersOutstanding: 'PlaceholdersOutstanding',
  OldestPendingBatchAge: 'OldestPendingBatchAge',
  PendingBatches: 'PendingBatches',
  LoadSucceeded: 'LoadSucceeded',
  Duration: 'LoadDuration',
} as const;
