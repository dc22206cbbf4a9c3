/**
 * The compiled fact row step (fact-row-writer.ts) against the general path it stands in
 * for (project → hash → append): the same Parquet bytes, whichever rows take which path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParquetTableWriter, type WriterValue } from '../../lambdas/core/parquet/writer';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import { FACT_REMODELS, type FactRemodel } from '../../lambdas/core/transform/remodels';

const remodel = FACT_REMODELS.sales_order;
const { projection } = remodel;
const target = projection.target;
const hashIndex = projection.indexOf('version_hash');
const dateIndexes = dateColumnsOf(remodel);

/** A sales_order row as the parser gives it (source column order), timestamps as ms. */
const salesOrderRow = fc
  .record({
    id: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    design: fc.integer({ min: 1, max: 1000 }),
    staff: fc.integer({ min: 1, max: 50 }),
    counterparty: fc.integer({ min: 1, max: 50 }),
    units: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    price: fc.bigInt({ min: -9_999_999_999n, max: 9_999_999_999n }),
    currency: fc.integer({ min: 1, max: 3 }),
    delivery: fc.integer({ min: -25_000, max: 50_000 }),
    payment: fc.integer({ min: -25_000, max: 50_000 }),
    location: fc.integer({ min: 1, max: 30 }),
    created: fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }),
    updated: fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }),
  })
  .map((r): CellValue[] => [
    r.id,
    r.design,
    r.staff,
    r.counterparty,
    r.units,
    r.price,
    r.currency,
    r.delivery,
    r.payment,
    r.location,
    r.created,
    r.updated,
  ]);

/** The general path for one row, as FactRemodeller takes it; the row's days, by date column. */
function appendGenerallyFor(fact: FactRemodel, writer: ParquetTableWriter, row: readonly CellValue[]): number[] {
  const factTarget = fact.projection.target;
  const values = new Array<CellValue>(factTarget.columns.length).fill(null);
  fact.projection.projectValuesInto([row], values);
  const hash = new Uint8Array(32);
  fact.hashInto(values, hash);
  const factRow: WriterValue[] = values;
  factRow[fact.projection.indexOf('version_hash')] = hash;
  writer.append(factRow);
  return dateColumnsOf(fact).map((index) => values[index] as number);
}

function dateColumnsOf(fact: FactRemodel): number[] {
  return fact.projection.target.columns.flatMap((column, index) => (column.references === 'dim_date' ? [index] : []));
}

function appendGenerally(writer: ParquetTableWriter, row: readonly CellValue[]): number[] {
  return appendGenerallyFor(remodel, writer, row);
}

/** Rows mixed between the compiled and the general path give the bytes and days of the general path alone. */
function checkMixedPaths(fact: FactRemodel, row: fc.Arbitrary<CellValue[]>, numRuns: number): void {
  const factTarget = fact.projection.target;
  const dateCount = dateColumnsOf(fact).length;
  fc.assert(
    fc.property(fc.array(fc.tuple(row, fc.boolean()), { maxLength: 60 }), (rows) => {
      const general = new ParquetTableWriter(factTarget, { rowGroupSize: 7 });
      const compiled = new ParquetTableWriter(factTarget, { rowGroupSize: 7 });
      const days = new Int32Array(dateCount);
      for (const [values, generalToo] of rows) {
        const expectedDays = appendGenerallyFor(fact, general, values);
        if (generalToo) {
          appendGenerallyFor(fact, compiled, values);
        } else {
          expect(fact.writeRow!(values, compiled.directRows(), days)).toBe(true);
          expect([...days]).toEqual(expectedDays);
        }
      }
      expect(Buffer.from(compiled.finish({}))).toEqual(Buffer.from(general.finish({})));
    }),
    { numRuns },
  );
}

describe('the compiled fact row step (sales_order)', () => {
  it('is compiled for sales_order and payment, not purchase_order (a text column)', () => {
    expect(FACT_REMODELS.sales_order.writeRow).toBeDefined();
    expect(FACT_REMODELS.payment.writeRow).toBeDefined();
    expect(FACT_REMODELS.purchase_order.writeRow).toBeUndefined();
  });

  it('writes the same Parquet bytes and days as the general path, across row groups and mixed with it', () => {
    checkMixedPaths(remodel, salesOrderRow, 300);
  });

  it('grows the buffers within one row group (3,000 rows) with the same bytes', () => {
    const rows = fc.sample(salesOrderRow, { numRuns: 3000, seed: 7 });
    const general = new ParquetTableWriter(target);
    const compiled = new ParquetTableWriter(target);
    const days = new Int32Array(dateIndexes.length);
    for (const row of rows) {
      appendGenerally(general, row);
      expect(remodel.writeRow!(row, compiled.directRows(), days)).toBe(true);
    }
    expect(Buffer.from(compiled.finish({}))).toEqual(Buffer.from(general.finish({})));
  });

  it('hands a row with a value not in its common form to the general path, writing nothing', () => {
    const [row] = fc.sample(salesOrderRow, { numRuns: 1, seed: 3 });
    const odd: CellValue[][] = [
      Object.assign([...row!], { 0: 1.5 }),
      Object.assign([...row!], { 4: null }),
      Object.assign([...row!], { 5: 2n ** 60n }),
      Object.assign([...row!], { 5: 283 }),
      Object.assign([...row!], { 7: '2024-11-14' }),
    ];
    const writer = new ParquetTableWriter(target);
    for (const values of odd) expect(remodel.writeRow!(values, writer.directRows(), new Int32Array(dateIndexes.length))).toBe(false);
    expect(writer.rowCount).toBe(0);
  });
});

describe('the compiled fact row step at the edges of its common form', () => {
  it('writes int32 extremes, -0, money at ±(2^53 − 1) and times before 1970 as the general path does, and they read back', async () => {
    const { readParquetColumns } = await import('../../lambdas/core/parquet/reader');
    const { versionHash } = await import('../../lambdas/core/transform/versions');
    const ints = [-0, -(2 ** 31), 2 ** 31 - 1, -1, 256];
    const money = [2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 32n, -(2n ** 32n), -1n, 0n];
    const times = [-1, -86_400_000, -86_400_001, -62_135_596_800_000, 86_399_999, 8_640_000_000_000_000];
    const rows: CellValue[][] = [];
    for (const [i, price] of money.entries()) {
      for (const [j, created] of times.entries()) {
        const a = ints[(i + j) % ints.length]!;
        const b = ints[(i + 2 * j + 1) % ints.length]!;
        rows.push([a, b, a, b, a, price, b, a, b, a, created, times[(j + 1) % times.length]!]);
      }
    }
    const general = new ParquetTableWriter(target, { rowGroupSize: 5 });
    const compiled = new ParquetTableWriter(target, { rowGroupSize: 5 });
    const days = new Int32Array(dateIndexes.length);
    const expected: CellValue[][] = [];
    for (const [n, row] of rows.entries()) {
      const values = new Array<CellValue>(target.columns.length).fill(null);
      projection.projectValuesInto([row], values);
      values[hashIndex] = versionHash(values, projection.businessIndexes);
      expected.push(values);
      const expectedDays = appendGenerally(general, row);
      // Every other row through each path, so row groups hold both.
      if (n % 2 === 0) {
        appendGenerally(compiled, row);
      } else {
        expect(remodel.writeRow!(row, compiled.directRows(), days)).toBe(true);
        expect([...days]).toEqual(expectedDays.map((day) => day | 0));
      }
    }
    const bytes = compiled.finish({});
    expect(Buffer.from(bytes)).toEqual(Buffer.from(general.finish({})));
    const read = await readParquetColumns(bytes);
    expect(read.rowCount).toBe(rows.length);
    for (const [k, column] of target.columns.entries()) {
      const want = expected.map((values) => (typeof values[k] === 'number' ? (values[k] as number) | 0 : values[k]));
      expect(read.columns.get(column.name), column.name).toEqual(want);
    }
  });
});

describe('the compiled fact row step (payment: a boolean column)', () => {
  const payment = FACT_REMODELS.payment;
  const paymentTarget = payment.projection.target;
  const paymentDates = dateColumnsOf(payment);
  /** A payment row in source column order (bank account numbers included: the fact drops them). */
  const paymentRow = fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 5, maxLength: 5 }),
      fc.bigInt({ min: -9_999_999_999n, max: 9_999_999_999n }),
      fc.boolean(),
      fc.integer({ min: -25_000, max: 50_000 }),
      fc.array(fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }), { minLength: 2, maxLength: 2 }),
      fc.array(fc.integer({ min: 10_000_000, max: 99_999_999 }), { minLength: 2, maxLength: 2 }),
    )
    .map(([[id, transaction, counterparty, currency, type], amount, paid, day, [created, updated], [company, account]]): CellValue[] => [
      id!,
      transaction!,
      counterparty!,
      amount,
      currency!,
      type!,
      paid,
      day,
      company!,
      account!,
      created!,
      updated!,
    ]);

  it('writes the same Parquet bytes and days as the general path, across row groups and mixed with it', () => {
    checkMixedPaths(payment, paymentRow, 200);
  });

  it('hands a row whose paid is not a boolean to the general path, writing nothing', () => {
    const [row] = fc.sample(paymentRow, { numRuns: 1, seed: 5 });
    const writer = new ParquetTableWriter(paymentTarget);
    expect(payment.writeRow!(Object.assign([...row!], { 6: 'f' }), writer.directRows(), new Int32Array(paymentDates.length))).toBe(false);
    expect(payment.writeRow!(Object.assign([...row!], { 6: null }), writer.directRows(), new Int32Array(paymentDates.length))).toBe(false);
    expect(writer.rowCount).toBe(0);
  });
});
