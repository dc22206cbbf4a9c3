/**
 * The freshness of a table's last loaded batch: seconds from the ingest run that read its
 * rows from the source (the manifest's `sourceReadAt`) to the load that committed it (the
 * ledger's `loaded_at`). The same figure the loader reports as FreshnessLag.
 */
import type { BatchManifest } from '../lambdas/core/layout';

export interface BatchFreshness {
  /** The last loaded batch's sequence. */
  readonly sequence: number;
  readonly sourceReadAt: string;
  readonly loadedAt: string;
  readonly lagSeconds: number;
}

/** Null when unknown: nothing loaded, or the batch's object carried no `source-read-at` (objects from other jobs). */
export function batchFreshness(sequence: number, manifest: BatchManifest | undefined, loadedAt: string | null): BatchFreshness | null {
  const sourceReadAt = manifest?.sourceReadAt;
  if (sequence === 0 || sourceReadAt === undefined || loadedAt === null) return null;
  const lagSeconds = Math.max(0, Math.round((Date.parse(loadedAt) - Date.parse(sourceReadAt)) / 1000));
  return { sequence, sourceReadAt, loadedAt, lagSeconds };
}
