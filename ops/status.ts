/**
 * `status`: where every source table stands, end to end. Per table: the last sequence
 * ingested (the highest key in the ingestion bucket), transformed (highest manifest, and
 * the transform's SSM parameter) and loaded (the loader's ledger); sequences missing from
 * the ingestion bucket and objects never transformed; lag (batches committed but not
 * loaded, and how long the oldest has waited); rejected rows; objects the transform refuses
 * (replaced after their batch was published); batches whose Parquet files are gone; rows
 * held in join state waiting for their partner. For the warehouse: placeholder dimension
 * rows outstanding, those older than a threshold, and rows per table.
 *
 * Reads listings, the SSM parameters, the ledger, the join state and every manifest (one
 * small GET per batch, a few at a time).
 */
import { parseState } from '../lambdas/core/extract';
import type { DatabaseClient } from '../lambdas/core/load';
import { type DimensionTableName, SOURCE_TABLE_NAMES, type SourceTableName, type WarehouseTableName } from '../lambdas/core/schema';
import { lastProcessedSequenceParameter } from '../lambdas/core/transform';
import { DEFAULT_SCHEMAS, type SourceTableLoadStatus, warehouseStatus } from '../lambdas/core/warehouse';
import { type JoinWait, type WaitingRow, readJoinWaits } from './join-waits';
import type { PipelineAccess } from './pipeline-access';
import {
  type LoadedSequences,
  type ManifestRead,
  listIngestionObjects,
  listManifestSequences,
  listRejectedSequences,
  readBatchManifests,
  readLoadedSequences,
} from './pipeline-listing';
import { type SequenceRange, missingUpTo, toRanges } from './sequence-ranges';
import { attentionFor, warehouseAttention } from './status-attention';
import { type BatchMissingFiles, type RefusedObject, type UnreadableManifest, checkBatches } from './status-batches';
import { type BatchFreshness, batchFreshness } from './status-freshness';
import { DEFAULT_PLACEHOLDER_AGE_SECONDS, type OverduePlaceholders, readOverduePlaceholders } from './status-placeholders';

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
  /**
   * The ingest stage's committed state for the table (its parameter `<path>/<table>`): the
   * last sequence it wrote and when its cursor's snapshot was taken. Null when the pipeline
   * has no ingest stage or it has not run for the table.
   */
  readonly ingestStage: IngestStageState | null;
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
    /**
     * Objects whose ETag differs from the one their batch's manifest recorded: replaced after
     * the batch was published, so the transform refuses them (ReplacedObjectError).
     */
    readonly refused: readonly RefusedObject[];
    /** Batches not loaded yet whose manifest names Parquet files the bucket does not hold: the loader fails on them. */
    readonly missingFiles: readonly BatchMissingFiles[];
    /** Manifests that cannot be read: the loader fails on them too. */
    readonly unreadableManifests: readonly UnreadableManifest[];
  };
  /**
   * Rows the transform holds in join state until their partner arrives (no dimension row
   * until then); null for tables that join no partner.
   */
  readonly waitingForPartner: WaitingForPartner | null;
  /** Null when the warehouse could not be read. */
  readonly loaded: SourceTableLoadStatus | null;
  /**
   * Seconds from the ingest run's read of the source to the commit of the last loaded
   * batch; null when unknown (nothing loaded, warehouse unreadable, or no `sourceReadAt`).
   */
  readonly freshness: BatchFreshness | null;
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

interface IngestStageState {
  readonly parameter: string;
  readonly lastSequence: number;
  /** When the snapshot the next run reads after was taken; null without a cursor (the next read is a full one). */
  readonly cursorTakenAt: string | null;
  /** Why the parameter cannot be read, when it cannot. */
  readonly error?: string;
}

interface WaitingForPartner {
  /** The table whose rows have not arrived, the column naming them, the dimension held back. */
  readonly partnerTable: SourceTableName;
  readonly foreignKey: string;
  readonly dimension: DimensionTableName;
  readonly rows: number;
  /** Every partner id the waiting rows name, ascending. */
  readonly missingPartnerIds: readonly number[];
  /** Up to 10 waiting rows, oldest first. */
  readonly examples: readonly WaitingRow[];
  /** The sequence that brought the oldest waiting row, and when that batch was committed. */
  readonly oldestSequence: number | null;
  readonly since: string | null;
  readonly sinceAgeSeconds: number | null;
  /** Why the join state could not be read, when it could not. */
  readonly error?: string;
}

interface RejectedObject {
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
      /** The age from which a placeholder needs attention (`--placeholder-age`). */
      readonly placeholderAgeSeconds: number;
      /** Per dimension with any: placeholders at least that old. */
      readonly placeholdersOverdue: readonly OverduePlaceholders[];
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
  /** Placeholders at least this old need attention; default a day. */
  readonly placeholderAgeSeconds?: number;
}

export async function collectStatus(access: PipelineAccess, options: StatusOptions = {}): Promise<PipelineStatus> {
  const now = options.now ?? Date.now;
  const takenAt = now();
  const placeholderAgeSeconds = options.placeholderAgeSeconds ?? DEFAULT_PLACEHOLDER_AGE_SECONDS;
  const [warehouse, joinWaits] = await Promise.all([readWarehouse(access, takenAt, placeholderAgeSeconds), readJoinWaits(access)]);
  const tables = await Promise.all(
    SOURCE_TABLE_NAMES.map((table) =>
      tableStatus(
        access,
        table,
        warehouse,
        joinWaits.find((wait) => wait.table === table),
        takenAt,
      ),
    ),
  );
  const attention: string[] = [];
  for (const status of tables) attention.push(...attentionFor(status));
  attention.push(...warehouseAttention(warehouse.state === 'ok' ? warehouse.summary : warehouse, tables));
  return {
    takenAt: new Date(takenAt).toISOString(),
    tables,
    warehouse:
      warehouse.state === 'ok' ? warehouse.summary : warehouse.state === 'not-initialised' ? { state: 'not-initialised' } : warehouse,
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

async function readWarehouse(access: PipelineAccess, now: number, placeholderAgeSeconds: number): Promise<WarehouseRead> {
  let client: DatabaseClient | undefined;
  try {
    client = await access.connect();
    const ledger = await readLoadedSequences(client, access);
    if (!ledger.initialised) return { state: 'not-initialised', loaded: ledger.loaded };
    const schemas = access.schemas ?? DEFAULT_SCHEMAS;
    const status = await warehouseStatus(client, schemas);
    const placeholdersOverdue = await readOverduePlaceholders(client, schemas, now, placeholderAgeSeconds);
    return {
      state: 'ok',
      loaded: ledger.loaded,
      perTable: status.sourceTables,
      summary: {
        state: 'ok',
        schemaVersion: status.schemaVersion,
        placeholdersOutstanding: status.placeholdersOutstanding,
        placeholdersTotal: status.placeholdersTotal,
        placeholderAgeSeconds,
        placeholdersOverdue,
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
  joinWait: JoinWait | undefined,
  takenAt: number,
): Promise<TableStatus> {
  const [ingestion, manifests, rejectedSequences, parameter, ingestStage] = await Promise.all([
    listIngestionObjects(access, table),
    listManifestSequences(access, table),
    listRejectedSequences(access, table),
    access.parameters.get(lastProcessedSequenceParameter(access.sequenceParameterPath, table)),
    readIngestStage(access, table),
  ]);
  const manifestReads = await readBatchManifests(access, table, manifests);
  const manifestOf = (sequence: number) => manifestReads.get(sequence)?.manifest;

  const ingestedSequences = new Set(ingestion.objects.map((object) => object.sequence));
  const lastIngested = ingestion.objects.at(-1);
  const duplicates = ingestion.objects
    .filter((object, index, all) => index > 0 && all[index - 1]!.sequence === object.sequence)
    .map((object) => object.sequence);
  const committed = new Set(manifests);

  let loaded: TableStatus['loaded'] = null;
  let lag: TableStatus['lag'] = null;
  let freshness: TableStatus['freshness'] = null;
  const ledger = warehouse.state === 'unreachable' ? undefined : warehouse.loaded.get(table)!;
  if (ledger) {
    const perTable = warehouse.state === 'ok' ? warehouse.perTable[table] : undefined;
    loaded = {
      batchesLoaded: ledger.count,
      lastLoadedSequence: ledger.last,
      lastLoadedAt: perTable?.lastLoadedAt ?? null,
    };
    // Batches load in sequence order, so the last sequence is the one loaded last.
    freshness = batchFreshness(ledger.last, manifestOf(ledger.last), loaded.lastLoadedAt);
    const pending = manifests.filter((sequence) => !ledger.has(sequence));
    const oldest = pending.length > 0 ? manifestOf(pending[0]!)?.transformedAt : undefined;
    lag = {
      pendingBatches: pending.length,
      pending: toRanges(pending),
      oldestTransformedAt: oldest ?? null,
      oldestAgeSeconds: oldest === undefined ? null : Math.max(0, Math.round((takenAt - Date.parse(oldest)) / 1000)),
    };
  }

  const rejectedObjects: RejectedObject[] = [];
  for (const sequence of rejectedSequences) {
    const manifest = manifestOf(sequence);
    // A rejected object the current batch does not name is left over from a replaced object.
    if (manifest?.rejectedKey === undefined || manifest.rowsRejected === 0) continue;
    rejectedObjects.push({ sequence, sourceKey: manifest.sourceKey, key: manifest.rejectedKey, rows: manifest.rowsRejected });
  }

  const checks = await checkBatches(access, table, ingestion.objects, manifestReads, (sequence) => (ledger ? ledger.has(sequence) : null));

  return {
    table,
    ingested: {
      objects: ingestion.objects.length,
      lastSequence: lastIngested?.sequence ?? 0,
      lastWatermark: lastIngested?.watermark ?? null,
      missing: missingUpTo(Math.max(lastIngested?.sequence ?? 0, manifests.at(-1) ?? 0), new Set([...ingestedSequences, ...manifests])),
      duplicates,
      unrecognisedKeys: ingestion.unrecognised,
    },
    ingestStage,
    transformed: {
      batches: manifests.length,
      lastSequence: manifests.at(-1) ?? 0,
      parameterSequence: parameter !== undefined && /^\d+$/.test(parameter.trim()) ? Number(parameter.trim()) : null,
      notTransformed: toRanges([...ingestedSequences].filter((sequence) => !committed.has(sequence))),
      withoutObject: toRanges(manifests.filter((sequence) => !ingestedSequences.has(sequence))),
      ...checks,
    },
    waitingForPartner: joinWait ? waitingForPartner(joinWait, manifestReads, takenAt) : null,
    loaded,
    freshness,
    lag,
    rejected: { rows: rejectedObjects.reduce((sum, object) => sum + object.rows, 0), objects: rejectedObjects },
  };
}

async function readIngestStage(access: PipelineAccess, table: SourceTableName): Promise<IngestStageState | null> {
  if (access.ingestParameterPath === undefined) return null;
  const parameter = `${access.ingestParameterPath.replace(/\/+$/, '')}/${table}`;
  const text = await access.parameters.get(parameter);
  if (text === undefined) return null;
  try {
    const state = parseState(text, parameter);
    return { parameter, lastSequence: state.sequence, cursorTakenAt: state.cursor?.takenAt ?? null };
  } catch (error) {
    return { parameter, lastSequence: 0, cursorTakenAt: null, error: (error as Error).message };
  }
}

function waitingForPartner(wait: JoinWait, manifests: ReadonlyMap<number, ManifestRead>, takenAt: number): WaitingForPartner {
  const oldest = wait.rows[0];
  const since = oldest === undefined ? undefined : manifests.get(oldest.sequence)?.manifest?.transformedAt;
  return {
    partnerTable: wait.partnerTable,
    foreignKey: wait.foreignKey,
    dimension: wait.dimension,
    rows: wait.rows.length,
    missingPartnerIds: [...new Set(wait.rows.map((row) => row.partnerId))].sort((a, b) => a - b),
    examples: wait.rows.slice(0, 10),
    oldestSequence: oldest?.sequence ?? null,
    since: since ?? null,
    sinceAgeSeconds: since === undefined ? null : Math.max(0, Math.round((takenAt - Date.parse(since)) / 1000)),
    ...(wait.error === undefined ? {} : { error: wait.error }),
  };
}
