/**
 * Publishes a batch to the processed bucket in the order that makes any crash repairable
 * by re-delivery (docs/ARCHITECTURE.md "Transform"): the Parquet files, the rejected
 * rows, the join state, and last the manifest, the commit marker the loader waits for.
 * Keys are deterministic, so a re-run overwrites the same objects. The caller holds the
 * transform lock of the object's join group; it is confirmed before state is written.
 */
import type { BatchFile, BatchManifest, IngestionKey, ProcessedLayout } from '../layout';
import type { Log, ObjectStore } from '../ports';
import type { BatchOutput } from './batch-output';
import type { JoinStateStore, TableState } from './join-state';
import type { RejectedRows } from './rejected-rows';

const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';

export interface BatchToPublish {
  readonly source: IngestionKey;
  readonly sourceETag?: string;
  readonly rowsIn: number;
  readonly output: BatchOutput;
  readonly rejected: RejectedRows;
  /** Join state touched by this object; only changed tables are written. */
  readonly state: readonly TableState[];
  readonly transformedAt: Date;
  /** When the object's job read the source (ISO instant), for the loader's freshness lag. */
  readonly sourceReadAt?: string;
}

export interface PublishTarget {
  readonly store: ObjectStore;
  readonly layout: ProcessedLayout;
  readonly stateStore: JoinStateStore;
  readonly log: Log;
  /**
   * Called before join state and the manifest are written (the writes other objects'
   * transforms depend on); throws when this transform no longer holds its lock.
   */
  readonly confirmLock?: () => Promise<void>;
}

export async function publishBatch(target: PublishTarget, batch: BatchToPublish): Promise<BatchManifest> {
  const { store, layout, stateStore, log } = target;
  const { source } = batch;
  const files: BatchFile[] = [];
  for (const table of batch.output.tables()) {
    const key = layout.batchFile(source.table, source.sequence, table);
    const rows = batch.output.rowCount(table);
    const bytes = batch.output.finish(table, {
      source_key: source.key,
      source_table: source.table,
      sequence: String(source.sequence),
      warehouse_table: table,
    });
    await store.put(key, bytes, { contentType: PARQUET_CONTENT_TYPE });
    files.push({ table, key, rows });
    log.info('warehouse table written', {
      sourceKey: source.key,
      warehouseTable: table,
      rows,
      bytes: bytes.byteLength,
      key,
    });
  }

  let rejectedKey: string | undefined;
  if (batch.rejected.count > 0) {
    rejectedKey = layout.rejected(source.table, source.sequence);
    await store.put(rejectedKey, batch.rejected.toJsonLines(), { contentType: 'application/x-ndjson' });
  }

  await target.confirmLock?.();
  for (const state of batch.state) {
    if (state.changed) await stateStore.save(state);
  }

  const manifest: BatchManifest = {
    formatVersion: 1,
    sourceTable: source.table,
    sequence: source.sequence,
    watermark: source.watermark,
    sourceKey: source.key,
    ...(batch.sourceETag === undefined ? {} : { sourceETag: batch.sourceETag }),
    rowsIn: batch.rowsIn,
    rowsRejected: batch.rejected.count,
    ...(rejectedKey === undefined ? {} : { rejectedKey }),
    files,
    transformedAt: batch.transformedAt.toISOString(),
    ...(batch.sourceReadAt === undefined ? {} : { sourceReadAt: batch.sourceReadAt }),
  };
  await store.put(layout.manifest(source.table, source.sequence), JSON.stringify(manifest, null, 2), {
    contentType: 'application/json',
  });
  return manifest;
}

/** The manifest of `(table, sequence)`, or undefined when the batch was never committed. */
export async function readManifest(store: ObjectStore, layout: ProcessedLayout, source: IngestionKey): Promise<BatchManifest | undefined> {
  const key = layout.manifest(source.table, source.sequence);
  const bytes = await store.getBytes(key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as BatchManifest;
  } catch (error) {
    throw new Error(`manifest "${key}" is not JSON: ${(error as Error).message}`);
  }
}
