/**
 * CONTRACT.md §5 in the warehouse: facts as history, dimensions as latest values under a version
 * guard, re-runs and replays changing nothing, late and out-of-order batches.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadTestEnvironment } from './support/warehouse';
import { day, dims, facts, money, version } from './support/rows';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

const allDimensions = async (sequence = 1) => {
  const { bucket } = env;
  await bucket.writeBatch({ sourceTable: 'staff', sequence, tables: { dim_staff: [dims.staff()] } });
  await bucket.writeBatch({ sourceTable: 'address', sequence, tables: { dim_location: [dims.location()] } });
  await bucket.writeBatch({ sourceTable: 'counterparty', sequence, tables: { dim_counterparty: [dims.counterparty()] } });
  await bucket.writeBatch({ sourceTable: 'currency', sequence, tables: { dim_currency: [dims.currency()] } });
  await bucket.writeBatch({ sourceTable: 'design', sequence, tables: { dim_design: [dims.design()] } });
};

describe('incremental loads', () => {
  it('load only the batches that arrived since the last run', async () => {
    await allDimensions();
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: [facts.salesOrder()] } });
    expect((await env.load()).batchesLoaded).toBe(6);

    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 2,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 2 })] },
    });
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 3,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 3 })] },
    });
    const second = await env.load();
    expect(second.batchesLoaded).toBe(2);
    expect(second.rowsWritten.fact_sales_order).toBe(2);
    expect((await env.rows('fact_sales_order')).map((r) => r.source_batch)).toEqual([
      'sales_order/0000000001',
      'sales_order/0000000002',
      'sales_order/0000000003',
    ]);
    expect((await env.load()).batchesLoaded).toBe(0);
  });

  it('add a fact version when a source row changes, even with last_updated unmoved; the same version adds nothing', async () => {
    await allDimensions();
    const original = facts.salesOrder({ units_sold: 10 });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: [original] } });
    await env.load();
    // The same row again (a replayed object), then a change to units_sold with the same timestamps.
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 2, tables: { fact_sales_order: [original] } });
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 3,
      tables: { fact_sales_order: [facts.salesOrder({ units_sold: 11 })] },
    });
    const run = await env.load();
    expect(run.batchesLoaded).toBe(2);
    expect(run.rowsWritten.fact_sales_order).toBe(1);
    const versions = await env.query(
      'SELECT units_sold, source_batch FROM fact_sales_order WHERE sales_order_id = 1 ORDER BY sales_record_id',
    );
    expect(versions).toEqual([
      { units_sold: 10, source_batch: 'sales_order/0000000001' },
      { units_sold: 11, source_batch: 'sales_order/0000000003' },
    ]);
  });

  it('update a dimension row when a newer version arrives, and leave an unchanged one untouched', async () => {
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff(), dims.staff({ staff_id: 2 })] } });
    await env.load();
    const before = await env.rows('dim_staff');
    const newer = `${version('20241115T080000000', 2)}/${version('20241114T093012345', 1)}`;
    await env.bucket.writeBatch({
      sourceTable: 'staff',
      sequence: 2,
      tables: { dim_staff: [dims.staff({ last_name: 'Franey-Smith', source_version: newer }), dims.staff({ staff_id: 2 })] },
    });
    const run = await env.load();
    expect(run.rowsWritten.dim_staff).toBe(1);
    const after = await env.rows('dim_staff');
    expect(after[0]).toMatchObject({ staff_id: 1, last_name: 'Franey-Smith', source_version: newer });
    expect(after[1]).toEqual(before[1]);
  });
});

describe('a batch with no rows (every source row rejected)', () => {
  it('is recorded as loaded, and not tried again', async () => {
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: {} });
    const run = await env.load();
    expect(run.batchesLoaded).toBe(1);
    expect(await env.query('SELECT rows_read, rows_written FROM etl_control.loaded_batch')).toEqual([{ rows_read: {}, rows_written: {} }]);
    expect((await env.load()).batchesLoaded).toBe(0);
  });
});

describe('re-runs and replays', () => {
  it('a second run with nothing new changes nothing at all', async () => {
    await allDimensions();
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: { fact_sales_order: [facts.salesOrder(), facts.salesOrder({ sales_order_id: 2 })] },
    });
    await env.load();
    const before = await env.snapshot();
    const rerun = await env.load();
    expect(rerun.batchesLoaded).toBe(0);
    expect(await env.snapshot()).toEqual(before);
  });

  it('replaying every batch (as if the ledger were lost) adds no rows and changes no values', async () => {
    await allDimensions();
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: { fact_sales_order: [facts.salesOrder(), facts.salesOrder({ sales_order_id: 2, unit_price: money('7.07') })] },
    });
    await env.load();
    const before = await env.snapshot();
    await env.query('DELETE FROM etl_control.loaded_batch');
    const replay = await env.load();
    expect(replay.batchesLoaded).toBe(6);
    expect(replay.rowsWritten).toEqual({
      dim_staff: 0,
      dim_location: 0,
      dim_counterparty: 0,
      dim_currency: 0,
      dim_design: 0,
      dim_date: 0,
      fact_sales_order: 0,
    });
    const after = await env.snapshot();
    for (const table of Object.keys(before).filter((t) => t !== 'ledger')) expect(after[table], table).toEqual(before[table]);
  });
});

describe('late and out-of-order batches', () => {
  it('a batch with a lower sequence arriving after a higher one is still loaded', async () => {
    await allDimensions();
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 2,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 2 })] },
    });
    await env.load();
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 1 })] },
    });
    const late = await env.load();
    expect(late.batchesLoaded).toBe(1);
    expect((await env.rows('fact_sales_order')).map((r) => r.sales_order_id)).toEqual([1, 2]);
  });

  it('an older dimension version arriving late never overwrites the newer one', async () => {
    const older = version('20241114T093012345', 1);
    const newer = version('20241116T120000000', 2);
    await env.bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 2,
      tables: { dim_currency: [dims.currency({ currency_code: 'EUR', currency_name: 'Euro', source_version: newer })] },
    });
    await env.load();
    await env.bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 1,
      tables: { dim_currency: [dims.currency({ source_version: older })] },
    });
    const late = await env.load();
    expect(late.batchesLoaded).toBe(1);
    expect(late.rowsWritten.dim_currency).toBe(0);
    expect(await env.query('SELECT currency_code, currency_name, source_version FROM dim_currency')).toEqual([
      { currency_code: 'EUR', currency_name: 'Euro', source_version: newer },
    ]);
  });

  it('a newer version with unchanged values still moves the version, so a late middle version cannot win', async () => {
    // v1 GBP, v3 GBP (a change to a column the dimension does not carry), then v2 EUR arrives late.
    const v = (n: number) => version(`2024111${n}T000000000`, n);
    await env.bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 1,
      tables: { dim_currency: [dims.currency({ source_version: v(1) })] },
    });
    await env.load();
    const [loaded] = await env.query('SELECT loaded_at FROM dim_currency');
    await env.bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 3,
      tables: { dim_currency: [dims.currency({ source_version: v(3) })] },
    });
    const unchanged = await env.load();
    expect(unchanged.rowsWritten.dim_currency).toBe(0);
    expect(await env.query('SELECT source_version, loaded_at FROM dim_currency')).toEqual([
      { source_version: v(3), loaded_at: loaded!.loaded_at },
    ]);
    await env.bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 2,
      tables: { dim_currency: [dims.currency({ currency_code: 'EUR', source_version: v(2) })] },
    });
    await env.load();
    expect(await env.query('SELECT currency_code, source_version FROM dim_currency')).toEqual([
      { currency_code: 'GBP', source_version: v(3) },
    ]);
  });

  it('within one file, the newest version of a row wins', async () => {
    const v = (n: number) => version(`2024111${n}T000000000`, 1);
    await env.bucket.writeBatch({
      sourceTable: 'design',
      sequence: 1,
      tables: {
        dim_design: [
          dims.design({ design_name: 'Newest', source_version: v(5) }),
          dims.design({ design_name: 'Older', source_version: v(4) }),
        ],
      },
    });
    await env.load();
    expect(await env.query('SELECT design_name FROM dim_design')).toEqual([{ design_name: 'Newest' }]);
  });

  it('facts loaded before their dimension batch still load, and the result matches in-order loading', async () => {
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      watermark: '20241114T000000000',
      tables: { fact_sales_order: [facts.salesOrder()] },
    });
    await env.load();
    await allDimensions();
    await env.load();
    expect(await env.query('SELECT count(*)::int AS n FROM dim_staff WHERE is_placeholder')).toEqual([{ n: 0 }]);
    expect(await env.query('SELECT first_name FROM dim_staff')).toEqual([{ first_name: 'Jeremie' }]);
    expect(await env.count('fact_sales_order')).toBe(1);
  });
});

describe('placeholder dimension rows', () => {
  it('stand in for dimension rows a fact references before they arrive, and are overwritten when they do', async () => {
    await env.bucket.writeBatch({
      sourceTable: 'payment',
      sequence: 1,
      tables: { fact_payment: [facts.payment({ payment_id: 1, transaction_id: 7, counterparty_id: 3, payment_date: day('2024-12-01') })] },
    });
    const first = await env.load();
    expect(first.batchesLoaded).toBe(1);
    expect(first.placeholdersCreated).toBe(4);
    expect(first.placeholdersOutstanding).toMatchObject({
      dim_transaction: 1,
      dim_counterparty: 1,
      dim_currency: 1,
      dim_payment_type: 1,
      dim_staff: 0,
    });
    expect(await env.query('SELECT * FROM dim_transaction')).toMatchObject([
      {
        transaction_id: 7,
        transaction_type: '(pending)',
        sales_order_id: null,
        purchase_order_id: null,
        source_version: '',
        is_placeholder: true,
      },
    ]);
    expect(await env.query('SELECT counterparty_legal_name, counterparty_legal_district FROM dim_counterparty')).toEqual([
      { counterparty_legal_name: '(pending)', counterparty_legal_district: null },
    ]);
    expect(first.metrics.total('PlaceholdersOutstanding')).toBe(4);

    await env.bucket.writeBatch({
      sourceTable: 'transaction',
      sequence: 1,
      tables: {
        dim_transaction: [
          dims.transaction({ transaction_id: 7, transaction_type: 'PURCHASE', sales_order_id: null, purchase_order_id: 4 }),
        ],
      },
    });
    await env.bucket.writeBatch({
      sourceTable: 'counterparty',
      sequence: 1,
      tables: { dim_counterparty: [dims.counterparty({ counterparty_id: 3 })] },
    });
    const second = await env.load();
    expect(second.rowsWritten).toMatchObject({ dim_transaction: 1, dim_counterparty: 1 });
    expect(second.placeholdersOutstanding).toMatchObject({ dim_transaction: 0, dim_counterparty: 0, dim_currency: 1, dim_payment_type: 1 });
    expect(await env.query('SELECT transaction_type, purchase_order_id, is_placeholder FROM dim_transaction')).toEqual([
      { transaction_type: 'PURCHASE', purchase_order_id: 4, is_placeholder: false },
    ]);
  });

  it('a real row is never replaced by a placeholder', async () => {
    await env.bucket.writeBatch({ sourceTable: 'currency', sequence: 1, tables: { dim_currency: [dims.currency()] } });
    await env.load();
    await env.bucket.writeBatch({ sourceTable: 'payment', sequence: 1, tables: { fact_payment: [facts.payment()] } });
    const run = await env.load();
    expect(run.placeholdersOutstanding.dim_currency).toBe(0);
    expect(await env.query('SELECT currency_code, is_placeholder FROM dim_currency')).toEqual([
      { currency_code: 'GBP', is_placeholder: false },
    ]);
  });
});
