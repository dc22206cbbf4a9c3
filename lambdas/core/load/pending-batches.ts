/**
 * Finding the batches still to load and the order to load them in.
 *
 * A batch is pending when its manifest exists (it is complete) and the ledger has no row
 * for it. Listing is kept bounded by starting, per source table, after the highest
 * sequence below which every batch is in the ledger: a late batch can only have a
 * sequence above that, so nothing is missed.
 *
 * Order: each source table's batches in sequence order; across tables, the batch whose
 * manifest watermark (newest source change) is oldest goes first, dimension batches
 * before fact batches on a tie. Dimensions are version-guarded and facts deduplicated,
 * so order only decides how many placeholders are made and filled along the way.
 */
import type { QueryClient } from '../sql-client';
import type { BatchManifest, ProcessedLayout } from '../layout';
import type { ObjectStore } from '../ports';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../schema/source-tables';
import { FACT_TABLE_NAMES } from '../schema/warehouse-tables';
import { CONTROL_TABLES, type WarehouseSchemas, qualified } from '../warehouse/names';
import { batchId } from './batch-id';
import { BatchLoadError } from './errors';
import { parseManifest } from './manifest';

export interface PendingBatch {
  readonly sourceTable: SourceTableName;
  readonly sequence: number;
  readonly manifestKey: string;
}

/** A pending batch with its manifest read, or the reason it could not be. */
export type ScheduledBatch =
  | (PendingBatch & { readonly manifest: BatchManifest; readonly error?: undefined })
  | (PendingBatch & { readonly manifest?: undefined; readonly error: BatchLoadError });

/** Per source table: the contiguous loaded sequence, and the loaded sequences above it. */
export async function readLedgerPositions(
  client: QueryClient,
  schemas: WarehouseSchemas,
): Promise<Map<SourceTableName, { contiguous: number; loadedAbove: Set<number> }>> {
  const ledger = qualified(schemas.control, CONTROL_TABLES.loadedBatch);
  // sequence - row_number() is 0 exactly while 1..sequence are all present.
  const { rows } = await client.query<{ source_table: SourceTableName; sequence: number; contiguous: boolean }>(
    `WITH numbered AS (
  SELECT source_table, sequence, sequence - row_number() OVER (PARTITION BY source_table ORDER BY sequence) = 0 AS contiguous
  FROM ${ledger}
), watermark AS (
  SELECT source_table, coalesce(max(sequence) FILTER (WHERE contiguous), 0) AS sequence FROM numbered GROUP BY source_table
)
SELECT source_table, sequence, true AS contiguous FROM watermark
UNION ALL
SELECT n.source_table, n.sequence, false FROM numbered n JOIN watermark w USING (source_table) WHERE n.sequence > w.sequence`,
  );
  const positions = new Map<SourceTableName, { contiguous: number; loadedAbove: Set<number> }>();
  for (const table of SOURCE_TABLE_NAMES) positions.set(table, { contiguous: 0, loadedAbove: new Set() });
  for (const row of rows) {
    const position = positions.get(row.source_table);
    if (!position) continue;
    if (row.contiguous) position.contiguous = row.sequence;
    else position.loadedAbove.add(row.sequence);
  }
  return positions;
}

/** The pending batches, in load order, reading each manifest only when it is needed. */
export class PendingBatches {
  private readonly manifests = new Map<string, Promise<ScheduledBatch>>();

  private constructor(
    private readonly store: ObjectStore,
    private readonly queues: Map<SourceTableName, PendingBatch[]>,
  ) {}

  static async find(client: QueryClient, store: ObjectStore, layout: ProcessedLayout, schemas: WarehouseSchemas): Promise<PendingBatches> {
    const positions = await readLedgerPositions(client, schemas);
    const queues = new Map<SourceTableName, PendingBatch[]>();
    for (const table of SOURCE_TABLE_NAMES) {
      const { contiguous, loadedAbove } = positions.get(table)!;
      const startAfter = contiguous > 0 ? layout.manifest(table, contiguous) : undefined;
      const queue: PendingBatch[] = [];
      for await (const object of store.list(layout.manifestsPrefix(table), startAfter)) {
        const sequence = layout.sequenceOfManifest(table, object.key);
        if (sequence === undefined || sequence <= contiguous || loadedAbove.has(sequence)) continue;
        queue.push({ sourceTable: table, sequence, manifestKey: object.key });
      }
      queue.sort((a, b) => a.sequence - b.sequence);
      if (queue.length > 0) queues.set(table, queue);
    }
    return new PendingBatches(store, queues);
  }

  /** How many batches are still queued. */
  get size(): number {
    let size = 0;
    for (const queue of this.queues.values()) size += queue.length;
    return size;
  }

  /** Takes the next batch to load off the queue; undefined when there are none. */
  async next(): Promise<ScheduledBatch | undefined> {
    const heads = await Promise.all([...this.queues.values()].map((queue) => this.read(queue[0]!)));
    if (heads.length === 0) return undefined;
    // A batch whose manifest is unreadable cannot be ordered: hand it over first, to fail.
    const chosen = heads.find((head) => head.error) ?? heads.reduce((best, head) => (compare(head, best) < 0 ? head : best));
    const queue = this.queues.get(chosen.sourceTable)!;
    queue.shift();
    if (queue.length === 0) this.queues.delete(chosen.sourceTable);
    return chosen;
  }

  /** Puts a batch back at the front of its queue (it was not loaded after all). */
  putBack(batch: ScheduledBatch): void {
    const queue = this.queues.get(batch.sourceTable) ?? [];
    queue.unshift(batch);
    this.queues.set(batch.sourceTable, queue);
  }

  /** When the oldest queued batch was transformed (each table's first queued batch), if any is known. */
  async oldestTransformedAt(): Promise<number | undefined> {
    const heads = await Promise.all([...this.queues.values()].map((queue) => this.read(queue[0]!)));
    const times = heads.flatMap((head) => (head.manifest ? [Date.parse(head.manifest.transformedAt)] : []));
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  private read(batch: PendingBatch): Promise<ScheduledBatch> {
    let read = this.manifests.get(batch.manifestKey);
    if (!read) {
      read = readManifest(this.store, batch);
      this.manifests.set(batch.manifestKey, read);
    }
    return read;
  }
}

async function readManifest(store: ObjectStore, batch: PendingBatch): Promise<ScheduledBatch> {
  const bytes = await store.getBytes(batch.manifestKey);
  if (!bytes) {
    const error = new BatchLoadError(batchId(batch.sourceTable, batch.sequence), 'manifest vanished after listing', batch.manifestKey);
    return { ...batch, error };
  }
  try {
    return { ...batch, manifest: parseManifest(bytes, { ...batch, key: batch.manifestKey }) };
  } catch (error) {
    if (error instanceof BatchLoadError) return { ...batch, error };
    throw error;
  }
}

const isFactBatch = (manifest: BatchManifest) =>
  manifest.files.some((file) => (FACT_TABLE_NAMES as readonly string[]).includes(file.table));

function compare(a: ScheduledBatch, b: ScheduledBatch): number {
  const left = a.manifest!;
  const right = b.manifest!;
  if (left.watermark !== right.watermark) return left.watermark < right.watermark ? -1 : 1;
  const kind = Number(isFactBatch(left)) - Number(isFactBatch(right));
  if (kind !== 0) return kind;
  if (a.sourceTable !== b.sourceTable) return a.sourceTable < b.sourceTable ? -1 : 1;
  return a.sequence - b.sequence;
}
