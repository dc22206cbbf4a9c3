/**
 * A projection reads source rows as objects or as their values in column order (the fact
 * path): both must give the same warehouse row, for every remodel.
 */
import { describe, expect, it } from 'vitest';
import type { SourceRow } from '../../lambdas/core/objects/types';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import { FACT_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { BatchOutput } from '../../lambdas/core/transform/batch-output';
import { TableState } from '../../lambdas/core/transform/join-state';
import { compileProjection } from '../../lambdas/core/transform/projection';
import { createRemodeller } from '../../lambdas/core/transform/remodellers';
import { DIMENSION_REMODELS, FACT_REMODELS, JOIN_REMODELS, stateTablesFor } from '../../lambdas/core/transform/remodels';
import { batchRows } from './support/batch-rows';
import { RecordingLog } from '../support/recorders';
import { rows, ts } from '../support/source-rows';

const valuesOf = (table: SourceTableName, row: SourceRow): CellValue[] =>
  SOURCE_TABLES[table].columns.map((column) => row[column.name] ?? null);

function bothWays(projection: (typeof FACT_REMODELS)['payment']['projection'], parts: { table: SourceTableName; row: SourceRow }[]) {
  const fromObjects = projection.project(parts.map((part) => part.row));
  const fromValues = new Array<CellValue>(fromObjects.length).fill('not written');
  projection.projectValuesInto(
    parts.map((part) => valuesOf(part.table, part.row)),
    fromValues,
  );
  return { fromObjects, fromValues };
}

describe('projections over values and over objects', () => {
  it.each(Object.values(FACT_REMODELS))('$target: the same row either way, timestamps split', ({ source, projection }) => {
    const row = rows[source]({ created_at: ts('2024-11-14 09:30:12.345'), last_updated: ts('2024-11-15 23:59:59.999') });
    const { fromObjects, fromValues } = bothWays(projection, [{ table: source, row }]);
    expect(fromValues).toEqual(fromObjects);
    expect(fromValues[projection.indexOf('created_time')]).toBe(34_212_345);
    expect(fromValues[projection.indexOf('last_updated_time')]).toBe(86_399_999);
  });

  it.each(Object.values(DIMENSION_REMODELS).filter((remodel) => remodel !== undefined))(
    '$target: the same row either way',
    ({ source, projection }) => {
      const { fromObjects, fromValues } = bothWays(projection, [{ table: source, row: rows[source as keyof typeof rows]() }]);
      expect(fromValues).toEqual(fromObjects);
    },
  );

  it('dim_currency derives currency_name from the code either way', () => {
    const projection = DIMENSION_REMODELS.currency?.projection;
    if (!projection) throw new Error('currency has no dimension remodel');
    const { fromValues } = bothWays(projection, [{ table: 'currency', row: rows.currency({ currency_code: 'EUR' }) }]);
    expect(fromValues[projection.indexOf('currency_name')]).toBe('Euro');
  });

  it.each(JOIN_REMODELS)('$target: the same joined row either way', ({ left, right, projection }) => {
    const { fromObjects, fromValues } = bothWays(projection, [
      { table: left, row: rows[left as keyof typeof rows]() },
      { table: right, row: rows[right as keyof typeof rows]() },
    ]);
    expect(fromValues).toEqual(fromObjects);
  });

  it('a column derived from a source column that does not exist is refused when compiled', () => {
    expect(() =>
      compileProjection({
        target: FACT_TABLES.fact_payment,
        parts: [{ table: SOURCE_TABLES.payment }],
        derived: { created_date: { from: 'created', derive: (value) => value } },
      }),
    ).toThrow('fact_payment.created_date is derived from payment.created, which does not exist');
  });
});

describe('remodellers take rows as values', () => {
  async function remodelled(table: SourceTableName, sourceRows: SourceRow[], asValues: boolean) {
    const state = new Map<SourceTableName, TableState>();
    for (const t of stateTablesFor(table)) state.set(t, new TableState(t));
    const output = new BatchOutput();
    const remodeller = createRemodeller(table, { sourceKey: `${table}/test`, sequence: 1, output, state, log: new RecordingLog() });
    for (const row of sourceRows) {
      if (asValues) remodeller.acceptValues(valuesOf(table, row));
      else remodeller.accept(row);
    }
    return batchRows(output);
  }

  it.each([
    ['sales_order', [rows.sales_order(), rows.sales_order({ sales_order_id: 3, units_sold: 1 })]],
    ['payment', [rows.payment()]],
    ['currency', [rows.currency(), rows.currency({ currency_id: 2, currency_code: 'USD' })]],
    ['design', [rows.design()]],
    ['address', [rows.address()]],
  ] as [SourceTableName, SourceRow[]][])('%s: the same Parquet rows as from objects', async (table, sourceRows) => {
    const fromValues = await remodelled(table, sourceRows, true);
    expect(Object.keys(fromValues).length).toBeGreaterThan(0);
    expect(fromValues).toEqual(await remodelled(table, sourceRows, false));
  });

  it('a fact row array may be reused once acceptValues returns', async () => {
    const state = new Map<SourceTableName, TableState>();
    const output = new BatchOutput();
    const remodeller = createRemodeller('sales_order', {
      sourceKey: 'sales_order/test',
      sequence: 1,
      output,
      state,
      log: new RecordingLog(),
    });
    const reused = valuesOf('sales_order', rows.sales_order());
    remodeller.acceptValues(reused);
    const idIndex = SOURCE_TABLES.sales_order.columns.findIndex((column) => column.name === 'sales_order_id');
    reused[idIndex] = 99;
    remodeller.acceptValues(reused);
    const facts = (await batchRows(output)).fact_sales_order ?? [];
    expect(facts.map((fact) => fact.sales_order_id)).toEqual([2, 99]);
  });
});
