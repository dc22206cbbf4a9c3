/**
 * `status`: where every source table stands, end to end. Per table: the last sequence
 * ingested (the highest key in the ingestion bucket), transformed (highest manifest, and
 * the transform's SSM parameter) and loaded (the loader's ledger); sequences missing from
 * the ingestion bucket and objects never transformed; lag (batches committed but not
 * loaded, and how long the oldest has waited); rejected rows. For the warehouse:
 * placeholder dimension rows still outstanding, and rows per table.
 *
 * Reads listings, the SSM parameters, the ledger, and only the manifests it needs (the
 * oldest pending batch per table, and batches with rejected rows).
 */
import type { BatchManifest } from '../lambdas/core/layout';
import type { DatabaseClient } from '../lambdas/core/load/loader';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../lambdas/core/schema/source-tables';
import type { DimensionTableName, WarehouseTableName } from '../lambdas/core/schema/warehouse-tables';
import { lastProcessedSequenceParameter } from '../lambdas/core/transform/sequence-tracker';
import { DEFAULT_SCHEMAS } from '../lambdas/core/warehouse/names';
import { type SourceTableLoadStatus, warehouseStatus } from '../lambdas/core/warehouse/status';
import type { PipelineAccess } from './pipeline-access';
import {
  type LoadedSequences,
  listIngestionObjects,
  listManifestSequences,
  listRejectedSequences,
  readBatchManifest,
  readLoadedSequences,
} from './pipeline-listing';
import { type SequenceRange, missingUpTo, toRanges } from './sequence-ranges';

export interface TableStatus {
  readonly table: SourceTableName;
  readonly ingested: {
    readonly objects: number;
    /** 0 when nothing was ingested. */
    readonly lastSequence: number;
    readonly lastWatermark: string | null;
    /**
     * Sequences from 1 to the last that are neither in the bucket nor committed as a batch
     * (an object expired after it was transformed is not missing).
     */
    readonly missing: readonly SequenceRange[];
    /** Sequences landed under more than one key (different watermark or compression). */
    readonly duplicates: readonly number[];
    /** Keys in the table's folder that are not ingestion object keys (never processed). */
    readonly unrecognisedKeys: readonly string[];
  };
  readonly transformed: {
    readonly batches: number;
    /** Highest committed batch; 0 when none. */
    readonly lastSequence: number;
    /** The transform's `last-processed-sequence` parameter; null when not set. */
    readonly parameterSequence: number | null;
    /** Ingested sequences with no committed batch: failed, or not yet processed. */
    readonly notTransformed: readonly SequenceRange[];
    /** Committed batches whose ingestion object is no longer in the bucket (expired or deleted; not a problem in itself). */
    readonly withoutObject: readonly SequenceRange[];
  };
  /** Null when the warehouse could not be read. */
  readonly loaded: SourceTableLoadStatus | null;
  /** Null when the warehouse could not be read. */
  readonly lag: {
    readonly pendingBatches: number;
    readonly pending: readonly SequenceRange[];
    /** When the oldest pending batch was committed; null when none is pending. */
    readonly oldestTransformedAt: string | null;
    readonly oldestAgeSeconds: number | null;
  } | null;
  readonly rejected: {
    readonly rows: number;
    readonly objects: readonly RejectedObject[];
  };
}

export interface RejectedObject {
  readonly sequence: number;
  readonly sourceKey: string;
  /** The rejected-rows object in the processed bucket: each line names the line, column and reason. */
  readonly key: string;
  readonly rows: number;
}

export type WarehouseState =
  | {
      readonly state: 'ok';
      readonly schemaVersion: number;
      readonly placeholdersOutstanding: Partial<Record<DimensionTableName, number>>;
      readonly placeholdersTotal: number;
      readonly rows: Record<WarehouseTableName, number>;
    }
  | { readonly state: 'not-initialised' }
  | { readonly state: 'unreachable'; readonly error: string };

export interface PipelineStatus {
  /** ISO instant the status was taken. */
  readonly takenAt: string;
  readonly tables: readonly TableStatus[];
  readonly warehouse: WarehouseState;
  /** What an operator should look at; empty when all is well (lag and rejected rows are shown, not listed here). */
  readonly attention: readonly string[];
}

export interface StatusOptions {
  /** Epoch milliseconds; defaults to Date.now. */
  readonly now?: () => number;
}

export async function collectStatus(access: PipelineAccess, options: StatusOptions = {}): Promise<PipelineStatus> {
  const now = options.now ?? Date.now;
  const takenAt = now();
  const warehouse = await readWarehouse(access);
  const tables = await Promise.all(
    SOURCE_TABLE_NAMES.map((table) => tableStatus(access, table, warehouse, takenAt)),
  );
  const attention: string[] = [];
  for (const status of tables) attention.push(...attentionFor(status));
  if (warehouse.state === 'unreachable') attention.push(`warehouse: cannot be read: ${warehouse.error}`);
  if (warehouse.state === 'not-initialised' && tables.some((t) => t.transformed.batches > 0)) {
    attention.push('warehouse: no load has run yet (no ledger); every committed batch is pending');
  }
  return {
    takenAt: new Date(takenAt).toISOString(),
    tables,
    warehouse: warehouse.state === 'ok' ? warehouse.summary : warehouse.state === 'not-initialised' ? { state: 'not-initialised' } : warehouse,
    attention,
  };
}

type WarehouseRead =
  | {
      readonly state: 'ok';
      readonly summary: Extract<WarehouseState, { state: 'ok' }>;
      readonly loaded: Map<SourceTableName, LoadedSequences>;
      readonly perTable: Record<SourceTableName, SourceTableLoadStatus>;
    }
  | { readonly state: 'not-initialised'; readonly loaded: Map<SourceTableName, LoadedSequences> }
  | { readonly state: 'unreachable'; readonly error: string };

async function readWarehouse(access: PipelineAccess): Promise<WarehouseRead> {
  let client: DatabaseClient | undefined;
  try {
    client = await access.connect();
    const ledger = await readLoadedSequences(client, access);
    if (!ledger.initialised) return { state: 'not-initialised', loaded: ledger.loaded };
    const status = await warehouseStatus(client, access.schemas ?? DEFAULT_SCHEMAS);
    return {
      state: 'ok',
      loaded: ledger.loaded,
      perTable: status.sourceTables,
      summary: {
        state: 'ok',
        schemaVersion: status.schemaVersion,
        placeholdersOutstanding: status.placeholdersOutstanding,
        placeholdersTotal: status.placeholdersTotal,
        rows: status.rows,
      },
    };
  } catch (error) {
    return { state: 'unreachable', error: (error as Error).message ?? String(error) };
  } finally {
    await client?.end().catch(() => {});
  }
}

async function tableStatus(
  access: PipelineAccess,
  table: SourceTableName,
  warehouse: WarehouseRead,
  takenAt: number,
): Promise<TableStatus> {
  const [ingestion, manifests, rejectedSequences, parameter] = await Promise.all([
    listIngestionObjects(access, table),
    listManifestSequences(access, table),
    listRejectedSequences(access, table),
    access.parameters.get(lastProcessedSequenceParameter(access.sequenceParameterPath, table)),
  ]);

  const ingestedSequences = new Set(ingestion.objects.map((object) => object.sequence));
  const lastIngested = ingestion.objects.at(-1);
  const duplicates = ingestion.objects
    .filter((object, index, all) => index > 0 && all[index - 1]!.sequence === object.sequence)
    .map((object) => object.sequence);
  const committed = new Set(manifests);

  let loaded: TableStatus['loaded'] = null;
  let lag: TableStatus['lag'] = null;
  if (warehouse.state !== 'unreachable') {
    const ledger = warehouse.loaded.get(table)!;
    const perTable = warehouse.state === 'ok' ? warehouse.perTable[table] : undefined;
    loaded = {
      batchesLoaded: ledger.count,
      lastLoadedSequence: ledger.last,
      lastLoadedAt: perTable?.lastLoadedAt ?? null,
    };
    const pending = manifests.filter((sequence) => !ledger.has(sequence));
    const oldest = pending.length > 0 ? await oldestCommitted(access, table, pending[0]!) : undefined;
    lag = {
      pendingBatches: pending.length,
      pending: toRanges(pending),
      oldestTransformedAt: oldest ?? null,
      oldestAgeSeconds: oldest === undefined ? null : Math.max(0, Math.round((takenAt - Date.parse(oldest)) / 1000)),
    };
  }

  const rejectedObjects: RejectedObject[] = [];
  for (const sequence of rejectedSequences) {
    const manifest = await readManifestOrUndefined(access, table, sequence);
    // A rejected object the current batch does not name is left over from a replaced object.
    if (manifest?.rejectedKey === undefined || manifest.rowsRejected === 0) continue;
    rejectedObjects.push({ sequence, sourceKey: manifest.sourceKey, key: manifest.rejectedKey, rows: manifest.rowsRejected });
  }

  return {
    table,
    ingested: {
      objects: ingestion.objects.length,
      lastSequence: lastIngested?.sequence ?? 0,
      lastWatermark: lastIngested?.watermark ?? null,
      missing: missingUpTo(
        Math.max(lastIngested?.sequence ?? 0, manifests.at(-1) ?? 0),
        new Set([...ingestedSequences, ...manifests]),
      ),
      duplicates,
      unrecognisedKeys: ingestion.unrecognised,
    },
    transformed: {
      batches: manifests.length,
      lastSequence: manifests.at(-1) ?? 0,
      parameterSequence: parameter !== undefined && /^\d+$/.test(parameter.trim()) ? Number(parameter.trim()) : null,
      notTransformed: toRanges([...ingestedSequences].filter((sequence) => !committed.has(sequence))),
      withoutObject: toRanges(manifests.filter((sequence) => !ingestedSequences.has(sequence))),
    },
    loaded,
    lag,
    rejected: { rows: rejectedObjects.reduce((sum, object) => sum + object.rows, 0), objects: rejectedObjects },
  };
}

async function oldestCommitted(access: PipelineAccess, table: SourceTableName, sequence: number): Promise<string | undefined> {
  return (await readManifestOrUndefined(access, table, sequence))?.transformedAt;
}

/** A manifest the loader could not read either shows up as a failed batch; status just skips it. */
async function readManifestOrUndefined(
  access: PipelineAccess,
  table: SourceTableName,
  sequence: number,
): Promise<BatchManifest | undefined> {
  try {
    return await readBatchManifest(access, table, sequence);
  } catch {
    return undefined;
  }
}

function attentionFor(status: TableStatus): string[] {
  const { table, ingested, transformed } = status;
  const items: string[] = [];
  const list = (ranges: readonly SequenceRange[]) =>
    ranges.map(({ from, to }) => (from === to ? `${from}` : `${from}-${to}`)).join(', ');
  if (ingested.missing.length > 0) {
    items.push(`${table}: sequences missing from the ingestion bucket: ${list(ingested.missing)}`);
  }
  if (ingested.duplicates.length > 0) {
    items.push(`${table}: sequences landed under more than one key: ${[...new Set(ingested.duplicates)].join(', ')}`);
  }
  if (ingested.unrecognisedKeys.length > 0) {
    items.push(`${table}: ${ingested.unrecognisedKeys.length} key(s) that are not ingestion objects, e.g. ${ingested.unrecognisedKeys[0]}`);
  }
  if (transformed.notTransformed.length > 0) {
    items.push(`${table}: ingested but not transformed (failed, or still queued): ${list(transformed.notTransformed)}`);
  }
  return items;
}
