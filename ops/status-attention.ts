/**
 * What `status` lists under "Needs attention" (and exits 1 for): each item says what is
 * wrong and, where the fix is not obvious, what to do. Lag and rejected rows are shown in
 * the table but are not listed: they resolve on the next run, or are listed per object.
 */
import { SOURCE_TABLES } from '../lambdas/core/schema';
import { DIMENSION_MEASURES } from './reconcile/measures';
import type { SequenceRange } from './sequence-ranges';
import type { TableStatus, WarehouseState } from './status';
import { formatAge } from './text-table';

const list = (ranges: readonly SequenceRange[]) => ranges.map(({ from, to }) => (from === to ? `${from}` : `${from}-${to}`)).join(', ');
const replay = (table: string, sequence: number) => `npm run ops -- replay <target> --table ${table} --from ${sequence} --to ${sequence}`;
/** The first few items; `total` when the list itself is already a sample. */
const firstFew = <T>(items: readonly T[], show: (item: T) => string, count = 5, total = items.length) =>
  items.slice(0, count).map(show).join(', ') + (total > Math.min(count, items.length) ? `, … (${total} in all)` : '');

export function attentionFor(status: TableStatus): string[] {
  const { table, ingested, transformed, waitingForPartner: waiting } = status;
  const items: string[] = [];
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
  for (const object of transformed.refused) {
    items.push(
      `${table}: ${object.key} was replaced after its batch was published (ETag ${object.etag}; the batch recorded ` +
        `${object.batchETag}${object.batchSourceKey === object.key ? '' : ` from ${object.batchSourceKey}`}): the transform refuses it ` +
        '(ReplacedObjectError) and its new content reaches no batch. Do: ' +
        (object.batchLoaded === false
          ? `the batch is not loaded yet, so \`${replay(table, object.sequence)}\` publishes the new content; or restore the original`
          : 'restore the original object (the bucket keeps versions) and land the corrections as a new object with the next sequence'),
    );
  }
  for (const batch of transformed.missingFiles) {
    items.push(
      `${table}: batch ${batch.sequence} names Parquet file(s) the processed bucket does not hold: ` +
        `${firstFew(batch.files, (key) => key, 3)}; the loader fails on it every run. ` +
        `Do: \`${replay(table, batch.sequence)}\` rebuilds the batch from its ingestion object`,
    );
  }
  for (const manifest of transformed.unreadableManifests) {
    items.push(
      `${table}: the manifest of batch ${manifest.sequence} (${manifest.key}) cannot be read: ${manifest.error}; ` +
        `the loader fails on it too. Do: \`${replay(table, manifest.sequence)}\` rewrites it from its ingestion object`,
    );
  }
  if (waiting?.error !== undefined) {
    items.push(
      `${table}: the join state cannot be read (${waiting.error}); the transform fails on ${table} and ${waiting.partnerTable} objects too`,
    );
  } else if (waiting && waiting.rows > 0) {
    const idColumn = SOURCE_TABLES[table].primaryKey;
    const since =
      waiting.since === null
        ? ''
        : ` since ${waiting.since}${waiting.sinceAgeSeconds === null ? '' : ` (${formatAge(waiting.sinceAgeSeconds)} ago)`}`;
    items.push(
      `${table}: ${waiting.rows} row(s) wait for their ${waiting.partnerTable}${since}, first brought by sequence ${waiting.oldestSequence}: ` +
        `${firstFew(waiting.examples, (row) => `${idColumn} ${row.id} needs ${waiting.foreignKey} ${row.partnerId}`, 5, waiting.rows)}. ` +
        `${waiting.dimension} does not get them until it arrives (a new id's facts point at a placeholder, a known id keeps its ` +
        'previous values). Do: check why ' +
        `${waiting.partnerTable} ${firstFew(waiting.missingPartnerIds, String)} never arrived and land it in a new ${waiting.partnerTable} object; ` +
        'the waiting rows are joined and loaded then',
    );
  }
  return items;
}

export function warehouseAttention(warehouse: WarehouseState, tables: readonly TableStatus[]): string[] {
  if (warehouse.state === 'unreachable') return [`warehouse: cannot be read: ${warehouse.error}`];
  if (warehouse.state === 'not-initialised') {
    return tables.some((t) => t.transformed.batches > 0)
      ? ['warehouse: no load has run yet (no ledger); every committed batch is pending']
      : [];
  }
  return warehouse.placeholdersOverdue.map((overdue) => {
    const source = DIMENSION_MEASURES.find((measure) => measure.table === overdue.table)?.source;
    const waiting = tables.find((t) => t.table === source)?.waitingForPartner;
    return (
      `${overdue.table}: ${overdue.rows} placeholder row(s) older than ${formatAge(warehouse.placeholderAgeSeconds)} ` +
      `(oldest created ${overdue.oldestCreatedAt}, ${formatAge(overdue.oldestAgeSeconds)} ago; ids ${firstFew(overdue.ids, String, 10, overdue.rows)}): ` +
      `facts refer to ${source ?? 'these'} rows that have not arrived. Do: check that the ${source ?? 'source'} ingestion holds these ids` +
      (waiting && waiting.rows > 0 ? ` (rows waiting for their ${waiting.partnerTable} are listed above)` : '') +
      '; the real row replaces the placeholder when it arrives'
    );
  });
}
