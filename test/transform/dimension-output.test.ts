/**
 * A dimension file carries one row per id, in id order: the newest version, and of equal
 * versions the later row (a re-sent row replaces the one before it). Rows come as values
 * (what the transform uses) or as objects; both must choose alike. And a large dimension
 * object is held compactly: issue #10's 1.6-million-row transaction object must fit in a
 * Lambda's memory.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { SourceRow } from '../../lambdas/core/objects/types';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import { DIMENSION_TABLES, SOURCE_VERSION_COLUMN } from '../../lambdas/core/schema/warehouse-tables';
import { BatchOutput } from '../../lambdas/core/transform/batch-output';
import { HeldDimension } from '../../lambdas/core/transform/held-dimension';
import { TableState } from '../../lambdas/core/transform/join-state';
import { createRemodeller } from '../../lambdas/core/transform/remodellers';
import { stateTablesFor } from '../../lambdas/core/transform/remodels';
import { RecordingLog } from '../support/recorders';
import { rows, ts } from '../support/source-rows';
import { batchRows } from './support/batch-rows';
import { remodel } from './support/remodel';

const valuesOf = (table: SourceTableName, row: SourceRow): CellValue[] =>
  SOURCE_TABLES[table].columns.map((column) => row[column.name] ?? null);

async function remodelledAsValues(table: SourceTableName, sourceRows: readonly SourceRow[], sequence = 1, log = new RecordingLog()) {
  const state = new Map<SourceTableName, TableState>();
  for (const t of stateTablesFor(table)) state.set(t, new TableState(t));
  const output = new BatchOutput();
  const remodeller = createRemodeller(table, { sourceKey: `${table}/test`, sequence, output, state, log });
  for (const row of sourceRows) remodeller.acceptValues(valuesOf(table, row));
  return batchRows(output);
}

const early = ts('2022-11-03 14:20:52.186');
const late = ts('2022-11-03 14:20:53.000');

/** Ids out of order, with: a newer row after an older one (7), before it (3), and two equal versions (5). */
const transactions = [
  rows.transaction({ transaction_id: 7, transaction_type: 'SALE', sales_order_id: 70, purchase_order_id: null, last_updated: early }),
  rows.transaction({ transaction_id: 3, transaction_type: 'SALE', sales_order_id: 31, purchase_order_id: null, last_updated: late }),
  rows.transaction({ transaction_id: 5, purchase_order_id: 50, last_updated: early }),
  rows.transaction({ transaction_id: 7, transaction_type: 'SALE', sales_order_id: 71, purchase_order_id: null, last_updated: late }),
  rows.transaction({ transaction_id: 1, purchase_order_id: 10, last_updated: early }),
  rows.transaction({ transaction_id: 3, transaction_type: 'SALE', sales_order_id: 30, purchase_order_id: null, last_updated: early }),
  rows.transaction({ transaction_id: 5, purchase_order_id: 51, last_updated: early }),
];

const expected = [
  { transaction_id: 1, purchase_order_id: 10, source_version: '0000000004.20221103T142052186' },
  { transaction_id: 3, sales_order_id: 31, source_version: '0000000004.20221103T142053000' },
  { transaction_id: 5, purchase_order_id: 51, source_version: '0000000004.20221103T142052186' },
  { transaction_id: 7, sales_order_id: 71, source_version: '0000000004.20221103T142053000' },
];

describe('one row per id in a dimension file', () => {
  it('rows as values: in id order, the newest version of each id, ties to the later row', async () => {
    const tables = await remodelledAsValues('transaction', transactions, 4);
    expect(tables.dim_transaction).toMatchObject(expected);
  });

  it('rows as objects choose the same rows', async () => {
    const { tables } = await remodel('transaction', transactions, { sequence: 4 });
    expect(tables.dim_transaction).toMatchObject(expected);
    expect(tables).toEqual(await remodelledAsValues('transaction', transactions, 4));
  });

  it('a dimension fed through join state (dim_location) chooses alike', async () => {
    const { tables } = await remodel(
      'address',
      [
        rows.address({ address_id: 9, city: 'Leeds', last_updated: late }),
        rows.address({ address_id: 2, city: 'York', last_updated: early }),
        rows.address({ address_id: 9, city: 'Hull', last_updated: early }),
        rows.address({ address_id: 2, city: 'Bath', last_updated: early }),
      ],
      { sequence: 2 },
    );
    expect(tables.dim_location!.map((row) => [row.location_id, row.city, row.source_version])).toEqual([
      [2, 'Bath', '0000000002.20221103T142052186'],
      [9, 'Leeds', '0000000002.20221103T142053000'],
    ]);
  });

  it('joined rows (versions of two partners) keep the newest per id, ties to the later row', async () => {
    const state = new Map<SourceTableName, TableState>();
    await remodel('department', [rows.department({ department_id: 1 })], { state, sequence: 1 });
    const { tables } = await remodel(
      'staff',
      [
        rows.staff({ staff_id: 4, first_name: 'Newer', last_updated: late }),
        rows.staff({ staff_id: 2, first_name: 'First', last_updated: early }),
        rows.staff({ staff_id: 4, first_name: 'Older', last_updated: early }),
        rows.staff({ staff_id: 2, first_name: 'Second', last_updated: early }),
      ],
      { state, sequence: 3 },
    );
    expect(tables.dim_staff!.map((row) => [row.staff_id, row.first_name, row.source_version])).toEqual([
      [2, 'Second', '0000000003.20221103T142052186/0000000001.20221103T142049962'],
      [4, 'Newer', '0000000003.20221103T142053000/0000000001.20221103T142049962'],
    ]);
  });
});

describe('misuse of held dimension rows is refused', () => {
  it('one table given both kinds of version (they would not compare)', () => {
    const output = new BatchOutput();
    const values = [8, 'Wooden', '/usr', 'wooden.json', null];
    output.putSourceDimension('dim_design', 8, 1, early, values);
    expect(() => output.putDimension('dim_design', 8, '0000000001.20221103T142052186', values)).toThrow(
      'dim_design was given both source-row and text versions: one kind per table',
    );
  });

  it('a table without a source_version column', () => {
    const table = DIMENSION_TABLES.dim_design;
    expect(() => new HeldDimension({ ...table, columns: table.columns.filter((column) => column.name !== SOURCE_VERSION_COLUMN) })).toThrow(
      'dim_design has no source_version column',
    );
  });
});

describe('dimensions remodelled from values', () => {
  it('an unknown currency code keeps the code as its name and is warned about with its id', async () => {
    const log = new RecordingLog();
    const tables = await remodelledAsValues('currency', [rows.currency({ currency_id: 9, currency_code: 'XQZ' })], 1, log);
    expect(tables.dim_currency).toMatchObject([{ currency_id: 9, currency_code: 'XQZ', currency_name: 'XQZ' }]);
    expect(log.at('warn')).toEqual([
      expect.objectContaining({
        message: 'unknown currency code: currency_name keeps the code',
        attributes: expect.objectContaining({ sourceKey: 'currency/test', currencyId: 9, currencyCode: 'XQZ' }),
      }),
    ]);
  });
});

describe('memory held per dimension row', () => {
  it('a large transaction object is held in under 120 bytes a row until its file is written (about 80; it was 376)', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heldBytes = () => {
      gc();
      gc();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const count = 300_000;
    const state = new Map<SourceTableName, TableState>();
    const before = heldBytes();
    const output = new BatchOutput();
    const remodeller = createRemodeller('transaction', {
      sourceKey: 'transaction/test',
      sequence: 1,
      output,
      state,
      log: new RecordingLog(),
    });
    // As the parser gives them: one reused array, enum text shared, every last_updated its own.
    const values = valuesOf('transaction', rows.transaction());
    const idIndex = SOURCE_TABLES.transaction.columns.findIndex((column) => column.name === 'transaction_id');
    const orderIndex = SOURCE_TABLES.transaction.columns.findIndex((column) => column.name === 'purchase_order_id');
    const updatedIndex = SOURCE_TABLES.transaction.columns.findIndex((column) => column.name === 'last_updated');
    for (let id = 1; id <= count; id++) {
      values[idIndex] = id;
      values[orderIndex] = id;
      values[updatedIndex] = early + id;
      remodeller.acceptValues(values);
    }
    const perRow = (heldBytes() - before) / count;
    expect(output.rowCount('dim_transaction')).toBe(count);
    expect(perRow).toBeLessThan(120);
  });
});
