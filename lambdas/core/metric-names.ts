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
  RowsIn: 'RowsIn',
  RowsOut: 'RowsOut',
  RowsRejected: 'RowsRejected',
  SequenceGaps: 'SequenceGaps',
  Duration: 'TransformDuration',
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
