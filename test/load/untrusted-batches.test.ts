/**
 * The loader believes a batch only as far as the transform could have written it: a
 * manifest naming files or tables its source table never produces, a Parquet file copied
 * in from another batch, a manifest with malformed fields: each fails its own batch,
 * loads nothing, and the other batches load. Row values never reach logs or failures.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParquetTableWriter } from '../../lambdas/core/parquet/writer';
import { DIMENSION_TABLES, FACT_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { datesOf, dims, facts } from './support/rows';
import { LoadTestEnvironment } from './support/warehouse';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

/** Two good batches that must load whatever the bad one does. */
async function writeGoodBatches() {
  await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
  await env.bucket.writeBatch({
    sourceTable: 'sales_order',
    sequence: 2,
    tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 2 })] },
  });
}

/** The one bad batch fails with `reason`, naming `objectKey`; nothing of it loads; the good ones do. */
async function expectOnlyBadBatchFails(batch: string, reason: RegExp, objectKey: string) {
  const run = await env.load();
  expect(run.batchesFailed).toEqual([{ batch, objectKey, error: expect.stringMatching(reason) }]);
  expect(run.batchesLoaded).toBe(2);
  expect((await env.rows('fact_sales_order')).map((r) => r.sales_order_id)).toEqual([2]);
  expect(await env.query('SELECT source_table, sequence FROM etl_control.loaded_batch ORDER BY 1, 2')).toEqual([
    { source_table: 'sales_order', sequence: 2 },
    { source_table: 'staff', sequence: 1 },
  ]);
  return run;
}

/** A raw manifest for `sourceTable/sequence`, as JSON text, with `overrides` applied. */
async function putManifest(sourceTable: 'currency' | 'sales_order', sequence: number, overrides: Record<string, unknown>) {
  const key = env.layout.manifest(sourceTable, sequence);
  const manifest = {
    formatVersion: 1,
    sourceTable,
    sequence,
    watermark: '20241114T090000000',
    sourceKey: `ingest/${sourceTable}/${String(sequence).padStart(10, '0')}_20241114T090000000.jsonl`,
    rowsIn: 1,
    rowsRejected: 0,
    files: [],
    transformedAt: '2024-11-14T09:31:00.000Z',
    ...overrides,
  };
  await env.store.put(key, JSON.stringify(manifest));
  return key;
}

/** A real sales_order fact file (with its provenance tags) at `key`. */
async function putSalesFile(key: string, tags: Record<string, string>, salesOrderId = 1) {
  const writer = new ParquetTableWriter(FACT_TABLES.fact_sales_order);
  const row = facts.salesOrder({ sales_order_id: salesOrderId });
  writer.append(FACT_TABLES.fact_sales_order.columns.map((column) => row[column.name]!));
  await env.store.put(key, writer.finish(tags));
}

const salesTags = (sequence: number) => ({ source_table: 'sales_order', sequence: String(sequence), warehouse_table: 'fact_sales_order' });

describe('a manifest the transform could not have written', () => {
  it('listing a fact table under a currency batch fails that batch and records nothing as currency/1', async () => {
    const file = env.layout.batchFile('currency', 1, 'fact_sales_order');
    await putSalesFile(file, { source_table: 'currency', sequence: '1', warehouse_table: 'fact_sales_order' });
    const key = await putManifest('currency', 1, { files: [{ table: 'fact_sales_order', key: file, rows: 1 }] });
    await writeGoodBatches();
    await expectOnlyBadBatchFails(
      'currency/0000000001',
      /bad manifest: files\[0\]\.table fact_sales_order is not one a currency batch produces \(dim_date, dim_currency\)/,
      key,
    );
  });

  it('pointing at a file outside its own batch folder fails that batch', async () => {
    // sales_order/1 borrowing sales_order/2's file.
    const key = await putManifest('sales_order', 1, {
      files: [{ table: 'fact_sales_order', key: env.layout.batchFile('sales_order', 2, 'fact_sales_order'), rows: 1 }],
    });
    await writeGoodBatches();
    await expectOnlyBadBatchFails(
      'sales_order/0000000001',
      /files\[0\]\.key "processed\/batches\/sales_order\/0000000002\/fact_sales_order\.parquet" is not this batch's fact_sales_order file \(processed\/batches\/sales_order\/0000000001\/fact_sales_order\.parquet\)/,
      key,
    );
  });

  it('naming another object as its source fails that batch', async () => {
    const key = await putManifest('sales_order', 1, { sourceKey: 'ingest/sales_order/0000000007_20241114T090000000.jsonl' });
    await writeGoodBatches();
    await expectOnlyBadBatchFails('sales_order/0000000001', /"sourceKey" .* is not sales_order sequence 1/, key);
  });

  it.each([
    ['a year for transformedAt', { transformedAt: '2024' }, /"transformedAt" "2024" is not an ISO instant/],
    ['a local time for transformedAt', { transformedAt: '2024-11-14 09:31' }, /"transformedAt" .* is not an ISO instant/],
    [
      'a NUL in sourceKey',
      { sourceKey: 'ingest/sales_order/0000000001_20241114T090000000.jsonl\u0000' },
      /sourceKey contains a control character/,
    ],
    [
      'a terminal escape in a file key',
      { files: [{ table: 'dim_date', key: '\u001b[2Jx', rows: 0 }] },
      /files\[0\]\.key contains a control character/,
    ],
    [
      'a naive time for sourceReadAt',
      { sourceReadAt: '2024-11-14 09:30:00' },
      /"sourceReadAt" "2024-11-14 09:30:00" is not an ISO instant/,
    ],
    ['a number for sourceReadAt', { sourceReadAt: 1731576600000 }, /"sourceReadAt" 1731576600000 is not an ISO instant/],
    ['an impossible date for sourceReadAt', { sourceReadAt: '2024-13-45T09:30:00Z' }, /"sourceReadAt" .* is not an ISO instant/],
    ['a control character in sourceReadAt', { sourceReadAt: '2024-11-14T09:30:00Z\u001b[2J' }, /sourceReadAt contains a control character/],
    ['a malformed watermark', { watermark: '2024-11-14' }, /"watermark" "2024-11-14" is not YYYYMMDDTHHMMSSmmm/],
    ['a negative row count', { rowsIn: -1 }, /"rowsIn" is not a row count/],
    [
      'a foreign rejected-rows key',
      { rejectedKey: 'processed/rejected/staff/0000000001.jsonl' },
      /"rejectedKey" .* is not this batch's rejected-rows key/,
    ],
  ])('with %s fails that batch alone, every run', async (_what, overrides, reason) => {
    const key = await putManifest('sales_order', 1, overrides);
    await writeGoodBatches();
    await expectOnlyBadBatchFails('sales_order/0000000001', reason, key);
    const again = await env.load();
    expect(again.batchesFailed).toHaveLength(1);
    expect(again.batchesLoaded).toBe(0);
  });

  it('whose ledger row the warehouse rejects (year 0) fails that batch alone', async () => {
    // A valid ISO instant in JavaScript, out of the warehouse's range: the ledger insert fails.
    const key = await putManifest('sales_order', 1, { transformedAt: '0000-01-01T00:00:00.000Z' });
    await writeGoodBatches();
    await expectOnlyBadBatchFails('sales_order/0000000001', /rejected by the warehouse: .*out of range/, key);
  });
});

describe('a Parquet file that is not the one the manifest names', () => {
  async function writeSalesBatch(tags: Record<string, string>) {
    const file = env.layout.batchFile('sales_order', 1, 'fact_sales_order');
    await putSalesFile(file, tags);
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, tables: {} }, [
      { table: 'fact_sales_order', key: file, rows: 1 },
    ]);
    return file;
  }

  it('copied in from another batch fails, naming the tag that differs', async () => {
    const file = await writeSalesBatch(salesTags(2));
    await writeGoodBatches();
    await expectOnlyBadBatchFails('sales_order/0000000001', /not this batch's file: is tagged sequence "2", expected "1"/, file);
  });

  it('from another source table fails', async () => {
    const file = await writeSalesBatch({ ...salesTags(1), source_table: 'payment' });
    await writeGoodBatches();
    await expectOnlyBadBatchFails('sales_order/0000000001', /is tagged source_table "payment", expected "sales_order"/, file);
  });

  it("without the transform's tags fails, naming each missing tag", async () => {
    const file = await writeSalesBatch({});
    await writeGoodBatches();
    await expectOnlyBadBatchFails(
      'sales_order/0000000001',
      /has no "source_table" tag \(expected "sales_order"\); has no "sequence" tag \(expected "1"\); has no "warehouse_table" tag \(expected "fact_sales_order"\)/,
      file,
    );
  });
});

describe('a value the warehouse rejects', () => {
  it('is reported by batch, file, table, row and column, never with the value itself', async () => {
    const secret = 'Jane Doe, 1 Acacia Avenue, Leeds';
    const rows = [facts.salesOrder({ sales_order_id: 1 }), facts.salesOrder({ sales_order_id: 3, version_hash: secret.padEnd(40, '!') })];
    const file = env.layout.batchFile('sales_order', 1, 'fact_sales_order');
    await env.bucket.writeFile(file, FACT_TABLES.fact_sales_order, rows);
    const dates = env.layout.batchFile('sales_order', 1, 'dim_date');
    await env.bucket.writeFile(dates, DIMENSION_TABLES.dim_date, datesOf('fact_sales_order', rows));
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, tables: {} }, [
      { table: 'dim_date', key: dates, rows: datesOf('fact_sales_order', rows).length },
      { table: 'fact_sales_order', key: file, rows: 2 },
    ]);
    await writeGoodBatches();
    const run = await expectOnlyBadBatchFails(
      'sales_order/0000000001',
      /fact_sales_order\.parquet: rejected by the warehouse: value too long for type character varying\(32\); row 2, column "version_hash"; SQLSTATE 22001$/,
      file,
    );
    expect(JSON.stringify(run.log.entries)).not.toContain('Jane');
    expect(JSON.stringify(run.batchesFailed)).not.toContain('Jane');
  });
});
