/**
 * The local report's sales by month reads each order's current version: the newest by
 * ingestion sequence, not by last_updated (CONTRACT.md §5), exact to the cent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesByMonth } from '../../local/warehouse-queries';
import { day, dims, facts, money, time } from '../load/support/rows';
import { LoadTestEnvironment } from '../load/support/warehouse';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
  await env.bucket.writeBatch({ sourceTable: 'currency', sequence: 1, tables: { dim_currency: [dims.currency()] } });
});
afterEach(() => env.stop());

async function report() {
  const client = await env.connect();
  try {
    return await salesByMonth(client);
  } finally {
    await client.end();
  }
}

describe('sales by month in the local report', () => {
  it('counts an order at its newest version by sequence, even when its last_updated is earlier', async () => {
    const order = (units: number, lastUpdated: string) =>
      facts.salesOrder({ units_sold: units, unit_price: money('99999999.99'), last_updated_time: time(lastUpdated) });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: [order(1, '12:00:00.000')] } });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 2, tables: { fact_sales_order: [order(3, '11:00:00.000')] } });
    await env.load();
    expect(await report()).toEqual([{ month: '2024-11', currency: 'GBP', total: '299999999.97' }]);
  });

  it('counts an order that went A → B → A at A', async () => {
    const order = (units: number) => facts.salesOrder({ units_sold: units, created_date: day('2024-10-31') });
    for (const [sequence, units] of [
      [1, 10],
      [2, 20],
      [3, 10],
    ] as const) {
      await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence, tables: { fact_sales_order: [order(units)] } });
    }
    await env.load();
    expect(await report()).toEqual([{ month: '2024-10', currency: 'GBP', total: '123.40' }]);
  });
});
