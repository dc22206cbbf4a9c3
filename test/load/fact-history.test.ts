/**
 * CONTRACT.md §5 for facts: an id's history is its observations in ingestion-sequence order with
 * consecutive identical ones collapsed, one row per run at the run's first sequence,
 * whatever order the batches arrive in. Checked in a real warehouse after real loads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Row, facts, money } from './support/rows';
import { LoadTestEnvironment } from './support/warehouse';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

// Three states of sales order 1 with the same last_updated: only units_sold tells them apart.
const A = facts.salesOrder({ units_sold: 10 });
const B = facts.salesOrder({ units_sold: 20 });
const C = facts.salesOrder({ units_sold: 30 });
const units = (row: Row) => row.units_sold as number;

/** Sales order batches by sequence: each holds the given rows. */
async function send(sequence: number, ...rows: Row[]) {
  await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence, tables: { fact_sales_order: rows } });
}

/** Order 1's history as `units@sequence`, in sequence order. */
async function history(id = 1): Promise<string[]> {
  const rows = await env.query<{ units_sold: number; source_sequence: string }>(
    'SELECT units_sold, source_sequence::text FROM fact_sales_order WHERE sales_order_id = $1 ORDER BY source_sequence',
    [id],
  );
  return rows.map((row) => `${row.units_sold}@${row.source_sequence}`);
}

async function current(id = 1) {
  return env.query('SELECT units_sold, source_sequence::text, source_batch FROM fact_sales_order_current WHERE sales_order_id = $1', [id]);
}

describe('fact history in sequence order', () => {
  it('A → B → A with last_updated unmoved is three versions, and the current one is the last A', async () => {
    await send(1, A);
    await send(2, B);
    await send(3, A);
    const run = await env.load();
    expect(run.batchesFailed).toEqual([]);
    expect(await history()).toEqual([`${units(A)}@1`, `${units(B)}@2`, `${units(A)}@3`]);
    expect(await current()).toEqual([{ units_sold: 10, source_sequence: '3', source_batch: 'sales_order/0000000003' }]);
  });

  it('the same three batches loaded one run each give the same history', async () => {
    for (const [sequence, row] of [
      [1, A],
      [2, B],
      [3, A],
    ] as const) {
      await send(sequence, row);
      expect((await env.load()).rowsWritten.fact_sales_order).toBe(1);
    }
    expect(await history()).toEqual(['10@1', '20@2', '10@3']);
  });

  it('a re-send unchanged, a re-delivery and a replay add nothing', async () => {
    await send(1, A);
    await send(2, A); // re-sent unchanged by a later ingestion run
    const first = await env.load();
    expect(first.rowsWritten.fact_sales_order).toBe(1);
    expect(await history()).toEqual(['10@1']);
    const before = await env.snapshot();

    expect((await env.load()).batchesLoaded).toBe(0); // re-delivery: the ledger has both
    expect(await env.snapshot()).toEqual(before);

    await env.query('DELETE FROM etl_control.loaded_batch'); // replay: every batch loads again
    const replay = await env.load();
    expect(replay.batchesLoaded).toBe(2);
    expect(replay.rowsWritten.fact_sales_order).toBe(0);
    const after = await env.snapshot();
    expect(after.fact_sales_order).toEqual(before.fact_sales_order);
  });

  it('the current version is the newest by sequence even when its last_updated is earlier', async () => {
    await send(1, facts.salesOrder({ units_sold: 10, last_updated_time: 50_000_000 }));
    await send(2, facts.salesOrder({ units_sold: 11, last_updated_time: 40_000_000 })); // a clock put right
    await env.load();
    expect(await current()).toMatchObject([{ units_sold: 11, source_sequence: '2' }]);
  });

  it('keeps one current row per id across many ids', async () => {
    await send(1, facts.salesOrder({ sales_order_id: 1 }), facts.salesOrder({ sales_order_id: 2 }));
    await send(2, facts.salesOrder({ sales_order_id: 2, units_sold: 7 }), facts.salesOrder({ sales_order_id: 3 }));
    await env.load();
    expect(await env.query('SELECT sales_order_id, units_sold, source_sequence::text FROM fact_sales_order_current ORDER BY 1')).toEqual([
      { sales_order_id: 1, units_sold: 100, source_sequence: '1' },
      { sales_order_id: 2, units_sold: 7, source_sequence: '2' },
      { sales_order_id: 3, units_sold: 100, source_sequence: '2' },
    ]);
  });
});

describe('late batches repair the history', () => {
  it('a late B@2 after A@1 and A@3 ends as A, B, A', async () => {
    await send(1, A);
    await send(3, A);
    await env.load();
    expect(await history()).toEqual(['10@1']);
    await send(2, B);
    const late = await env.load();
    expect(late.rowsWritten.fact_sales_order).toBe(2);
    expect(await history()).toEqual(['10@1', '20@2', '10@3']);
    expect(await current()).toEqual([{ units_sold: 10, source_sequence: '3', source_batch: 'sales_order/0000000003' }]);
  });

  it('a late A@2 between A@1 and B@3 changes nothing', async () => {
    await send(1, A);
    await send(3, B);
    await env.load();
    const before = await env.rows('fact_sales_order');
    await send(2, A);
    const late = await env.load();
    expect(late.batchesLoaded).toBe(1);
    expect(late.rowsWritten.fact_sales_order).toBe(0);
    expect(await env.rows('fact_sales_order')).toEqual(before);
  });

  it('a late B@2 after A@1 and B@3 ends as A@1, B@2: the B@3 row becomes B@2', async () => {
    await send(1, A);
    await send(3, B);
    await env.load();
    const [b3] = await env.query<{ sales_record_id: number }>('SELECT sales_record_id FROM fact_sales_order WHERE source_sequence = 3');
    await send(2, B);
    const late = await env.load();
    expect(late.rowsWritten.fact_sales_order).toBe(1);
    expect(await history()).toEqual(['10@1', '20@2']);
    expect(await env.query('SELECT sales_record_id, source_batch FROM fact_sales_order WHERE source_sequence = 2')).toEqual([
      { sales_record_id: b3!.sales_record_id, source_batch: 'sales_order/0000000002' },
    ]);
  });

  it('a late batch before every other one starts the history', async () => {
    await send(2, A);
    await send(3, B);
    await send(4, A);
    await env.load();
    expect(await history()).toEqual(['10@2', '20@3', '10@4']);
    await send(1, B);
    await env.load();
    expect(await history()).toEqual(['20@1', '10@2', '20@3', '10@4']);
  });

  it('a replay puts back a version deleted by hand, and changes nothing else', async () => {
    await send(1, A);
    await send(2, B);
    await send(3, A);
    await env.load();
    await env.query('DELETE FROM fact_sales_order WHERE source_sequence = 2');
    await env.query('DELETE FROM etl_control.loaded_batch');
    expect((await env.load()).rowsWritten.fact_sales_order).toBe(1);
    expect(await history()).toEqual(['10@1', '20@2', '10@3']);
  });

  it('a late batch equal to the next state moves that run earlier; one unlike both neighbours is a run of its own', async () => {
    await send(2, A);
    await send(4, C);
    await env.load();
    await send(1, A); // same as the next state: the run starts at 1
    await send(3, B); // between A and C: a run of its own
    await env.load();
    expect(await history()).toEqual(['10@1', '20@3', '30@4']);
  });

  it('any arrival order of the same batches gives the same history', async () => {
    const states = [A, B, B, A, C, C, A];
    const expected = ['10@1', '20@2', '10@4', '30@5', '10@7'];
    for (const order of [
      [1, 2, 3, 4, 5, 6, 7],
      [7, 6, 5, 4, 3, 2, 1],
      [4, 1, 7, 3, 6, 2, 5],
    ]) {
      await env.stop();
      env = new LoadTestEnvironment();
      await env.start();
      for (const sequence of order) {
        await send(sequence, states[sequence - 1]!);
        await env.load();
      }
      expect(await history(), order.join(',')).toEqual(expected);
      expect(await current(), order.join(',')).toMatchObject([{ units_sold: 10, source_sequence: '7' }]);
    }
  });
});

describe('an id repeated within one batch', () => {
  it('is one state at that sequence: the newest by last_updated, the later line on a tie', async () => {
    await send(
      1,
      facts.salesOrder({ sales_order_id: 1, units_sold: 1, last_updated_time: 2_000 }),
      facts.salesOrder({ sales_order_id: 1, units_sold: 2, last_updated_time: 1_000 }),
      facts.salesOrder({ sales_order_id: 2, units_sold: 3 }),
      facts.salesOrder({ sales_order_id: 2, units_sold: 4 }),
    );
    const run = await env.load();
    expect(run.rowsWritten.fact_sales_order).toBe(2);
    expect(await history(1)).toEqual(['1@1']);
    expect(await history(2)).toEqual(['4@1']);
  });
});

describe('values carried into a repaired history', () => {
  it('money stays exact to the cent in a row copied to a split-off run, and in the current view', async () => {
    // numeric(10,2) at its widest: a binary float would lose the cents.
    const a = facts.salesOrder({ unit_price: money('87654321.99'), units_sold: 3 });
    const b = facts.salesOrder({ unit_price: money('98765432.19'), units_sold: 3 });
    await send(1, a);
    await send(3, a);
    await env.load();
    await send(2, b);
    await env.load();
    expect(await env.query('SELECT unit_price::text, source_sequence::text FROM fact_sales_order ORDER BY source_sequence')).toEqual([
      { unit_price: '87654321.99', source_sequence: '1' },
      { unit_price: '98765432.19', source_sequence: '2' },
      { unit_price: '87654321.99', source_sequence: '3' },
    ]);
    expect(await env.query('SELECT sum(units_sold * unit_price)::text AS total FROM fact_sales_order_current')).toEqual([
      { total: '262962965.97' },
    ]);
  });

  it('dates and times of a copied row are the source values, whatever the machine zone', async () => {
    await send(1, A);
    await send(3, A);
    await env.load();
    await send(2, B);
    await env.load();
    expect(
      await env.query(
        `SELECT created_date::text, created_time::text, last_updated_date::text, agreed_payment_date::text, source_sequence::text
         FROM fact_sales_order ORDER BY source_sequence`,
      ),
    ).toEqual(
      ['1', '2', '3'].map((sequence) => ({
        created_date: '2024-11-14',
        created_time: '09:30:12.345',
        last_updated_date: '2024-11-14',
        agreed_payment_date: '2024-11-20',
        source_sequence: sequence,
      })),
    );
  });
});
