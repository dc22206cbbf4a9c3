/**
 * The initial state of a generated totesys database, shaped like the real November 2024
 * dump: the same reference-table sizes, about 11k sales orders and 4.6k purchase orders
 * placed in office hours over two years, one transaction and one payment per order.
 */
import { SOURCE_TABLE_NAMES, SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import { OfficeHours, dayOf } from './naive-time';
import { type ReferenceCounts, paymentRow, purchaseOrderRow, salesOrderRow, transactionRow } from './order-rows';
import { Random } from './random';
import { addressRows, counterpartyRows, currencyRows, departmentRows, designRow, paymentTypeRows, staffRows } from './reference-rows';
import type { SourceRecord } from './source-json';
import { CURRENCY_CODES, DEPARTMENTS, ITEM_CODE_ALPHABET } from './word-lists';

export type SourceTables = { readonly [T in SourceTableName]: readonly SourceRecord[] };

/** A source database state: every table's current rows, in primary-key order. */
export interface Dataset {
  readonly seed: number;
  readonly scale: number;
  /** How many evolve runs led here: 0 for a fresh dataset. */
  readonly tick: number;
  /** The newest moment in the data (naive ms since 1970-01-01T00:00:00); later runs happen after it. */
  readonly now: number;
  readonly tables: SourceTables;
}

/** What one ingestion run found: rows to land per table, and what happened to them. */
export interface ChangeSet {
  readonly tick: number;
  /** Per table, the changed and new rows in their new state, in primary-key order (empty when unchanged). */
  readonly tables: SourceTables;
  readonly events: readonly ChangeEvent[];
}

export interface ChangeEvent {
  /** `silently-updated`: the row changed but its last_updated did not move (a real-data quirk). */
  readonly kind: 'created' | 'updated' | 'silently-updated';
  readonly table: SourceTableName;
  readonly id: number;
  /** The columns whose value changed (besides last_updated); empty for created rows. */
  readonly columns: readonly string[];
}

export interface GenerateOptions {
  readonly seed: number;
  /** Multiplies the order, transaction and payment volume (1 ≈ the real dump). Default 1. */
  readonly scale?: number;
}

/** Sizes of the real dump (reference tables do not scale). */
export const REAL_DATA_SIZES = {
  addresses: 30,
  counterparties: 20,
  designs: 472,
  staff: 20,
  /** Designs present when the database was created; the rest arrive over time. */
  initialDesigns: 10,
  salesOrders: 11_175,
  purchaseOrders: 4_640,
} as const;

/** The department whose location is spelled `Leds` in the real data. */
export const LEDS_DEPARTMENT_ID = 4;

/** The real database's timeline: created 2022-11-03, dumped 2024-11-14. */
const DATABASE_CREATED = Date.UTC(2022, 10, 3, 14, 20, 49, 962);
const PEOPLE_CREATED = DATABASE_CREATED + 1_601;
const ORDERS_FROM = DATABASE_CREATED + 2_224;
const ORDERS_UNTIL = Date.UTC(2024, 10, 14, 15, 34, 9, 845);

export function primaryKeyOf(table: SourceTableName, row: SourceRecord): number {
  return row[SOURCE_TABLES[table].primaryKey] as number;
}

export function emptyTables(): Record<SourceTableName, SourceRecord[]> {
  return Object.fromEntries(SOURCE_TABLE_NAMES.map((name) => [name, []])) as unknown as Record<SourceTableName, SourceRecord[]>;
}

/** Order volume of a dataset: sales and purchase orders (one transaction and one payment each). */
export function orderCounts(scale: number): { readonly sales: number; readonly purchases: number } {
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`scale must be a positive number, got ${scale}`);
  return {
    sales: Math.max(1, Math.round(REAL_DATA_SIZES.salesOrders * scale)),
    purchases: Math.max(1, Math.round(REAL_DATA_SIZES.purchaseOrders * scale)),
  };
}

/** One generated row and the table it belongs to. */
export interface GeneratedRow {
  readonly table: SourceTableName;
  readonly row: SourceRecord;
}

export function generateDataset({ seed, scale = 1 }: GenerateOptions): Dataset {
  const tables = emptyTables();
  const rows = datasetRows({ seed, scale });
  for (let next = rows.next(); ; next = rows.next()) {
    if (next.done) return { seed, scale, tick: 0, now: next.value.now, tables };
    tables[next.value.table].push(next.value.row);
  }
}

/**
 * The rows of `generateDataset`, one at a time (each table in primary-key order; order
 * tables interleaved as the orders are placed), so scale 100 can be written to a database
 * without holding it. Returns the dataset's `now`.
 */
export function* datasetRows({ seed, scale = 1 }: GenerateOptions): Generator<GeneratedRow, { readonly now: number }> {
  const counts0 = orderCounts(scale);
  const reference = Random.of(seed, 'reference');
  const each = function* (table: SourceTableName, rows: readonly SourceRecord[]): Generator<GeneratedRow> {
    for (const row of rows) yield { table, row };
  };
  yield* each('address', addressRows(reference, REAL_DATA_SIZES.addresses, DATABASE_CREATED));
  yield* each('currency', currencyRows(DATABASE_CREATED));
  yield* each('department', departmentRows(reference, DEPARTMENTS, DATABASE_CREATED));
  yield* each('payment_type', paymentTypeRows(DATABASE_CREATED));
  yield* each('counterparty', counterpartyRows(reference, REAL_DATA_SIZES.counterparties, REAL_DATA_SIZES.addresses, PEOPLE_CREATED));
  yield* each('staff', staffRows(reference, REAL_DATA_SIZES.staff, DEPARTMENTS.length, LEDS_DEPARTMENT_ID, PEOPLE_CREATED));

  const office = new OfficeHours(ORDERS_FROM, ORDERS_UNTIL);
  const designRandom = Random.of(seed, 'designs');
  const laterDesigns = sortedUniforms(designRandom, REAL_DATA_SIZES.designs - REAL_DATA_SIZES.initialDesigns);
  const designTimes = [...Array<number>(REAL_DATA_SIZES.initialDesigns).fill(DATABASE_CREATED), ...office.atSorted(laterDesigns)];
  yield* each(
    'design',
    designTimes.map((createdMs, index) => designRow(designRandom, index + 1, createdMs)),
  );

  const counts: ReferenceCounts = {
    staff: REAL_DATA_SIZES.staff,
    counterparties: REAL_DATA_SIZES.counterparties,
    currencies: CURRENCY_CODES.length,
    addresses: REAL_DATA_SIZES.addresses,
  };
  const orders = Random.of(seed, 'orders');
  let salesLeft = counts0.sales;
  let purchasesLeft = counts0.purchases;
  let salesOrders = 0;
  let purchaseOrders = 0;
  let transactions = 0;
  const itemCodes = new Set<string>();
  const today = dayOf(ORDERS_UNTIL);
  let designsAvailable = 0;
  let paymentId = 0;
  let now = PEOPLE_CREATED;
  for (const createdMs of office.atSorted(sortedUniforms(orders, salesLeft + purchasesLeft))) {
    while (designsAvailable < designTimes.length && designTimes[designsAvailable]! <= createdMs) designsAvailable += 1;
    // Exact counts of each, in a uniformly random interleaving.
    const sale = orders.float() * (salesLeft + purchasesLeft) < salesLeft;
    let order: SourceRecord;
    if (sale) {
      salesLeft -= 1;
      order = salesOrderRow(orders, ++salesOrders, designsAvailable, counts, createdMs);
      yield { table: 'sales_order', row: order };
    } else {
      purchasesLeft -= 1;
      order = purchaseOrderRow(orders, ++purchaseOrders, counts, uniqueItemCode(orders, itemCodes), createdMs);
      yield { table: 'purchase_order', row: order };
    }
    const transaction = transactionRow(++transactions, order);
    yield { table: 'transaction', row: transaction };
    paymentId = nextPaymentId(orders, paymentId);
    yield { table: 'payment', row: paymentRow(orders, paymentId, transaction, order, today) };
    now = createdMs;
  }
  return { now };
}

/** A change set holding every row of the dataset: what a first, full ingestion run lands. */
export function snapshot(dataset: Dataset): ChangeSet {
  const events: ChangeEvent[] = [];
  for (const table of SOURCE_TABLE_NAMES) {
    for (const row of dataset.tables[table]) events.push({ kind: 'created', table, id: primaryKeyOf(table, row), columns: [] });
  }
  return { tick: dataset.tick, tables: dataset.tables, events };
}

/** Serial ids skip a number now and then (rolled-back inserts), so payment ids drift from transaction ids. */
export function nextPaymentId(random: Random, previous: number): number {
  return previous + 1 + (random.chance(0.01) ? random.int(1, 3) : 0);
}

export function uniqueItemCode(random: Random, taken: Set<string>): string {
  for (;;) {
    const code = random.string(ITEM_CODE_ALPHABET, 7);
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
  }
}

function sortedUniforms(random: Random, count: number): Float64Array {
  const values = new Float64Array(count);
  for (let i = 0; i < count; i += 1) values[i] = random.float();
  return values.sort();
}
