/**
 * Listing what the pipeline has produced, per source table: the ingestion objects (by
 * sequence), the committed batches (manifests), the rejected-row objects, and the loader's
 * ledger. Listing costs one request per 1,000 keys; reading is left to the callers, who
 * read only what they need.
 */
import { type BatchManifest, type IngestionKey, parseIngestionKey } from '../lambdas/core/layout';
import { BatchLoadError, type DatabaseClient, parseManifest, readLedgerPositions } from '../lambdas/core/load';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../lambdas/core/schema';
import { CONTROL_TABLES, DEFAULT_SCHEMAS, qualified } from '../lambdas/core/warehouse';
import type { PipelineAccess } from './pipeline-access';

export interface IngestionObjectInfo extends IngestionKey {
  readonly etag?: string;
  readonly size: number;
}

export interface IngestionListing {
  /** By sequence; a sequence landed twice (two watermarks) appears twice. */
  readonly objects: readonly IngestionObjectInfo[];
  /** Keys under the table's folder that are not ingestion object keys. */
  readonly unrecognised: readonly string[];
}

export async function listIngestionObjects(access: PipelineAccess, table: SourceTableName): Promise<IngestionListing> {
  const folder = `${access.ingestionPrefix}${table}/`;
  const objects: IngestionObjectInfo[] = [];
  const unrecognised: string[] = [];
  for await (const object of access.ingestion.list(folder)) {
    const rest = object.key.slice(folder.length);
    let parsed: IngestionKey | undefined;
    try {
      // Only keys directly in the table's folder: `<prefix><table>/<sequence>_<watermark>.jsonl[.gz]`.
      if (!rest.includes('/')) parsed = parseIngestionKey(object.key);
    } catch {
      parsed = undefined;
    }
    if (parsed?.table === table) objects.push({ ...parsed, etag: object.etag, size: object.size });
    else unrecognised.push(object.key);
  }
  objects.sort((a, b) => a.sequence - b.sequence || (a.key < b.key ? -1 : 1));
  return { objects, unrecognised };
}

/** Sequences of the committed batches of `table`, ascending. */
export async function listManifestSequences(access: PipelineAccess, table: SourceTableName): Promise<number[]> {
  const sequences: number[] = [];
  for await (const object of access.processed.list(access.layout.manifestsPrefix(table))) {
    const sequence = access.layout.sequenceOfManifest(table, object.key);
    if (sequence !== undefined) sequences.push(sequence);
  }
  return sequences.sort((a, b) => a - b);
}

/** Sequences that have a rejected-rows object, ascending. */
export async function listRejectedSequences(access: PipelineAccess, table: SourceTableName): Promise<number[]> {
  const prefix = access.layout.rejected(table, 1).replace(/\d{10}\.jsonl$/, '');
  const sequences: number[] = [];
  for await (const object of access.processed.list(prefix)) {
    const match = /^(\d{10})\.jsonl$/.exec(object.key.slice(prefix.length));
    if (match) sequences.push(Number(match[1]));
  }
  return sequences.sort((a, b) => a - b);
}

/** The batch's manifest, checked as the loader checks it; undefined when not committed. */
export async function readBatchManifest(
  access: PipelineAccess,
  table: SourceTableName,
  sequence: number,
): Promise<BatchManifest | undefined> {
  const key = access.layout.manifest(table, sequence);
  const bytes = await access.processed.getBytes(key);
  return bytes === undefined ? undefined : parseManifest(bytes, { sourceTable: table, sequence, key });
}

/** A batch's manifest as read: the manifest, or why it cannot be used. */
export type ManifestRead =
  | { readonly manifest: BatchManifest; readonly error?: undefined }
  | { readonly manifest?: undefined; readonly error: string };

/** The manifests of `sequences`, read a few at a time (one small GET each). */
export async function readBatchManifests(
  access: PipelineAccess,
  table: SourceTableName,
  sequences: readonly number[],
  concurrency = 8,
): Promise<Map<number, ManifestRead>> {
  const reads = new Map<number, ManifestRead>();
  let next = 0;
  const worker = async () => {
    while (next < sequences.length) {
      const sequence = sequences[next++]!;
      try {
        const manifest = await readBatchManifest(access, table, sequence);
        // Listed a moment ago: gone now means it was removed meanwhile.
        reads.set(sequence, manifest ? { manifest } : { error: 'the manifest was removed while status ran' });
      } catch (error) {
        // A manifest that is not one (the loader refuses it too); failing to read the bucket is not that.
        if (!(error instanceof BatchLoadError)) throw error;
        reads.set(sequence, { error: error.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sequences.length) }, worker));
  return reads;
}

/** The loader's ledger: per source table, the sequences loaded. Empty before the first load. */
export async function readLoadedSequences(
  client: DatabaseClient,
  access: PipelineAccess,
): Promise<{ readonly initialised: boolean; readonly loaded: Map<SourceTableName, LoadedSequences> }> {
  const schemas = access.schemas ?? DEFAULT_SCHEMAS;
  const loaded = new Map<SourceTableName, LoadedSequences>();
  for (const table of SOURCE_TABLE_NAMES) loaded.set(table, new LoadedSequences(0, new Set()));
  const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    qualified(schemas.control, CONTROL_TABLES.loadedBatch),
  ]);
  if (!rows[0]?.exists) return { initialised: false, loaded };
  for (const [table, position] of await readLedgerPositions(client, schemas)) {
    loaded.set(table, new LoadedSequences(position.contiguous, position.loadedAbove));
  }
  return { initialised: true, loaded };
}

/** Loaded sequences as the ledger keeps them: 1..contiguous, plus some above. */
export class LoadedSequences {
  constructor(
    readonly contiguous: number,
    readonly above: ReadonlySet<number>,
  ) {}

  has(sequence: number): boolean {
    return sequence <= this.contiguous || this.above.has(sequence);
  }

  get count(): number {
    return this.contiguous + this.above.size;
  }

  get last(): number {
    let last = this.contiguous;
    for (const sequence of this.above) if (sequence > last) last = sequence;
    return last;
  }
}
