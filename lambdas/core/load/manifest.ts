/** Reading a batch manifest, checking it is one before anything trusts it. */
import type { BatchFile, BatchManifest } from '../layout';
import type { SourceTableName } from '../schema/source-tables';
import { WAREHOUSE_TABLE_NAMES, isWarehouseTableName } from '../schema/warehouse-tables';
import { batchId } from './batch-id';
import { BatchLoadError } from './errors';

export function parseManifest(
  bytes: Uint8Array,
  expected: { sourceTable: SourceTableName; sequence: number; key: string },
): BatchManifest {
  const id = batchId(expected.sourceTable, expected.sequence);
  const fail = (reason: string): never => {
    throw new BatchLoadError(id, `bad manifest: ${reason}`, expected.key);
  };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const manifest = value as Record<string, unknown>;
  if (manifest.formatVersion !== 1) fail(`formatVersion ${JSON.stringify(manifest.formatVersion)}, expected 1`);
  if (manifest.sourceTable !== expected.sourceTable) {
    fail(`sourceTable ${JSON.stringify(manifest.sourceTable)}, expected "${expected.sourceTable}"`);
  }
  if (manifest.sequence !== expected.sequence) {
    fail(`sequence ${JSON.stringify(manifest.sequence)}, expected ${expected.sequence}`);
  }
  for (const field of ['watermark', 'sourceKey', 'transformedAt'] as const) {
    if (typeof manifest[field] !== 'string') fail(`"${field}" is not a string`);
  }
  if (Number.isNaN(Date.parse(manifest.transformedAt as string))) fail('"transformedAt" is not an ISO instant');
  if (!Array.isArray(manifest.files)) return fail('"files" is not an array');
  const seen = new Set<string>();
  manifest.files.forEach((file: unknown, index: number) => {
    const entry = file as Partial<BatchFile> | null;
    if (typeof entry !== 'object' || entry === null) return fail(`files[${index}] is not an object`);
    if (typeof entry.table !== 'string' || !isWarehouseTableName(entry.table)) {
      return fail(`files[${index}].table ${JSON.stringify(entry.table)} is not a warehouse table`);
    }
    if (typeof entry.key !== 'string' || entry.key === '') return fail(`files[${index}].key is not a key`);
    if (!Number.isSafeInteger(entry.rows) || (entry.rows as number) < 0) {
      return fail(`files[${index}].rows is not a row count`);
    }
    if (seen.has(entry.table)) fail(`two files for ${entry.table}`);
    seen.add(entry.table);
  });
  return value as BatchManifest;
}

/** The manifest's files in load order: dim_date, the other dimensions, then facts. */
export function filesInLoadOrder(manifest: BatchManifest): BatchFile[] {
  const rank = (file: BatchFile) => WAREHOUSE_TABLE_NAMES.indexOf(file.table);
  return [...manifest.files].sort((a, b) => rank(a) - rank(b));
}
