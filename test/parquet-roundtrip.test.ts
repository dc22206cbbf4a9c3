import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readParquetColumns, readParquetMetadata } from '../lambdas/core/parquet/reader';
import { encodeRleBitPacked } from '../lambdas/core/parquet/rle';
import { ParquetTableWriter } from '../lambdas/core/parquet/writer';
import type { CellValue } from '../lambdas/core/schema/column-types';
import { FACT_TABLES, type WarehouseTableDefinition } from '../lambdas/core/schema/warehouse-tables';
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

/** Every physical type, nullable and not: what the writer must encode exactly. */
const everyType: WarehouseTableDefinition = {
  kind: 'dimension',
  name: 'dim_location',
  primaryKey: 'id',
  columns: [
    { name: 'id', type: { kind: 'integer' } },
    { name: 'small_decimal', type: { kind: 'decimal', precision: 9, scale: 2 }, nullable: true },
    { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true },
    { name: 'on_day', type: { kind: 'date' }, nullable: true },
    { name: 'time_of_day', type: { kind: 'time' } },
    { name: 'flag', type: { kind: 'boolean' }, nullable: true },
    { name: 'label', type: { kind: 'text' }, nullable: true },
    { name: 'grade', type: { kind: 'integer' }, nullable: true },
  ],
};

/** Deterministic rows: low- and high-cardinality values, nulls in runs and scattered, Unicode. */
function everyTypeRow(i: number): CellValue[] {
  return [
    i,
    i % 7 === 0 ? null : BigInt((i % 1000) - 500),
    i % 11 === 0 ? null : BigInt(i) * 1_000_003n - 99_999_999_99n,
    i >= 1000 && i < 1300 ? null : 19_000 + (i % 90),
    (i * 7919) % 86_400_000,
    i % 5 === 0 ? null : i % 3 === 0,
    i % 13 === 0 ? null : ['', 'a', 'Zürich', '東京', `row ${i}`, '𝄞 clef'][i % 6]!,
    i % 2 === 0 ? null : -(i % 4),
  ];
}

async function writeRows(table: WarehouseTableDefinition, rows: CellValue[][], rowGroupSize?: number) {
  const writer = new ParquetTableWriter(table, { rowGroupSize });
  for (const row of rows) writer.append(row);
  const bytes = writer.finish({ warehouse_table: table.name });
  const dir = await mkdtemp(join(tmpdir(), 'parquet-'));
  const path = join(dir, `${table.name}.parquet`);
  await writeFile(path, bytes);
  return { bytes, path };
}

describe('ParquetTableWriter', () => {
  it('writes every physical type, with nulls, across row groups, exactly as given', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => everyTypeRow(i));
    const { bytes, path } = await writeRows(everyType, rows, 1000);
    const read = await readParquetColumns(bytes);
    expect(read.rowCount).toBe(2500);
    everyType.columns.forEach((column, index) => {
      expect(read.columns.get(column.name), column.name).toEqual(rows.map((row) => row[index]));
    });
    const metadata = readParquetMetadata(bytes);
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([1000, 1000, 500]);
    // DuckDB, reading on its own, sees the same values.
    const [duck] = await duckdbQuery(`
      SELECT count(*)::INTEGER n, sum(id)::BIGINT ids, sum(amount)::VARCHAR amount, sum(small_decimal)::VARCHAR small,
             count(on_day)::INTEGER present_days, count(flag)::INTEGER flags, sum(flag::INTEGER)::INTEGER trues,
             string_agg(label, '|' ORDER BY id) labels, sum(grade)::INTEGER grades, max(time_of_day)::VARCHAR latest
      FROM read_parquet('${path}')`);
    const present = <T>(index: number) => rows.map((row) => row[index]).filter((v): v is NonNullable<CellValue> => v !== null) as T[];
    const money = present<bigint>(2).reduce((a, b) => a + b, 0n);
    const small = present<bigint>(1).reduce((a, b) => a + b, 0n);
    expect(duck).toEqual({
      n: 2500,
      ids: String((2499 * 2500) / 2),
      amount: `${money < 0n ? '-' : ''}${(money < 0n ? -money : money) / 100n}.${String((money < 0n ? -money : money) % 100n).padStart(2, '0')}`,
      small: `${small < 0n ? '-' : ''}${(small < 0n ? -small : small) / 100n}.${String((small < 0n ? -small : small) % 100n).padStart(2, '0')}`,
      present_days: present(3).length,
      flags: present(5).length,
      trues: present<boolean>(5).filter(Boolean).length,
      labels: present<string>(6).join('|'),
      grades: present<number>(7).reduce((a, b) => a + b, 0),
      latest: expect.any(String),
    });
  });

  it('grows its column buffers within one row group (5,000 rows), keeping every value', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => everyTypeRow(i));
    const { bytes } = await writeRows(everyType, rows);
    const read = await readParquetColumns(bytes);
    expect(readParquetMetadata(bytes).row_groups.map((group) => Number(group.num_rows))).toEqual([5000]);
    everyType.columns.forEach((column, index) => {
      expect(read.columns.get(column.name), column.name).toEqual(rows.map((row) => row[index]));
    });
  });

  it('writes an all-null column and a single row', async () => {
    const rows = [[1, null, null, null, 0, null, null, null]];
    const { bytes, path } = await writeRows(everyType, rows);
    const read = await readParquetColumns(bytes);
    expect(everyType.columns.map((column) => read.columns.get(column.name)![0])).toEqual(rows[0]);
    expect(await duckdbQuery(`SELECT count(label)::INTEGER n FROM read_parquet('${path}')`)).toEqual([{ n: 0 }]);
  });

  it('reads back column chunks of several pages exactly (hyparquet and DuckDB)', async () => {
    // 60,000 version hashes of 32 bytes: over 2 MB of values in one row group, so 3 pages of ~1 MB.
    const rows = Array.from({ length: 60_000 }, (_, i) => [
      i + 1,
      20_000 + (i % 400),
      i * 1000,
      20_000,
      0,
      1 + (i % 20),
      1,
      1000 + i,
      BigInt(200 + (i % 201)),
      1 + (i % 3),
      5,
      20_001,
      20_002,
      9,
      createHash('md5').update(String(i)).digest('hex'),
    ]);
    const { bytes, path } = await writeRows(table, rows);
    const read = await readParquetColumns(bytes);
    expect(read.columns.get('version_hash')).toEqual(rows.map((row) => row[14]));
    expect(read.columns.get('unit_price')).toEqual(rows.map((row) => row[8]));
    expect(read.columns.get('created_date')).toEqual(rows.map((row) => row[1]));
    const [duck] = await duckdbQuery(
      `SELECT count(DISTINCT version_hash)::INTEGER hashes, sum(unit_price)::VARCHAR price, min(created_date)::VARCHAR first_day FROM read_parquet('${path}')`,
    );
    const price = rows.reduce((sum, row) => sum + (row[8] as bigint), 0n);
    expect(duck).toEqual({ hashes: 60_000, price: `${price / 100n}.${String(price % 100n).padStart(2, '0')}`, first_day: '2024-10-04' });
  });

  it('records min and max statistics that DuckDB reads back', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => everyTypeRow(i));
    const { path } = await writeRows(everyType, rows);
    const stats = await duckdbQuery(
      `SELECT path_in_schema p, stats_min_value mn, stats_max_value mx, stats_null_count null_values FROM parquet_metadata('${path}') WHERE path_in_schema IN ('id', 'grade', 'amount', 'on_day') ORDER BY p`,
    );
    // amount = i × 1,000,003 − 9,999,999,999 (cents), null where i % 11 = 0: smallest at i = 1, largest at i = 2999.
    expect(stats).toEqual([
      { p: 'amount', mn: '-99989999.96', mx: '-70009910.02', null_values: '273' },
      { p: 'grade', mn: '-3', mx: '-1', null_values: '1500' },
      { p: 'id', mn: '0', mx: '2999', null_values: '0' },
      { p: 'on_day', mn: '2022-01-08', mx: '2022-04-07', null_values: '300' },
    ]);
  });

  it('records the exact min and max of an INT64 column, across signs and 32-bit words', () => {
    // Unscaled numeric(10,2) values: the high words differ in sign, the low words often have their top bit set.
    const amount = fc.oneof(fc.constant(null), fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n }));
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 300 }), (amounts) => {
        const writer = new ParquetTableWriter(everyType);
        for (const [i, value] of amounts.entries()) writer.append([i, null, value, null, 0, null, null, null]);
        const stats = readParquetMetadata(writer.finish({})).row_groups[0]!.columns[2]!.meta_data!.statistics!;
        const present = amounts.filter((value) => value !== null);
        expect(stats.null_count).toBe(BigInt(amounts.length - present.length));
        if (present.length === 0) return;
        const min = present.reduce((a, b) => (b < a ? b : a));
        const max = present.reduce((a, b) => (b > a ? b : a));
        // hyparquet reads DECIMAL statistics as numbers: one cent apart is far beyond float error here.
        expect(stats.min_value).toBeCloseTo(Number(min) / 100, 4);
        expect(stats.max_value).toBeCloseTo(Number(max) / 100, 4);
      }),
      { numRuns: 300 },
    );
  });

  it('dictionary-encodes a column of thousands of distinct values, and reads it back', async () => {
    // Scattered values (so that a sample sees repeats), 3000 distinct in each column.
    const scattered = (i: number) => (Math.imul(i, 0x9e3779b1) >>> 0) % 3000;
    const rows = Array.from({ length: 100_000 }, (_, i) => [i, null, BigInt(scattered(i)), null, 0, null, null, scattered(i + 7)]);
    const { bytes, path } = await writeRows(everyType, rows);
    const read = await readParquetColumns(bytes);
    expect(read.columns.get('grade')).toEqual(rows.map((row) => row[7]));
    expect(read.columns.get('amount')).toEqual(rows.map((row) => row[2]));
    const encodings = await duckdbQuery(
      `SELECT path_in_schema p, encodings e FROM parquet_metadata('${path}') WHERE path_in_schema IN ('grade', 'amount') ORDER BY p`,
    );
    expect(encodings).toEqual([
      { p: 'amount', e: expect.stringContaining('RLE_DICTIONARY') },
      { p: 'grade', e: expect.stringContaining('RLE_DICTIONARY') },
    ]);
  });

  it('reads back dictionary-encoded columns of runs exactly (zeros, negatives, nulls, wide money)', async () => {
    // Runs of a few values, as a fact batch has them (one day, one currency for many rows).
    const run = fc.tuple(fc.oneof(fc.constant(0), fc.constant(null), fc.integer({ min: -3, max: 3 })), fc.integer({ min: 1, max: 40 }));
    await fc.assert(
      // Spread 1: a few adjacent values (a table indexed by value); 100,003: far apart (hashed).
      fc.asyncProperty(fc.array(run, { minLength: 1, maxLength: 60 }), fc.constantFrom(1, 100_003), async (runs, spread) => {
        const grades = runs.flatMap(([value, length]) => Array.from({ length }, () => (value === null ? null : value * spread)));
        const rows = grades.map((grade, i) => [i, null, grade === null ? null : BigInt(grade) * 2n ** 40n, null, 0, null, null, grade]);
        const { bytes } = await writeRows(everyType, rows);
        const read = await readParquetColumns(bytes);
        expect(read.columns.get('grade')).toEqual(grades);
        expect(read.columns.get('amount')).toEqual(rows.map((row) => row[2]));
        // Min and max (taken from the dictionary when there is one) are the column's.
        const present = grades.filter((grade) => grade !== null);
        const [amountStats, gradeStats] = [2, 7].map(
          (column) => readParquetMetadata(bytes).row_groups[0]!.columns[column]!.meta_data!.statistics!,
        );
        expect(gradeStats!.min_value).toBe(present.length ? Math.min(...present) : undefined);
        expect(gradeStats!.max_value).toBe(present.length ? Math.max(...present) : undefined);
        if (present.length === 0) return;
        expect(amountStats!.min_value).toBeCloseTo((Math.min(...present) * 2 ** 40) / 100, 4);
        expect(amountStats!.max_value).toBeCloseTo((Math.max(...present) * 2 ** 40) / 100, 4);
      }),
      { numRuns: 60 },
    );
  });

  it('takes a text value as its UTF-8 bytes too, copying them', async () => {
    const bytes = Buffer.from('Zürich', 'utf8');
    const writer = new ParquetTableWriter(everyType);
    writer.append([1, null, null, null, 0, null, bytes, null]);
    bytes.fill(0x21); // changing them afterwards changes nothing written
    writer.append([2, null, null, null, 0, null, 'Zürich', null]);
    const read = await readParquetColumns(writer.finish({}));
    expect(read.columns.get('label')).toEqual(['Zürich', 'Zürich']);
    expect(() => new ParquetTableWriter(everyType).append([bytes, null, null, null, 0, null, null, null])).toThrow(
      /column id: expected an int32/,
    );
  });

  it('copies one reused byte array pushed row after row (as the fact hasher does), through buffer growth', async () => {
    const reused = new Uint8Array(32);
    const other = new Uint8Array(6);
    const writer = new ParquetTableWriter(everyType);
    const expected: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const label = `${String(i).padStart(8, '0')}`.repeat(4);
      // Every seventh row a different array (5 bytes, not whole words), so the reused one is picked up again.
      const bytes = i % 7 === 0 ? other.subarray(0, 5) : reused;
      bytes.set(Buffer.from(label.slice(0, bytes.length), 'latin1'));
      expected.push(label.slice(0, bytes.length));
      writer.append([i, null, null, null, 0, null, bytes, null]);
    }
    const read = await readParquetColumns(writer.finish({}));
    expect(read.columns.get('label')).toEqual(expected);
  });

  it('refuses a value of the wrong type, naming the column', () => {
    const writer = new ParquetTableWriter(everyType);
    expect(() => writer.append([1.5, null, null, null, 0, null, null, null])).toThrow(/column id: expected an int32/);
    expect(() => new ParquetTableWriter(everyType).append([null, null, null, null, 0, null, null, null])).toThrow(
      /column id: null in a required column/,
    );
    expect(() => new ParquetTableWriter(everyType).append([1, null, 5, null, 0, null, null, null])).toThrow(
      /column amount: expected an int64 bigint/,
    );
    expect(() => new ParquetTableWriter(everyType).append([1, null, 2n ** 63n, null, 0, null, null, null])).toThrow(
      /column amount: expected an int64 bigint/,
    );
    expect(() => new ParquetTableWriter(everyType).append([1, null, -(2n ** 63n) - 1n, null, 0, null, null, null])).toThrow(
      /column amount: expected an int64 bigint/,
    );
    expect(() => new ParquetTableWriter(everyType).append([1, null, -(2n ** 63n), null, 0, null, null, null])).not.toThrow();
  });
});

/** Our RLE / bit-packing hybrid encoder, decoded by hyparquet's reader (as the loader reads it). */
function decode(bytes: Uint8Array, width: number, count: number): number[] {
  const output = new Array<number>(count);
  readRleBitPackedHybrid({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, width, output, bytes.length);
  return output;
}

describe('encodeRleBitPacked', () => {
  it('round-trips runs and noise of every width up to 16 bits', () => {
    const stretch = (width: number) =>
      fc.oneof(
        fc.tuple(fc.integer({ min: 0, max: 2 ** width - 1 }), fc.integer({ min: 1, max: 40 })).map(([v, n]) => Array<number>(n).fill(v)),
        fc.array(fc.integer({ min: 0, max: 2 ** width - 1 }), { maxLength: 30 }),
      );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }).chain((width) => fc.tuple(fc.constant(width), fc.array(stretch(width), { maxLength: 12 }))),
        ([width, stretches]) => {
          const values = stretches.flat();
          const encoded = encodeRleBitPacked(Int32Array.from(values), 0, values.length, width);
          expect(decode(encoded, width, values.length)).toEqual(values);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('encodes only the given stretch of the array', () => {
    const values = Uint8Array.from([1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1]);
    expect(decode(encodeRleBitPacked(values, 2, 12, 1), 1, 10)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('uses RLE runs for long runs: 100,000 equal values take a few bytes', () => {
    expect(encodeRleBitPacked(new Int32Array(100_000).fill(5), 0, 100_000, 3).length).toBeLessThan(8);
  });
});
