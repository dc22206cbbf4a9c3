/**
 * The streamed dataset behind `npm start`'s source database: the same rows as
 * generateDataset, one at a time, and a lean dataset that keeps whole only the rows later
 * runs can change, yet evolves into exactly the same later runs. That is what lets scale
 * 100 (millions of rows) fill the source in bounded memory.
 */
import { describe, expect, it } from 'vitest';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import { type Dataset, type GeneratedRow, evolve, generateDataset, serializeRows, streamDataset } from '../../local/generator';
import { RECENT_ROWS } from '../../local/generator/evolve';

function drain(seed: number, scale: number): { rows: GeneratedRow[]; lean: Dataset } {
  const rows: GeneratedRow[] = [];
  const stream = streamDataset({ seed, scale });
  for (let next = stream.next(); ; next = stream.next()) {
    if (next.done) return { rows, lean: next.value };
    rows.push(next.value);
  }
}

const whole = (rows: readonly { last_updated?: unknown }[]) => rows.filter((row) => row.last_updated !== undefined).length;

describe('streamDataset', () => {
  it('yields every row of generateDataset once, each table in primary-key order', () => {
    const full = generateDataset({ seed: 3, scale: 0.3 });
    const { rows, lean } = drain(3, 0.3);
    for (const table of SOURCE_TABLE_NAMES) {
      const streamed = rows.filter((row) => row.table === table).map((row) => row.row);
      expect(serializeRows(table, streamed), table).toBe(serializeRows(table, full.tables[table]));
    }
    expect(lean.now).toBe(full.now);
  });

  it('keeps only the rows later runs may read or change, not the whole order history', () => {
    const { lean } = drain(5, 2);
    const full = generateDataset({ seed: 5, scale: 2 });
    expect(lean.tables.sales_order).toEqual(full.tables.sales_order.slice(-RECENT_ROWS));
    expect(whole(lean.tables.purchase_order)).toBe(RECENT_ROWS);
    expect(lean.tables.transaction).toHaveLength(2 * RECENT_ROWS);
    const unpaid = full.tables.payment.filter((payment) => payment.paid === false).length;
    expect(lean.tables.payment.length).toBeLessThanOrEqual(3 * RECENT_ROWS + unpaid);
    expect(lean.tables.payment.length).toBeLessThan(full.tables.payment.length / 3);
    expect(lean.tables.payment.at(-1)).toEqual(full.tables.payment.at(-1));
    // Reference tables are small and kept whole.
    expect(lean.tables.staff).toEqual(full.tables.staff);
    // Old purchase orders stay as their id and item code (new item codes must differ).
    expect(lean.tables.purchase_order).toHaveLength(full.tables.purchase_order.length);
    expect(lean.tables.purchase_order[0]).toEqual({ purchase_order_id: 1, item_code: full.tables.purchase_order[0]!.item_code });
  });

  it('evolves into exactly the later runs the full dataset does', () => {
    let full = generateDataset({ seed: 8, scale: 0.6 });
    let lean = drain(8, 0.6).lean;
    for (let tick = 1; tick <= 6; tick += 1) {
      const a = evolve(full);
      const b = evolve(lean);
      for (const table of SOURCE_TABLE_NAMES) {
        expect(serializeRows(table, b.changes.tables[table]), `run ${tick} ${table}`).toBe(serializeRows(table, a.changes.tables[table]));
      }
      expect(b.changes.events).toEqual(a.changes.events);
      expect(b.dataset.now).toBe(a.dataset.now);
      full = a.dataset;
      lean = b.dataset;
    }
  });

  it('refuses to update a row a dataset does not hold whole, rather than landing part of it', () => {
    const full = generateDataset({ seed: 1, scale: 0.01 });
    const tables = { ...full.tables, sales_order: full.tables.sales_order.map((row) => ({ sales_order_id: row.sales_order_id! })) };
    const lean: Dataset = { ...full, tables: tables as Record<SourceTableName, typeof full.tables.sales_order> };
    expect(() => evolve(lean)).toThrow(/sales_order \d+ was not kept in full by the streamed dataset/);
  });
});
