/**
 * The benchmark's data: dimension batches with every row the facts reference, and one
 * sales_order batch of N fact rows (plus its dim_date rows), written as the transform
 * writes them: Parquet files, then the manifest. Deterministic, so runs compare.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type BatchFile, type ProcessedLayout, padSequence } from '../../lambdas/core/layout';
import { cellFormatter } from '../../lambdas/core/load/copy-text';
import { ParquetTableWriter } from '../../lambdas/core/parquet/writer';
import type { ObjectStore } from '../../lambdas/core/ports';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { FACT_TABLES, type WarehouseTableName, WAREHOUSE_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { MS_PER_DAY } from '../../lambdas/core/time';
import { dimDateRow } from '../../lambdas/core/transform/dim-date';

const COUNTS = { staff: 20, location: 30, counterparty: 20, currency: 3, design: 50 };
const FIRST_DAY = 19_000; // 2022-01-08
const DAYS = 730;
const VERSION = '0000000001.20241114T093012345';

/** A small deterministic PRNG (mulberry32): the same rows every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function writeBatch(
  store: ObjectStore,
  layout: ProcessedLayout,
  sourceTable: SourceTableName,
  files: { table: WarehouseTableName; bytes: Uint8Array; rows: number }[],
  sequence = 1,
): Promise<void> {
  const entries: BatchFile[] = [];
  for (const file of files) {
    const key = layout.batchFile(sourceTable, sequence, file.table);
    await store.put(key, file.bytes);
    entries.push({ table: file.table, key, rows: file.rows });
  }
  await store.put(
    layout.manifest(sourceTable, sequence),
    JSON.stringify({
      formatVersion: 1,
      sourceTable,
      sequence,
      watermark: '20241114T093012345',
      sourceKey: `${sourceTable}/${padSequence(sequence)}_20241114T093012345.jsonl`,
      rowsIn: entries.reduce((n, e) => n + e.rows, 0),
      rowsRejected: 0,
      files: entries,
      transformedAt: new Date().toISOString(),
    }),
  );
}

/** The provenance tags the transform writes into each file (the loader requires them). */
function tags(sourceTable: SourceTableName, sequence: number, table: WarehouseTableName): Record<string, string> {
  return { source_table: sourceTable, sequence: String(sequence), warehouse_table: table };
}

function parquet(
  sourceTable: SourceTableName,
  table: WarehouseTableName,
  rows: CellValue[][],
  sequence = 1,
): { table: WarehouseTableName; bytes: Uint8Array; rows: number } {
  const writer = new ParquetTableWriter(WAREHOUSE_TABLES[table]);
  for (const row of rows) writer.append(row);
  return { table, bytes: writer.finish(tags(sourceTable, sequence, table)), rows: rows.length };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const ALL_DATES = Array.from({ length: DAYS + 14 }, (_, i) => FIRST_DAY + i);

/**
 * One batch per dimension the facts reference, and sales_order batch 1 carrying only the
 * dim_date rows, so the plain-COPY baseline finds every date it references.
 */
export async function writeDimensionBatches(store: ObjectStore, layout: ProcessedLayout): Promise<void> {
  const text = (prefix: string, id: number) => `${prefix} ${id}`;
  await writeBatch(store, layout, 'staff', [
    parquet(
      'staff',
      'dim_staff',
      ids(COUNTS.staff).map((id) => [
        id,
        text('First', id),
        text('Last', id),
        'Sales',
        'Leeds',
        `s${id}@terrifictotes.com`,
        `${VERSION}/${VERSION}`,
      ]),
    ),
  ]);
  await writeBatch(store, layout, 'address', [
    parquet(
      'address',
      'dim_location',
      ids(COUNTS.location).map((id) => [id, text('Line', id), null, null, 'City', 'PC1', 'UK', '0161', VERSION]),
    ),
  ]);
  await writeBatch(store, layout, 'counterparty', [
    parquet(
      'counterparty',
      'dim_counterparty',
      ids(COUNTS.counterparty).map((id) => [
        id,
        text('Company', id),
        'Line',
        null,
        null,
        'City',
        'PC1',
        'UK',
        '0161',
        `${VERSION}/${VERSION}`,
      ]),
    ),
  ]);
  const codes = ['GBP', 'USD', 'EUR'];
  const names = ['British Pound', 'US Dollar', 'Euro'];
  await writeBatch(store, layout, 'currency', [
    parquet(
      'currency',
      'dim_currency',
      ids(COUNTS.currency).map((id) => [id, codes[id - 1]!, names[id - 1]!, VERSION]),
    ),
  ]);
  await writeBatch(store, layout, 'design', [
    parquet(
      'design',
      'dim_design',
      ids(COUNTS.design).map((id) => [id, text('Design', id), '/designs', `design-${id}.json`, VERSION]),
    ),
  ]);
  await writeBatch(store, layout, 'sales_order', [
    parquet(
      'sales_order',
      'dim_date',
      ALL_DATES.map((day) => dimDateRow(day)),
    ),
  ]);
}

/** The fact rows, in fact_sales_order column order. */
function* salesFactRows(count: number): Generator<CellValue[]> {
  const next = random(42);
  const pick = (n: number) => 1 + Math.floor(next() * n);
  const columns = FACT_TABLES.fact_sales_order.columns.length;
  for (let i = 0; i < count; i++) {
    const created = FIRST_DAY + Math.floor(next() * (DAYS - 14));
    const row: CellValue[] = [
      i + 1,
      created,
      Math.floor(next() * MS_PER_DAY),
      created,
      Math.floor(next() * MS_PER_DAY),
      pick(COUNTS.staff),
      pick(COUNTS.counterparty),
      pick(100_000),
      BigInt(Math.floor(next() * 10_000_000)), // up to 99,999.99
      pick(COUNTS.currency),
      pick(COUNTS.design),
      created + pick(7),
      created + pick(7),
      pick(COUNTS.location),
    ];
    row.push(createHash('md5').update(row.join('|')).digest('hex'));
    if (row.length !== columns) throw new Error('fact row does not match fact_sales_order');
    yield row;
  }
}

/** Sales_order batch 2: N facts and the dim_date rows for every date they reference. */
export async function writeFactBatch(store: ObjectStore, layout: ProcessedLayout, count: number): Promise<void> {
  const writer = new ParquetTableWriter(FACT_TABLES.fact_sales_order);
  const dates = new Set<number>();
  for (const row of salesFactRows(count)) {
    writer.append(row);
    for (const index of [1, 3, 11, 12]) dates.add(row[index] as number);
  }
  const facts = { table: 'fact_sales_order' as const, bytes: writer.finish(tags('sales_order', 2, 'fact_sales_order')), rows: count };
  const dimDate = parquet(
    'sales_order',
    'dim_date',
    [...dates].sort((a, b) => a - b).map((day) => dimDateRow(day)),
    2,
  );
  await writeBatch(store, layout, 'sales_order', [dimDate, facts], 2);
}

/** The same fact rows as COPY text, for the plain-COPY baseline. */
export async function writeFactCopyText(path: string, count: number): Promise<void> {
  const formatters = FACT_TABLES.fact_sales_order.columns.map(cellFormatter);
  const out = createWriteStream(path);
  let chunk = '';
  let n = 0;
  for (const row of salesFactRows(count)) {
    chunk += `${row.map((value, i) => formatters[i]!(value)).join('\t')}\n`;
    if (++n % 10_000 === 0) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
}
