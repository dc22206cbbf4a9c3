/**
 * Values through the whole path (Parquet → COPY → warehouse) arrive exactly: money to
 * the cent, dates and times as written whatever the machine's TZ (this suite runs under
 * TZ=UTC and TZ=Pacific/Kiritimati), text with the characters COPY treats specially.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transformDimDateRows } from './support/dim-date-oracle';
import { LoadTestEnvironment } from './support/warehouse';
import { day, dims, facts, money, time } from './support/rows';

const env = new LoadTestEnvironment();
beforeAll(() => env.start());
afterAll(() => env.stop());

describe('values in the warehouse', () => {
  it('money to the cent, at the edges of numeric(10,2)', async () => {
    const prices = ['0.00', '0.01', '0.10', '1.00', '12.34', '99999999.99', '-0.01', '-99999999.99', '10000000.05'];
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: { fact_sales_order: prices.map((p, i) => facts.salesOrder({ sales_order_id: i + 1, unit_price: money(p) })) },
    });
    await env.bucket.writeBatch({
      sourceTable: 'payment',
      sequence: 1,
      tables: { fact_payment: prices.map((p, i) => facts.payment({ payment_id: i + 1, payment_amount: money(p) })) },
    });
    await env.load();
    const sales = await env.query<{ unit_price: string }>('SELECT unit_price FROM fact_sales_order ORDER BY sales_order_id');
    expect(sales.map((r) => r.unit_price)).toEqual(prices);
    const payments = await env.query<{ payment_amount: string }>('SELECT payment_amount FROM fact_payment ORDER BY payment_id');
    expect(payments.map((r) => r.payment_amount)).toEqual(prices);
    // Summed in the database, exactly: no float ever held a cent.
    expect(await env.query('SELECT sum(unit_price)::text AS total FROM fact_sales_order')).toEqual([{ total: '10000013.49' }]);
  });

  it('dates and times exactly as written, whatever TZ the loader runs in', async () => {
    const cases = [
      { date: '2024-03-31', time: '01:30:00.000' }, // UK clocks go forward at 01:00
      { date: '2024-10-27', time: '01:30:00.500' }, // and back
      { date: '1995-01-01', time: '00:00:00.000' }, // Kiritimati skipped 1994-12-31
      { date: '2024-02-29', time: '23:59:59.999' },
    ];
    await env.bucket.writeBatch({
      sourceTable: 'purchase_order',
      sequence: 1,
      tables: {
        fact_purchase_order: cases.map((c, i) =>
          facts.purchaseOrder({
            purchase_order_id: i + 1,
            created_date: day(c.date),
            created_time: time(c.time),
            last_updated_date: day(c.date),
            last_updated_time: time(c.time),
          }),
        ),
      },
    });
    await env.load();
    const rows = await env.query(
      'SELECT created_date, created_time, last_updated_date, last_updated_time FROM fact_purchase_order ORDER BY purchase_order_id',
    );
    expect(rows).toEqual(
      cases.map((c) => ({
        created_date: c.date,
        created_time: c.time.replace(/\.000$/, '').replace(/(\.\d*?)0+$/, '$1'),
        last_updated_date: c.date,
        last_updated_time: c.time.replace(/\.000$/, '').replace(/(\.\d*?)0+$/, '$1'),
      })),
    );
    expect(await env.query("SELECT date_id, day_name FROM dim_date WHERE date_id = '1995-01-01'")).toEqual([
      { date_id: '1995-01-01', day_name: 'Sunday' },
    ]);
  });

  it('text with tabs, newlines, backslashes and COPY’s null marker, as written', async () => {
    const names = ['tab\there', 'new\nline', 'carriage\rreturn', 'back\\slash', '\\N', 'N', '', 'ünïcödé ✓ 😀'];
    await env.bucket.writeBatch({
      sourceTable: 'design',
      sequence: 1,
      tables: { dim_design: names.map((name, i) => dims.design({ design_id: i + 1, design_name: name })) },
    });
    await env.load();
    const rows = await env.query<{ design_name: string }>('SELECT design_name FROM dim_design ORDER BY design_id');
    expect(rows.map((r) => r.design_name)).toEqual(names);
  });

  it('dim_date rows the loader derives for dates a batch did not carry agree with the transform’s', async () => {
    // 1,100 consecutive days, each the agreed delivery date of one order, sent without dim_date rows.
    const start = day('2023-12-25');
    const rows = Array.from({ length: 1100 }, (_, i) =>
      facts.salesOrder({ sales_order_id: 1000 + i, agreed_delivery_date: start + i, agreed_payment_date: start + i }),
    );
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 2, withDates: false, tables: { fact_sales_order: rows } });
    const run = await env.load();
    expect(run.batchesLoaded).toBe(1);
    expect(run.log.at('warn').map((e) => e.message)).toContain('facts referenced dates their batch did not carry; dim_date rows derived');
    const derived = await env.query(
      `SELECT date_id, year, month, day, day_of_week, day_name, month_name, quarter FROM dim_date
       WHERE date_id BETWEEN '2023-12-25' AND '2026-12-28' ORDER BY date_id`,
    );
    expect(derived).toEqual(transformDimDateRows(start, 1100));
  });
});
