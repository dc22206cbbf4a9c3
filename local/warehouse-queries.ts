/** Read-backs from the warehouse for the local run report. */
import type { ClientBase } from 'pg';
import { DEFAULT_SCHEMAS, qualified } from '../lambdas/core/warehouse/names';
import type { MonthlySales } from './report/run-summary';

/**
 * Sales value (units sold × unit price) by month of order creation and currency, from
 * the latest version of each sales order (facts hold every version). Summed in SQL
 * numeric and returned as text: exact to the cent.
 */
export async function salesByMonth(client: ClientBase, schema: string = DEFAULT_SCHEMAS.warehouse): Promise<MonthlySales[]> {
  const { rows } = await client.query<{ month: string; currency: string; total: string }>(`
    WITH latest AS (
      SELECT DISTINCT ON (sales_order_id) sales_order_id, created_date, units_sold, unit_price, currency_id
      FROM ${qualified(schema, 'fact_sales_order')}
      ORDER BY sales_order_id, last_updated_date DESC, last_updated_time DESC, sales_record_id DESC
    )
    SELECT to_char(latest.created_date, 'YYYY-MM') AS month,
           coalesce(dim_currency.currency_code, '?') AS currency,
           sum(latest.units_sold * latest.unit_price)::text AS total
    FROM latest LEFT JOIN ${qualified(schema, 'dim_currency')} AS dim_currency USING (currency_id)
    GROUP BY 1, 2
    ORDER BY 1, 2`);
  return rows;
}
