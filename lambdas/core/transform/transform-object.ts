/**
 * Transforms one ingestion object into one processed batch (docs/ARCHITECTURE.md
 * "Transform"): parse the key; take the transform lock of its join group (so transforms
 * running elsewhere at the same time never interleave with this one); skip a re-delivery;
 * stream, validate and remodel the rows; publish Parquet files, rejected rows, join state
 * and, last, the manifest (recording the ETag of the bytes read); then record the sequence
 * in Parameter Store; release the lock. Any failure publishes no manifest and is rethrown,
 * so the Lambda's retries and DLQ take over.
 */
import { readIngestionObject } from '../objects';
import { type IngestionKey, type ProcessedLayout, SOURCE_READ_AT_METADATA, isIsoInstant, parseIngestionKey } from '../layout';
import { TABLE_DIMENSION, TransformMetric } from '../metric-names';
import type { Log, Metrics, ObjectStore, ParameterStore } from '../ports';
import { SOURCE_TABLES, type SourceTableName } from '../schema/source-tables';
import type { WarehouseTableName } from '../schema/warehouse-tables';
import { BatchOutput } from './batch-output';
import { JoinStateStore, type TableState } from './join-state';
import { publishBatch, readManifest } from './publish';
import { RejectedRows } from './rejected-rows';
import { createRemodeller } from './remodellers';
import { stateTablesFor } from './remodels';
import { type SequenceRecord, recordProcessedSequence } from './sequence-tracker';
import { type HeldLock, type LockSettings, acquireTransformLock } from './transform-lock';
import { PipelineError } from '../errors';

export interface TransformDeps {
  /** The ingestion bucket (keys as in S3 events). */
  readonly ingestion: ObjectStore;
  /** The processed bucket, and where things live in it. */
  readonly processed: ObjectStore;
  readonly layout: ProcessedLayout;
  readonly parameters: ParameterStore;
  /** e.g. `/totesys/transform`; the parameter is `<path>/<table>/last-processed-sequence`. */
  readonly sequenceParameterPath: string;
  readonly log: Log;
  readonly metrics: Metrics;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly clock?: () => number;
  /** Longest accepted line; longer lines are rejected rows. */
  readonly maxLineBytes?: number;
  /** Parquet row group size (tests use small ones). */
  readonly rowGroupSize?: number;
  /** Lease, wait and poll times of the transform lock (transform-lock.ts); defaults suit the Lambda. */
  readonly lock?: Partial<LockSettings>;
  /** Who this transform is, in lock messages; defaults to host and process id. */
  readonly lockHolder?: string;
}

export interface TransformRequest {
  /** The ingestion object's key (already URL-decoded). */
  readonly key: string;
  /** The object's ETag as the event reports it; read from the object when absent. */
  readonly etag?: string;
  /** Re-transform even when the batch is already published (operator replay). */
  readonly force?: boolean;
}

/**
 * The object under this key changed after its batch was published. The loader records
 * batches by (table, sequence) and would never load the new content, so the transform
 * refuses loudly (the event ends in the DLQ) rather than publish a batch no one loads.
 */
export class ReplacedObjectError extends PipelineError {
  readonly kind = 'conflict';
  constructor(
    readonly key: string,
    readonly publishedETag: string,
    readonly newETag: string,
  ) {
    super(
      `ingestion object "${key}" was replaced after its batch was published (ETag ${publishedETag}, now ${newETag}): ` +
        'a sequence is published once; land corrected rows as a new object with the next sequence',
    );
    this.name = 'ReplacedObjectError';
  }
}

export interface TransformSummary {
  readonly sourceKey: string;
  readonly sourceTable: SourceTableName;
  readonly sequence: number;
  /** `skipped`: the batch was already published from this very object (a re-delivery). */
  readonly outcome: 'processed' | 'skipped';
  /** Data lines read (valid and rejected). */
  readonly rowsIn: number;
  readonly rowsRejected: number;
  /** Text values that were JSON numbers, kept as their literal text (absent when skipped). */
  readonly numbersAsText?: number;
  /** Rows written per warehouse table. */
  readonly rowsOut: Readonly<Partial<Record<WarehouseTableName, number>>>;
  readonly manifestKey: string;
  readonly rejectedKey?: string;
  /** Sequences missing before this one (0: consecutive). */
  readonly sequenceGap: number;
  /** The sequence is below one already processed. */
  readonly late: boolean;
  /** Dimension rows older than the join state's version, not re-emitted. */
  readonly olderThanState: number;
  /** Rows kept in join state until their join partner arrives. */
  readonly waitingForPartner: number;
  readonly durationMs: number;
}

export async function transformObject(deps: TransformDeps, request: TransformRequest): Promise<TransformSummary> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const { log, metrics } = deps;
  let source: IngestionKey | undefined;
  try {
    source = parseIngestionKey(request.key);
    log.info('transform started', { sourceKey: source.key, sourceTable: source.table, sequence: source.sequence });

    // Everything below reads or writes state shared with other objects of the lock group.
    const lock = await acquireTransformLock(
      { store: deps.processed, layout: deps.layout, log, settings: deps.lock, holder: deps.lockHolder },
      source.table,
    );
    try {
      return await transformHoldingLock(deps, request, source, lock, started);
    } finally {
      await lock.release().catch((error: unknown) =>
        log.warn('transform lock not released (it is taken over after its lease time)', {
          lockKey: lock.key,
          error: (error as Error)?.message ?? String(error),
        }),
      );
    }
  } catch (error) {
    const durationMs = clock() - started;
    metrics.record(TransformMetric.ObjectsFailed, 1, 'Count', source ? { [TABLE_DIMENSION]: source.table } : undefined);
    log.error('transform failed', {
      sourceKey: request.key,
      errorName: (error as Error)?.name,
      error: (error as Error)?.message ?? String(error),
      durationMs,
    });
    throw error;
  }
}

async function transformHoldingLock(
  deps: TransformDeps,
  request: TransformRequest,
  source: IngestionKey,
  lock: HeldLock,
  started: number,
): Promise<TransformSummary> {
  const clock = deps.clock ?? Date.now;
  const { log, metrics } = deps;
  const tableDimension = { [TABLE_DIMENSION]: source.table };
  const etag = request.etag ?? (await deps.ingestion.head(source.key))?.etag;
  const existing = await readManifest(deps.processed, deps.layout, source);
  let published = existing !== undefined && etag !== undefined && existing.sourceETag === etag;
  if (!request.force && existing?.sourceETag !== undefined && etag !== undefined && !published) {
    // The batch records the ETag of the bytes it was built from. An event naming another
    // ETag is either older than those bytes (the object was overwritten between its event
    // and the read, and the batch already holds the current object) or the object was
    // replaced after publication: the object as it is now tells which.
    const current = request.etag === undefined ? etag : (await deps.ingestion.head(source.key))?.etag;
    if (current !== existing.sourceETag) throw new ReplacedObjectError(source.key, existing.sourceETag, current ?? etag);
    published = true;
  }
  if (!request.force && existing && published) {
    // Already published from this very object; still repair SSM if a crash left it behind.
    await lock.confirm();
    const sequenceRecord = await trackSequence(deps, source);
    const durationMs = clock() - started;
    metrics.record(TransformMetric.ObjectsSkipped, 1, 'Count', tableDimension);
    log.info('object already processed: skipped', {
      sourceKey: source.key,
      sourceETag: etag,
      manifestKey: deps.layout.manifest(source.table, source.sequence),
      durationMs,
    });
    return {
      sourceKey: source.key,
      sourceTable: source.table,
      sequence: source.sequence,
      outcome: 'skipped',
      rowsIn: existing.rowsIn,
      rowsRejected: existing.rowsRejected,
      rowsOut: Object.fromEntries(existing.files.map((file) => [file.table, file.rows])),
      manifestKey: deps.layout.manifest(source.table, source.sequence),
      rejectedKey: existing.rejectedKey,
      sequenceGap: sequenceRecord.gap,
      late: sequenceRecord.late,
      olderThanState: 0,
      waitingForPartner: 0,
      durationMs,
    };
  }
  if (existing) {
    log.info('batch already published: transforming again on request', {
      sourceKey: source.key,
      sourceETag: etag,
      manifestETag: existing.sourceETag,
    });
  }

  const summary = await processObject(deps, source, etag, lock);
  await lock.confirm();
  const sequenceRecord = await trackSequence(deps, source);
  const durationMs = clock() - started;

  metrics.record(TransformMetric.RowsIn, summary.rowsIn, 'Count', tableDimension);
  metrics.record(TransformMetric.RowsRejected, summary.rowsRejected, 'Count', tableDimension);
  metrics.record(TransformMetric.NumbersAsText, summary.numbersAsText, 'Count', tableDimension);
  for (const [table, rows] of Object.entries(summary.rowsOut)) {
    metrics.record(TransformMetric.RowsOut, rows, 'Count', { [TABLE_DIMENSION]: table });
  }
  metrics.record(TransformMetric.ObjectsProcessed, 1, 'Count', tableDimension);
  metrics.record(TransformMetric.Duration, durationMs, 'Milliseconds', tableDimension);
  log.info('transform completed', {
    sourceKey: source.key,
    sourceTable: source.table,
    sequence: source.sequence,
    rowsIn: summary.rowsIn,
    rowsRejected: summary.rowsRejected,
    numbersAsText: summary.numbersAsText,
    rowsOut: summary.rowsOut,
    olderThanState: summary.olderThanState,
    waitingForPartner: summary.waitingForPartner,
    late: sequenceRecord.late,
    durationMs,
  });
  return {
    ...summary,
    outcome: 'processed',
    sequenceGap: sequenceRecord.gap,
    late: sequenceRecord.late,
    durationMs,
  };
}

type ProcessedSummary = Omit<TransformSummary, 'outcome' | 'sequenceGap' | 'late' | 'durationMs'> & {
  readonly numbersAsText: number;
};

async function processObject(
  deps: TransformDeps,
  source: IngestionKey,
  eventETag: string | undefined,
  lock: HeldLock,
): Promise<ProcessedSummary> {
  const object = await deps.ingestion.get(source.key);
  if (object === undefined)
    throw new Error(
      `ingestion object "${source.key}" does not exist (404 Not Found): it was deleted or renamed after its event was sent; nothing to transform`,
    );
  const { body } = object;
  // The manifest records the ETag of the bytes read: if the object was overwritten since
  // its event, the batch holds the new content, and its own event must then be a skip.
  const etag = object.etag ?? eventETag;
  if (eventETag !== undefined && object.etag !== undefined && object.etag !== eventETag) {
    deps.log.warn('ingestion object changed since its event: transforming the bytes read', {
      sourceKey: source.key,
      eventETag,
      readETag: object.etag,
    });
  }

  const sourceReadAt = sourceReadAtOf(deps, source, object.metadata);

  const stateStore = new JoinStateStore(deps.processed, deps.layout);
  const state = new Map<SourceTableName, TableState>();
  for (const table of stateTablesFor(source.table)) state.set(table, await stateStore.load(table));

  const output = new BatchOutput({ rowGroupSize: deps.rowGroupSize });
  const rejected = new RejectedRows();
  const remodeller = createRemodeller(source.table, {
    sourceKey: source.key,
    sequence: source.sequence,
    output,
    state,
    log: deps.log,
  });
  let rowsIn = 0;
  let numbersAsText = 0;
  for await (const batch of readIngestionObject(body, {
    objectKey: source.key,
    table: SOURCE_TABLES[source.table],
    gzip: source.gzip,
    maxLineBytes: deps.maxLineBytes,
    // Rows go to the remodeller as the parser's values, never becoming objects.
    onRowValues: (values) => remodeller.acceptValues(values),
  })) {
    rowsIn += batch.rowCount + batch.rejected.length;
    numbersAsText += batch.numbersAsText;
    for (const row of batch.rejected) rejected.add(row);
  }
  if (rejected.count > 0) {
    deps.log.warn('rows rejected', {
      sourceKey: source.key,
      rowsRejected: rejected.count,
      rejectedKey: deps.layout.rejected(source.table, source.sequence),
    });
  }

  const manifest = await publishBatch(
    { store: deps.processed, layout: deps.layout, stateStore, log: deps.log, confirmLock: () => lock.confirm() },
    {
      source,
      sourceETag: etag,
      rowsIn,
      output,
      rejected,
      state: [...state.values()],
      transformedAt: new Date((deps.clock ?? Date.now)()),
      ...(sourceReadAt === undefined ? {} : { sourceReadAt }),
    },
  );
  const stats = remodeller.stats();
  return {
    sourceKey: source.key,
    sourceTable: source.table,
    sequence: source.sequence,
    rowsIn,
    rowsRejected: rejected.count,
    numbersAsText,
    rowsOut: Object.fromEntries(manifest.files.map((file) => [file.table, file.rows])),
    manifestKey: deps.layout.manifest(source.table, source.sequence),
    rejectedKey: manifest.rejectedKey,
    olderThanState: stats.olderThanState,
    waitingForPartner: stats.waitingForPartner,
  };
}

/**
 * When the object's job read the source (its `source-read-at` metadata), for the manifest.
 * Absent for objects that carry none. A value that is not an ISO instant is left out with
 * a warning: it only feeds a metric, and the loader refuses a manifest holding it.
 */
function sourceReadAtOf(
  deps: TransformDeps,
  source: IngestionKey,
  metadata: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const value = metadata?.[SOURCE_READ_AT_METADATA];
  if (value === undefined) return undefined;
  if (isIsoInstant(value)) return value;
  deps.log.warn(
    `ingestion object metadata "${SOURCE_READ_AT_METADATA}" is not an ISO instant: left out of the manifest (no freshness lag for this batch)`,
    {
      sourceKey: source.key,
      value: value.slice(0, 100),
    },
  );
  return undefined;
}

async function trackSequence(deps: TransformDeps, source: IngestionKey): Promise<SequenceRecord> {
  const record = await recordProcessedSequence(deps.parameters, deps.sequenceParameterPath, source.table, source.sequence);
  deps.metrics.record(TransformMetric.SequenceGaps, record.gap, 'Count', { [TABLE_DIMENSION]: source.table });
  if (record.gap > 0) {
    deps.log.warn('ingestion sequence gap: objects missing or not yet arrived', {
      sourceKey: source.key,
      sourceTable: source.table,
      sequence: source.sequence,
      lastProcessedSequence: record.previous ?? null,
      missingSequences: record.gap,
    });
  } else if (record.late) {
    deps.log.info('late object: sequence below the last processed, processed anyway', {
      sourceKey: source.key,
      sequence: source.sequence,
      lastProcessedSequence: record.previous,
    });
  }
  return record;
}
