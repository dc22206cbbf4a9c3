/**
 * Reading a batch manifest, checking it is one the transform could have written before
 * anything trusts it: every field typed, timestamps ISO instants, no control characters,
 * the source key naming this batch, and each file at the layout's key for a table this
 * source table's remodels produce. A manifest is data from a bucket, not an instruction.
 */
import { type BatchFile, type BatchManifest, ProcessedLayout, isIsoInstant, padSequence, parseIngestionKey } from '../layout';
import type { SourceTableName } from '../schema/source-tables';
import { WAREHOUSE_TABLE_NAMES, isWarehouseTableName } from '../schema/warehouse-tables';
import { batchId } from './batch-id';
import { warehouseTablesOf } from './batch-provenance';
import { BatchLoadError } from './errors';

const WATERMARK = /^\d{8}T\d{9}$/;
// C0 controls, DEL and C1 controls: never in anything the transform writes.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export function parseManifest(bytes: Uint8Array, expected: { sourceTable: SourceTableName; sequence: number; key: string }): BatchManifest {
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
  const path = controlCharacterPath(value, '');
  if (path !== undefined) fail(`${path} contains a control character`);
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
  if (!WATERMARK.test(manifest.watermark as string)) fail(`"watermark" ${JSON.stringify(manifest.watermark)} is not YYYYMMDDTHHMMSSmmm`);
  const transformedAt = manifest.transformedAt as string;
  if (!isIsoInstant(transformedAt)) fail(`"transformedAt" ${JSON.stringify(transformedAt)} is not an ISO instant`);
  if (manifest.sourceReadAt !== undefined && !isIsoInstant(manifest.sourceReadAt)) {
    fail(`"sourceReadAt" ${JSON.stringify(manifest.sourceReadAt)} is not an ISO instant`);
  }
  checkSourceKey(manifest.sourceKey as string, expected, fail);
  if (manifest.sourceETag !== undefined && typeof manifest.sourceETag !== 'string') fail('"sourceETag" is not a string');
  for (const field of ['rowsIn', 'rowsRejected'] as const) {
    if (!isCount(manifest[field])) fail(`"${field}" is not a row count`);
  }
  const layout = layoutOf(expected);
  if (manifest.rejectedKey !== undefined && manifest.rejectedKey !== layout?.rejected(expected.sourceTable, expected.sequence)) {
    fail(`"rejectedKey" ${JSON.stringify(manifest.rejectedKey)} is not this batch's rejected-rows key`);
  }
  if (!Array.isArray(manifest.files)) return fail('"files" is not an array');
  const produced = warehouseTablesOf(expected.sourceTable);
  const seen = new Set<string>();
  manifest.files.forEach((file: unknown, index: number) => {
    const entry = file as Partial<BatchFile> | null;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(`files[${index}] is not an object`);
    if (typeof entry.table !== 'string' || !isWarehouseTableName(entry.table)) {
      return fail(`files[${index}].table ${JSON.stringify(entry.table)} is not a warehouse table`);
    }
    if (!produced.has(entry.table)) {
      return fail(`files[${index}].table ${entry.table} is not one a ${expected.sourceTable} batch produces (${[...produced].join(', ')})`);
    }
    const key = layout?.batchFile(expected.sourceTable, expected.sequence, entry.table);
    if (typeof entry.key !== 'string' || entry.key !== key) {
      return fail(`files[${index}].key ${JSON.stringify(entry.key)} is not this batch's ${entry.table} file (${key ?? 'unknown layout'})`);
    }
    if (!isCount(entry.rows)) return fail(`files[${index}].rows is not a row count`);
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

/** The processed layout the manifest key sits in (its prefix is whatever precedes `manifests/`). */
function layoutOf(expected: { sourceTable: SourceTableName; sequence: number; key: string }): ProcessedLayout | undefined {
  const suffix = `manifests/${expected.sourceTable}/${padSequence(expected.sequence)}.json`;
  if (!expected.key.endsWith(suffix)) return undefined;
  const prefix = expected.key.slice(0, -suffix.length);
  return prefix === '' || prefix.endsWith('/') ? new ProcessedLayout(prefix) : undefined;
}

/**
 * The source key's table folder (the segment just above the file) and file name must be this
 * batch's table and sequence. Whatever precedes the table folder is not checked: the loader
 * is not told the ingestion prefix, so it cannot tell a prefix from a sub-folder copy; the
 * transform's triage (the Lambda's, and local mode's listing) keeps only `<prefix><table>/<file>`.
 */
function checkSourceKey(
  sourceKey: string,
  expected: { sourceTable: SourceTableName; sequence: number },
  fail: (reason: string) => never,
): void {
  let parsed: ReturnType<typeof parseIngestionKey>;
  try {
    parsed = parseIngestionKey(sourceKey);
  } catch {
    return fail(`"sourceKey" ${JSON.stringify(sourceKey)} is not an ingestion object key`);
  }
  if (parsed.table !== expected.sourceTable || parsed.sequence !== expected.sequence) {
    fail(`"sourceKey" ${JSON.stringify(sourceKey)} is not ${expected.sourceTable} sequence ${expected.sequence}`);
  }
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Where in a parsed JSON value a string (or object key) holds a control character, e.g. `"files[0].key"`. */
function controlCharacterPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return CONTROL_CHARACTER.test(value) ? path || 'a value' : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = controlCharacterPath(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (CONTROL_CHARACTER.test(key)) return `a field name${path ? ` in ${path}` : ''}`;
      const found = controlCharacterPath(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}
