import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { PLACEHOLDER_DIMENSIONS } from '../../lambdas/core/warehouse/status';
import { LoadTestEnvironment } from './support/warehouse';
import { day, dims, facts, money, time } from './support/rows';

const env = new LoadTestEnvironment();
beforeAll(() => env.start());
afterAll(() => env.stop());

describe('the first load into an empty warehouse', () => {
  let summary: Awaited<ReturnType<LoadTestEnvironment['load']>>;

  beforeAll(async () => {
    const { bucket } = env;
    await bucket.writeBatch({
      sourceTable: 'staff',
      sequence: 1,
      tables: { dim_staff: [dims.staff(), dims.staff({ staff_id: 2, first_name: 'Deron' })] },
    });
    await bucket.writeBatch({ sourceTable: 'address', sequence: 1, tables: { dim_location: [dims.location()] } });
    await bucket.writeBatch({ sourceTable: 'counterparty', sequence: 1, tables: { dim_counterparty: [dims.counterparty()] } });
    await bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 1,
      tables: { dim_currency: [dims.currency(), dims.currency({ currency_id: 2, currency_code: 'USD', currency_name: 'US Dollar' })] },
    });
    await bucket.writeBatch({ sourceTable: 'design', sequence: 1, tables: { dim_design: [dims.design()] } });
    await bucket.writeBatch({ sourceTable: 'payment_type', sequence: 1, tables: { dim_payment_type: [dims.paymentType()] } });
    await bucket.writeBatch({
      sourceTable: 'transaction',
      sequence: 1,
      tables: {
        dim_transaction: [
          dims.transaction(),
          dims.transaction({ transaction_id: 2, transaction_type: 'PURCHASE', sales_order_id: null, purchase_order_id: 1 }),
        ],
      },
    });
    await bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: {
        fact_sales_order: [
          facts.salesOrder(),
          facts.salesOrder({
            sales_order_id: 2,
            sales_staff_id: 2,
            currency_id: 2,
            unit_price: money('99999999.99'),
            created_time: time('23:59:59.999'),
          }),
          facts.salesOrder({
            sales_order_id: 3,
            unit_price: money('0.01'),
            created_date: day('2024-02-29'),
            created_time: time('00:00:00.000'),
          }),
        ],
      },
    });
    await bucket.writeBatch({ sourceTable: 'purchase_order', sequence: 1, tables: { fact_purchase_order: [facts.purchaseOrder()] } });
    await bucket.writeBatch({
      sourceTable: 'payment',
      sequence: 1,
      tables: {
        fact_payment: [facts.payment(), facts.payment({ payment_id: 2, transaction_id: 2, paid: true, payment_amount: money('0.05') })],
      },
    });
    summary = await env.load();
  });

  it('loads every batch, each recorded in the ledger with its row counts', async () => {
    expect(summary.outcome).toBe('completed');
    expect(summary.batchesLoaded).toBe(10);
    expect(summary.batchesFailed).toEqual([]);
    expect(summary.pendingBatches).toBe(0);
    const ledger = await env.query(
      'SELECT source_table, sequence, rows_read, rows_written FROM etl_control.loaded_batch ORDER BY source_table',
    );
    expect(ledger).toHaveLength(10);
    expect(ledger.find((row) => row.source_table === 'sales_order')).toMatchObject({
      sequence: 1,
      // 4 distinct dates; 2024-11-14 was already written by the payment batch, loaded first
      // (same watermark, fact tables in name order).
      rows_read: { fact_sales_order: 3, dim_date: 4 },
      rows_written: { fact_sales_order: 3, dim_date: 3 },
    });
  });

  it('writes every table with the analysts’ values: money to the cent, dates and times as written', async () => {
    expect(await env.count('fact_sales_order')).toBe(3);
    expect(await env.count('fact_purchase_order')).toBe(1);
    expect(await env.count('fact_payment')).toBe(2);
    const sales = await env.query(
      `SELECT sales_order_id, unit_price::text, created_date::text, created_time::text, agreed_payment_date::text, sales_staff_id, source_batch
       FROM fact_sales_order ORDER BY sales_order_id`,
    );
    expect(sales).toEqual([
      {
        sales_order_id: 1,
        unit_price: '12.34',
        created_date: '2024-11-14',
        created_time: '09:30:12.345',
        agreed_payment_date: '2024-11-20',
        sales_staff_id: 1,
        source_batch: 'sales_order/0000000001',
      },
      {
        sales_order_id: 2,
        unit_price: '99999999.99',
        created_date: '2024-11-14',
        created_time: '23:59:59.999',
        agreed_payment_date: '2024-11-20',
        sales_staff_id: 2,
        source_batch: 'sales_order/0000000001',
      },
      {
        sales_order_id: 3,
        unit_price: '0.01',
        created_date: '2024-02-29',
        created_time: '00:00:00',
        agreed_payment_date: '2024-11-20',
        sales_staff_id: 1,
        source_batch: 'sales_order/0000000001',
      },
    ]);
    const payments = await env.query(
      'SELECT payment_id, payment_amount::text, paid, payment_date::text FROM fact_payment ORDER BY payment_id',
    );
    expect(payments).toEqual([
      { payment_id: 1, payment_amount: '552548.62', paid: false, payment_date: '2024-11-15' },
      { payment_id: 2, payment_amount: '0.05', paid: true, payment_date: '2024-11-15' },
    ]);
    const [purchase] = await env.query('SELECT item_unit_price::text, item_code FROM fact_purchase_order');
    expect(purchase).toEqual({ item_unit_price: '361.39', item_code: 'ZDOI5EA' });
    expect(await env.query('SELECT staff_id, first_name, is_placeholder FROM dim_staff ORDER BY staff_id')).toEqual([
      { staff_id: 1, first_name: 'Jeremie', is_placeholder: false },
      { staff_id: 2, first_name: 'Deron', is_placeholder: false },
    ]);
    expect(await env.query('SELECT * FROM dim_location')).toMatchObject([
      { location_id: 1, address_line_2: null, district: null, city: 'New Patienceburgh' },
    ]);
    expect(
      await env.query(
        "SELECT date_id::text, year, month, day, day_of_week, day_name, month_name, quarter FROM dim_date WHERE date_id = '2024-02-29'",
      ),
    ).toEqual([
      { date_id: '2024-02-29', year: 2024, month: 2, day: 29, day_of_week: 4, day_name: 'Thursday', month_name: 'February', quarter: 1 },
    ]);
  });

  it('creates no placeholders when every dimension row arrived', () => {
    expect(summary.placeholdersCreated).toBe(0);
    expect(summary.placeholdersOutstanding).toEqual(Object.fromEntries(PLACEHOLDER_DIMENSIONS.map((table) => [table, 0])));
  });

  it('reports batches, rows per table and the run’s health as metrics', () => {
    const { metrics } = summary;
    expect(metrics.total(LoadMetric.BatchesLoaded)).toBe(10);
    expect(metrics.total(LoadMetric.RowsLoaded, 'fact_sales_order')).toBe(3);
    expect(metrics.total(LoadMetric.RowsLoaded, 'dim_staff')).toBe(2);
    expect(metrics.total(LoadMetric.PlaceholdersOutstanding)).toBe(0);
    expect(metrics.total(LoadMetric.PendingBatches)).toBe(0);
    expect(metrics.total(LoadMetric.OldestPendingBatchAge)).toBe(0);
    expect(metrics.total(LoadMetric.LoadSucceeded)).toBe(1);
    expect(metrics.total(LoadMetric.BatchesFailed)).toBe(0);
  });

  it('loads dimension batches before the fact batches that reference them', async () => {
    const loaded = summary.log.entries.filter((e) => e.message === 'batch loaded').map((e) => String(e.attributes!.batch));
    const tableOf = (id: string) => id.slice(0, id.indexOf('/'));
    // All ten batches, the seven dimension batches first: vacuous neither with no fact nor with no dimension loaded.
    expect(loaded).toHaveLength(10);
    expect(loaded.slice(0, 7).map(tableOf).sort()).toEqual([
      'address',
      'counterparty',
      'currency',
      'design',
      'payment_type',
      'staff',
      'transaction',
    ]);
    expect(loaded.slice(7).map(tableOf).sort()).toEqual(['payment', 'purchase_order', 'sales_order']);
  });
});
