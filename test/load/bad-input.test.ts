/**
 * Processed files that do not match their table definitions: the batch fails with an
 * error naming the file and the mismatch, nothing of it is loaded, the other batches are
 * not held up, and it is retried (and loads once fixed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { integer, text } from '../../lambdas/core/schema/column-types';
import { DIMENSION_TABLES, FACT_TABLES, type WarehouseTableDefinition } from '../../lambdas/core/schema/warehouse-tables';
import { BUCKET, LoadTestEnvironment } from './support/warehouse';
import { GetObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { readParquetMetadata } from '../../lambdas/core/parquet/reader';
import { datesOf, day, dims, facts, money } from './support/rows';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

const sales = FACT_TABLES.fact_sales_order;
const withColumns = (columns: WarehouseTableDefinition['columns']): WarehouseTableDefinition => ({ ...sales, columns });
const replace = (name: string, column: WarehouseTableDefinition['columns'][number]) =>
  withColumns(sales.columns.map((c) => (c.name === name ? column : c)));

/** A sales_order batch (dim_date + facts) whose fact file is written with `definition`. */
async function writeBadSalesBatch(
  sequence: number,
  definition: WarehouseTableDefinition,
  rows = [facts.salesOrder({ sales_order_id: sequence })],
) {
  const key = env.layout.batchFile('sales_order', sequence, 'fact_sales_order');
  const dateKey = env.layout.batchFile('sales_order', sequence, 'dim_date');
  await env.bucket.writeFile(key, definition, rows);
  const dates = datesOf('fact_sales_order', rows);
  await env.bucket.writeFile(dateKey, DIMENSION_TABLES.dim_date, dates);
  await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence, tables: {} }, [
    { table: 'dim_date', key: dateKey, rows: dates.length },
    { table: 'fact_sales_order', key, rows: rows.length },
  ]);
  return key;
}

/** Good batches around the bad one: they must load regardless. */
async function writeGoodBatches() {
  await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
  await env.bucket.writeBatch({
    sourceTable: 'sales_order',
    sequence: 2,
    tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 2 })] },
  });
}

async function expectBatchFails(reason: RegExp, objectKey: string) {
  const run = await env.load();
  expect(run.batchesFailed).toHaveLength(1);
  const [failure] = run.batchesFailed;
  expect(failure!.batch).toBe('sales_order/0000000001');
  expect(failure!.objectKey).toBe(objectKey);
  expect(failure!.error).toContain(objectKey);
  expect(failure!.error).toMatch(reason);
  // The others loaded; nothing of the bad batch did.
  expect(run.batchesLoaded).toBe(2);
  expect((await env.rows('fact_sales_order')).map((r) => r.sales_order_id)).toEqual([2]);
  expect(await env.query("SELECT source_table, sequence FROM etl_control.loaded_batch WHERE source_table = 'sales_order'")).toEqual([
    { source_table: 'sales_order', sequence: 2 },
  ]);
  expect(run.pendingBatches).toBe(1);
  expect(run.metrics.total(LoadMetric.BatchesFailed)).toBe(1);
  expect(run.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
  expect(run.log.at('error').some((e) => String(e.attributes?.error).includes(objectKey))).toBe(true);
  return run;
}

describe('a Parquet file that does not match its table definition', () => {
  it('missing a column fails its batch, naming the file and the column', async () => {
    const key = await writeBadSalesBatch(1, withColumns(sales.columns.filter((c) => c.name !== 'unit_price')));
    await writeGoodBatches();
    await expectBatchFails(/missing column "unit_price" \(INT64 DECIMAL\(10,2\)\)/, key);
  });

  it('with an extra column fails its batch, naming the column', async () => {
    const key = await writeBadSalesBatch(1, withColumns([...sales.columns, { name: 'discount', type: integer }]), [
      { ...facts.salesOrder({ sales_order_id: 1 }), discount: 5 },
    ]);
    await writeGoodBatches();
    await expectBatchFails(/extra column "discount" \(INT32\)/, key);
  });

  it('with a column of the wrong type fails its batch, saying what it is and what was expected', async () => {
    const key = await writeBadSalesBatch(1, replace('units_sold', { name: 'units_sold', type: text }), [
      facts.salesOrder({ sales_order_id: 1, units_sold: 'ten' }),
    ]);
    await writeGoodBatches();
    await expectBatchFails(/column "units_sold" is BYTE_ARRAY STRING, expected INT32/, key);
  });

  it('with money at the wrong scale fails rather than loading values 10× off', async () => {
    const key = await writeBadSalesBatch(
      1,
      replace('unit_price', { name: 'unit_price', type: { kind: 'decimal', precision: 10, scale: 3 } }),
      [facts.salesOrder({ sales_order_id: 1, unit_price: 12340n })],
    );
    await writeGoodBatches();
    await expectBatchFails(/column "unit_price" is INT64 DECIMAL\(10,3\), expected INT64 DECIMAL\(10,2\)/, key);
  });

  it('allowing nulls where the warehouse has NOT NULL fails its batch', async () => {
    const key = await writeBadSalesBatch(1, replace('design_id', { name: 'design_id', type: integer, nullable: true }));
    await writeGoodBatches();
    await expectBatchFails(/column "design_id" is OPTIONAL, expected REQUIRED/, key);
  });

  it('holding a different number of rows than the manifest says fails its batch', async () => {
    const key = env.layout.batchFile('sales_order', 1, 'fact_sales_order');
    await env.bucket.writeFile(key, sales, [facts.salesOrder(), facts.salesOrder({ sales_order_id: 5 })]);
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, tables: {} }, [{ table: 'fact_sales_order', key, rows: 3 }]);
    await writeGoodBatches();
    await expectBatchFails(/has 2 rows, the manifest says 3/, key);
  });

  it('that is not Parquet at all fails its batch', async () => {
    const key = env.layout.batchFile('sales_order', 1, 'fact_sales_order');
    await env.store.put(key, 'sales_order_id,unit_price\n1,12.34\n');
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, tables: {} }, [{ table: 'fact_sales_order', key, rows: 1 }]);
    await writeGoodBatches();
    await expectBatchFails(/not a readable Parquet file/, key);
  });

  it('that the manifest lists but the bucket lacks fails its batch', async () => {
    const key = env.layout.batchFile('sales_order', 1, 'fact_sales_order');
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, tables: {} }, [{ table: 'fact_sales_order', key, rows: 1 }]);
    await writeGoodBatches();
    await expectBatchFails(/listed in the manifest but not in the bucket/, key);
  });

  it('with a damaged page (footer intact) fails its batch alone, naming the file; it loads once rewritten', async () => {
    const key = await writeBadSalesBatch(1, sales);
    await damageFirstPage(key);
    await writeGoodBatches();
    await expectBatchFails(/cannot be decoded: .*thrift/, key);
    await writeBadSalesBatch(1, sales);
    const fixed = await env.load();
    expect(fixed).toMatchObject({ batchesLoaded: 1, batchesFailed: [], pendingBatches: 0 });
    expect((await env.rows('fact_sales_order')).map((r) => r.sales_order_id)).toEqual([1, 2]);
  });

  it.each([
    ['access is denied', 'AccessDenied', 403, 'Access Denied', /cannot be read \(access denied reading .*S3 403 AccessDenied/],
    // S3 answers 403 for an archived object too: reported as archived, not as a permission problem.
    [
      'it has been archived',
      'InvalidObjectState',
      403,
      "The operation is not valid for the object's storage class",
      /cannot be read \(.* is archived \(S3 403 InvalidObjectState\)/,
    ],
  ])('that cannot be fetched because %s fails its batch alone, naming the file', async (_, name, status, message, reason) => {
    const key = await writeBadSalesBatch(1, sales);
    env.s3.mock
      .on(GetObjectCommand, { Bucket: BUCKET, Key: key })
      .rejects(new S3ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: status } }));
    await writeGoodBatches();
    await expectBatchFails(reason, key);
  });

  it('with values the warehouse rejects rolls back the whole batch, dimensions included', async () => {
    // dim_date loads first within the batch; then the fact's oversized version_hash is rejected.
    const rows = [facts.salesOrder({ sales_order_id: 1, created_date: day('2023-01-05'), version_hash: 'x'.repeat(40) })];
    const key = await writeBadSalesBatch(1, sales, rows);
    await writeGoodBatches();
    await expectBatchFails(/rejected by the warehouse: value too long for type character varying\(32\); row 1, column "version_hash"/, key);
    // Only the good batch's dates: the bad batch's 2023-01-05 row went with its rollback.
    expect((await env.query('SELECT date_id FROM dim_date ORDER BY 1')).map((r) => r.date_id)).toEqual([
      '2024-11-14',
      '2024-11-18',
      '2024-11-20',
    ]);
  });

  it('with a value its column cannot hold fails its batch, naming row and column, and the connection carries on', async () => {
    // A TIME(MILLIS) of 24:00:00.000 is valid Parquet but no time of day. The COPY is
    // aborted midway; the good batch after it loads on the same connection.
    const rows = [facts.salesOrder({ sales_order_id: 1 }), facts.salesOrder({ sales_order_id: 3, created_time: 86_400_000 })];
    const key = await writeBadSalesBatch(1, sales, rows);
    await writeGoodBatches();
    await expectBatchFails(/row 2, column "created_time": time 86400000 ms is not a time of day/, key);
  });

  it('is retried on later runs, and loads once the transform has rewritten it', async () => {
    await writeBadSalesBatch(1, withColumns(sales.columns.filter((c) => c.name !== 'unit_price')));
    await writeGoodBatches();
    await env.load();
    expect((await env.load()).batchesFailed).toHaveLength(1);
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 1, unit_price: money('3.50') })] },
    });
    const fixed = await env.load();
    expect(fixed.batchesFailed).toEqual([]);
    expect(fixed.batchesLoaded).toBe(1);
    expect(await env.query('SELECT sales_order_id, unit_price FROM fact_sales_order ORDER BY 1')).toEqual([
      { sales_order_id: 1, unit_price: '3.50' },
      { sales_order_id: 2, unit_price: '12.34' },
    ]);
  });
});

describe('a bad manifest', () => {
  it('fails its batch, naming the manifest, without holding up the others', async () => {
    const key = env.layout.manifest('sales_order', 1);
    await env.store.put(key, '{"formatVersion": 1, "sourceTable": "sales_or');
    await writeGoodBatches();
    await expectBatchFails(/bad manifest: not JSON/, key);
  });

  it('that lists a table the warehouse does not have fails its batch', async () => {
    const key = env.layout.manifest('sales_order', 1);
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, tables: {} }, [
      { table: 'fact_returns' as never, key: 'processed/batches/sales_order/0000000001/fact_returns.parquet', rows: 1 },
    ]);
    await writeGoodBatches();
    await expectBatchFails(/files\[0\]\.table "fact_returns" is not a warehouse table/, key);
  });
});

/** Overwrites the first page header of a stored file, as a damaged disk or bad copy would; the footer stays readable. */
async function damageFirstPage(key: string): Promise<void> {
  const bytes = new Uint8Array(env.s3.get(BUCKET, key)!.body);
  const column = readParquetMetadata(bytes).row_groups[0]!.columns[0]!.meta_data!;
  const at = Number(column.dictionary_page_offset ?? column.data_page_offset);
  bytes.fill(0xff, at, at + 12);
  env.s3.put(BUCKET, key, bytes);
}
