/**
 * What `status` finds by reading every committed batch's manifest of a table: objects
 * replaced after their batch was published (the transform refuses them), batches not
 * loaded yet whose Parquet files are gone (the loader fails on them every run), and
 * manifests that cannot be read.
 */
import type { SourceTableName } from '../lambdas/core/schema';
import type { PipelineAccess } from './pipeline-access';
import type { IngestionObjectInfo, ManifestRead } from './pipeline-listing';

export interface RefusedObject {
  readonly sequence: number;
  readonly key: string;
  /** The object's ETag now. */
  readonly etag: string;
  /** The ETag the batch's manifest recorded, and the key it was built from. */
  readonly batchETag: string;
  readonly batchSourceKey: string;
  /** Whether the ledger holds the batch as loaded; null when the warehouse could not be read. */
  readonly batchLoaded: boolean | null;
}

export interface BatchMissingFiles {
  readonly sequence: number;
  /** The manifest's Parquet files that are not in the processed bucket. */
  readonly files: readonly string[];
}

export interface UnreadableManifest {
  readonly sequence: number;
  readonly key: string;
  readonly error: string;
}

export interface BatchChecks {
  readonly refused: readonly RefusedObject[];
  readonly missingFiles: readonly BatchMissingFiles[];
  readonly unreadableManifests: readonly UnreadableManifest[];
}

/**
 * Checks the manifests of `table`. Files are looked for (one HEAD each) only in batches
 * not loaded yet, or all when the ledger is unknown: a loaded batch's files matter to
 * reconcile, which reports them itself.
 */
export async function checkBatches(
  access: PipelineAccess,
  table: SourceTableName,
  objects: readonly IngestionObjectInfo[],
  manifests: ReadonlyMap<number, ManifestRead>,
  isLoaded: (sequence: number) => boolean | null,
): Promise<BatchChecks> {
  const refused: RefusedObject[] = [];
  for (const object of objects) {
    const manifest = manifests.get(object.sequence)?.manifest;
    // The transform's own test (transform-object.ts): both ETags known and different.
    if (manifest?.sourceETag === undefined || object.etag === undefined || manifest.sourceETag === object.etag) continue;
    refused.push({
      sequence: object.sequence,
      key: object.key,
      etag: object.etag,
      batchETag: manifest.sourceETag,
      batchSourceKey: manifest.sourceKey,
      batchLoaded: isLoaded(object.sequence),
    });
  }
  const missingFiles: BatchMissingFiles[] = [];
  const unreadableManifests: UnreadableManifest[] = [];
  for (const [sequence, read] of [...manifests].sort(([a], [b]) => a - b)) {
    if (read.error !== undefined) {
      unreadableManifests.push({ sequence, key: access.layout.manifest(table, sequence), error: read.error });
      continue;
    }
    if (isLoaded(sequence) === true) continue;
    const present = await Promise.all(read.manifest.files.map(async (file) => (await access.processed.head(file.key)) !== undefined));
    const files = read.manifest.files.filter((_, index) => !present[index]).map((file) => file.key);
    if (files.length > 0) missingFiles.push({ sequence, files });
  }
  return { refused, missingFiles, unreadableManifests };
}
