import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readParquetColumns } from '../lambdas/core/parquet/reader';
import { ParquetTableWriter } from '../lambdas/core/parquet/writer';
import { FACT_TABLES } from '../lambdas/core/schema/warehouse-tables';
import { duckdbQuery } from './support/duckdb';

const table = FACT_TABLES.fact_sales_order;
// 2024-11-14 is day 20041 since 1970-01-01; 09:30:12.345 is 34212345 ms after midnight.
const row = [42, 20041, 34_212_345, 20041, 34_212_345, 7, 3, 100, 1234567899n, 2, 5, 20043, 20044, 9, 'abc'];

async function writeSample(rowGroupSize?: number): Promise<{ path: string; bytes: Uint8Array }> {
  const writer = new ParquetTableWriter(table, { rowGroupSize });
  writer.append(row);
  writer.append([43, 0, 0, 0, 86_399_999, 1, 1, 1, 1n, 1, 1, 0, 0, 1, 'def']);
  const bytes = writer.finish({ source_key: 'sales_order/0000000042_20241114T093012345.jsonl' });
  const dir = await mkdtemp(join(tmpdir(), 'parquet-'));
  const path = join(dir, 'fact.parquet');
  await writeFile(path, bytes);
  return { path, bytes };
}

describe('Parquet files of a warehouse table', () => {
  it('carry DATE, TIME(ms) and DECIMAL(10,2) logical types that DuckDB reads exactly', async () => {
    const { path } = await writeSample(1);
    const types = await duckdbQuery(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    expect(typeOf).toMatchObject({
      created_date: 'DATE',
      created_time: 'TIME',
      unit_price: 'DECIMAL(10,2)',
      sales_order_id: 'INTEGER',
      version_hash: 'VARCHAR',
    });
    const rows = await duckdbQuery(
      `SELECT created_date::VARCHAR d, created_time::VARCHAR t, unit_price::VARCHAR p FROM read_parquet('${path}') ORDER BY sales_order_id`,
    );
    expect(rows).toEqual([
      { d: '2024-11-14', t: '09:30:12.345', p: '12345678.99' },
      { d: '1970-01-01', t: '00:00:00', p: '0.01' },
    ]);
    const codecs = await duckdbQuery(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`);
    expect(codecs).toEqual([{ compression: 'SNAPPY' }]);
  });

  it('carry key-value metadata with the row count', async () => {
    const { path } = await writeSample();
    const kv = await duckdbQuery(`SELECT decode(key) k, decode(value) v FROM parquet_kv_metadata('${path}')`);
    expect(Object.fromEntries(kv.map((r) => [r.k, r.v]))).toMatchObject({
      source_key: 'sales_order/0000000042_20241114T093012345.jsonl',
      rows: '2',
    });
  });

  it('read back to the exact values written, money as unscaled integers', async () => {
    const { bytes } = await writeSample(1);
    const read = await readParquetColumns(bytes);
    expect(read.rowCount).toBe(2);
    expect(read.columns.get('unit_price')).toEqual([1234567899n, 1n]);
    expect(read.columns.get('created_date')).toEqual([20041, 0]);
    expect(read.columns.get('last_updated_time')).toEqual([34_212_345, 86_399_999]);
    expect(read.metadata.rows).toBe('2');
  });
});
