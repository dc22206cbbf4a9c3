/**
 * The initial dataset streamed, for scales that do not fit in memory (scale 100: millions
 * of rows): every row of `generateDataset` is yielded once, to be written to a database,
 * and what comes back is a lean Dataset that `evolve` turns into exactly the same later
 * runs as the full one. It holds the reference tables whole, and of the order,
 * transaction and payment tables only the rows a later run may read or change: the last
 * RECENT_ROWS orders and payments (runs pick among those, by position from the end, so
 * dropping older rows picks the same ones), those orders' transactions and payments, every
 * unpaid payment, and each old purchase order's id and item code (new item codes must
 * differ from all of them). Every table's newest row is kept, so the next ids are the same.
 * Evolve refuses to change a row that is not whole, so a lean dataset never lands part of one.
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
  let payments = 0;
  const rows = datasetRows({ seed, scale });
  for (let next = rows.next(); ; next = rows.next()) {
    if (next.done) return { seed, scale, tick: 0, now: next.value.now, tables };
    const { table, row } = next.value;
    yield next.value;
    const kept = tables[table];
    switch (table) {
      case 'sales_order':
        orderKept = (row.sales_order_id as number) > keepSalesFrom;
        if (orderKept) kept.push(row);
        break;
      case 'purchase_order':
        orderKept = (row.purchase_order_id as number) > keepPurchasesFrom;
        // Every item code stays: a new purchase order's must differ from all of them.
        kept.push(orderKept ? row : { purchase_order_id: row.purchase_order_id ?? null, item_code: row.item_code ?? null });
        break;
      case 'transaction':
        if (orderKept) kept.push(row);
        break;
      case 'payment':
        if (orderKept || row.paid === false || payments >= keepPaymentsFrom) kept.push(row);
        payments += 1;
        break;
      default:
        kept.push(row);
    }
  }
}
