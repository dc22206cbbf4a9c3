/** Read-backs from the warehouse for the local run report. */
import type { ClientBase } from 'pg';
import { FACT_TABLES } from '../lambdas/core/schema';
import { currentVersionView, DEFAULT_SCHEMAS, qualified } from '../lambdas/core/warehouse';
import type { MonthlySales } from './report/run-summary';

/**
 * Sales value (units sold × unit price) by month of order creation and currency, from
 * the current version of each sales order (the newest by ingestion sequence: facts hold
 * every version). Summed in SQL numeric and returned as text: exact to the cent.
 */
export async function salesByMonth(client: ClientBase, schema: string = DEFAULT_SCHEMAS.warehouse): Promise<MonthlySales[]> {
  const { rows } = await client.query<{ month: string; currency: string; total: string }>(`
    SELECT to_char(latest.created_date, 'YYYY-MM') AS month,
           coalesce(dim_currency.currency_code, '?') AS currency,
           sum(latest.units_sold * latest.unit_price)::text AS total
    FROM ${qualified(schema, currentVersionView(FACT_TABLES.fact_sales_order))} latest LEFT JOIN ${qualified(schema, 'dim_currency')} AS dim_currency USING (currency_id)
    GROUP BY 1, 2
    ORDER BY 1, 2`);
  return rows;
}
