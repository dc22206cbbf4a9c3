/**
 * The initial dataset streamed, for scales that do not fit in memory (scale 100: millions
 * of rows): every row of `generateDataset` is yielded once, to be written to a database,
 * and what comes back is a lean Dataset that `evolve` turns into exactly the same later
 * runs as the full one. Old order, transaction and payment rows that no later run can
 * change are kept only as the few columns evolve reads of them (ids, item codes, paid);
 * rows a run may change are kept whole: the last RECENT_ROWS orders and payments, the
 * transactions and payments of those orders, and every unpaid payment. Evolve refuses to
 * update a row that was not kept whole, so a lean dataset can never land a partial row.
 */
import { type Dataset, type GenerateOptions, type GeneratedRow, datasetRows, emptyTables, orderCounts } from './dataset';
import { RECENT_ROWS } from './evolve';

/** Yields every row of the dataset; returns the lean dataset (see above). */
export function* streamDataset({ seed, scale = 1 }: GenerateOptions): Generator<GeneratedRow, Dataset> {
  const volume = orderCounts(scale);
  const keepSalesFrom = volume.sales - RECENT_ROWS;
  const keepPurchasesFrom = volume.purchases - RECENT_ROWS;
  const keepPaymentsFrom = volume.sales + volume.purchases - RECENT_ROWS;
  const tables = emptyTables();
  let orderKept = false;
  const rows = datasetRows({ seed, scale });
  for (let next = rows.next(); ; next = rows.next()) {
    if (next.done) return { seed, scale, tick: 0, now: next.value.now, tables };
    const { table, row } = next.value;
    yield next.value;
    const kept = tables[table];
    switch (table) {
      case 'sales_order':
        orderKept = (row.sales_order_id as number) > keepSalesFrom;
        kept.push(orderKept ? row : { sales_order_id: row.sales_order_id ?? null });
        break;
      case 'purchase_order':
        orderKept = (row.purchase_order_id as number) > keepPurchasesFrom;
        kept.push(orderKept ? row : { purchase_order_id: row.purchase_order_id ?? null, item_code: row.item_code ?? null });
        break;
      case 'transaction':
        kept.push(
          orderKept
            ? row
            : { transaction_id: row.transaction_id ?? null, sales_order_id: row.sales_order_id ?? null, purchase_order_id: row.purchase_order_id ?? null },
        );
        break;
      case 'payment':
        kept.push(
          orderKept || row.paid === false || kept.length >= keepPaymentsFrom
            ? row
            : { payment_id: row.payment_id ?? null, transaction_id: row.transaction_id ?? null, paid: row.paid ?? null },
        );
        break;
      default:
        kept.push(row);
    }
  }
}
