/**
 * One later ingestion run: what changed in the source database since the dataset's `now`,
 * during the next weekday's office hours. Every run contains each kind of change the
 * pipeline must handle:
 *
 * - new sales and purchase orders, with their transactions and payments;
 * - orders updated with last_updated moving (units or quantity, so the payment amount
 *   changes too, or an agreed delivery date);
 * - payments settled (paid false → true);
 * - rows changed WITHOUT last_updated moving (a sales order, a purchase order and a
 *   payment): the real database does this; the run lands them anyway;
 * - a renamed department and a moved address (one that is a counterparty's legal address);
 * - on some runs a new design and a staff member moving department.
 *
 * Pure: the input dataset is not modified; the result shares unchanged rows with it.
 */
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import {
  type ChangeEvent,
  type ChangeSet,
  type Dataset,
  type SourceTables,
  emptyTables,
  nextPaymentId,
  primaryKeyOf,
  uniqueItemCode,
} from './dataset';
import { MS_PER_DAY, OfficeHours, dayOf, formatDay, formatTimestamp, nextWeekday, parseDay } from './naive-time';
import { type ReferenceCounts, orderAmount, paymentRow, purchaseOrderRow, salesOrderRow, transactionRow } from './order-rows';
import { Random } from './random';
import { NULL_ADDRESS_LINE_2_SHARE, NULL_DISTRICT_SHARE, addressFields, designRow } from './reference-rows';
import type { SourceRecord, SourceValue } from './source-json';
import { DEPARTMENTS, DEPARTMENT_RENAMES } from './word-lists';

export interface EvolveOptions {
  /** Defaults to the dataset's seed. */
  readonly seed?: number;
  /** Which run this is; defaults to the dataset's tick + 1. Equal (seed, tick) and dataset → equal run. */
  readonly tick?: number;
}

export interface Evolution {
  /** The database after the run. */
  readonly dataset: Dataset;
  /** What the run lands: changed and new rows per table, and what happened to each. */
  readonly changes: ChangeSet;
}

/** Average new orders per weekday at scale 1 (the real data: ~15.8k orders in ~530 weekdays). */
const SALES_PER_DAY = 21;
const PURCHASES_PER_DAY = 9;
/** How far back (in rows) updates reach: recent orders are the ones that get amended. */
export const RECENT_ROWS = 2_000;

export function evolve(dataset: Dataset, options: EvolveOptions = {}): Evolution {
  const tick = options.tick ?? dataset.tick + 1;
  const random = Random.of(options.seed ?? dataset.seed, 'evolve', tick);
  const run = new Run(dataset);
  const day = nextWeekday(dayOf(dataset.now));
  const office = new OfficeHours(day * MS_PER_DAY, (day + 1) * MS_PER_DAY);
  const at = (): number => run.saw(office.at(random.float()));
  const perScale = (count: number): number => Math.max(1, Math.round(count * dataset.scale));

  updateOrders(run, random, at, 'sales_order', perScale(2));
  updateOrders(run, random, at, 'purchase_order', perScale(1));
  settlePayments(run, random, at, day, perScale(3));
  changeSilently(run, random, perScale(1));
  renameDepartment(run, random, at());
  moveAddress(run, random, at());
  if (random.chance(0.5)) moveStaff(run, random, at());
  const designCount = run.maxId('design');
  if (random.chance(0.5)) run.insert('design', designRow(random, designCount + 1, at()));
  addOrders(run, random, office, day, designCount, {
    sales: Math.max(1, Math.round(SALES_PER_DAY * dataset.scale * (0.5 + random.float()))),
    purchases: Math.max(1, Math.round(PURCHASES_PER_DAY * dataset.scale * (0.5 + random.float()))),
  });
  return run.finish(tick);
}

function updateOrders(run: Run, random: Random, at: () => number, table: 'sales_order' | 'purchase_order', count: number): void {
  const quantityColumn = table === 'sales_order' ? 'units_sold' : 'item_quantity';
  for (let i = 0; i < count; i += 1) {
    const order = run.pickUntouched(random, table, RECENT_ROWS);
    if (order === undefined) return;
    const payment = run.paymentOfOrder(table, primaryKeyOf(table, order));
    const when = at();
    if (payment !== undefined && !run.touched('payment', payment) && random.chance(0.5)) {
      const quantity = order[quantityColumn] as number;
      const newQuantity = table === 'sales_order' ? otherInt(random, quantity, 1000, 99_999) : otherInt(random, quantity, 1, 999);
      const updated = run.update(table, order, { [quantityColumn]: newQuantity }, when);
      run.update('payment', payment, { payment_amount: orderAmount(updated) }, when);
    } else {
      run.update(table, order, { agreed_delivery_date: shiftDay(order.agreed_delivery_date as string, random.int(1, 5)) }, when);
    }
  }
}

function settlePayments(run: Run, random: Random, at: () => number, day: number, count: number): void {
  const due = run
    .rows('payment')
    .filter((payment) => payment.paid === false && parseDay(payment.payment_date as string) <= day && !run.touched('payment', payment));
  for (const payment of random.shuffle(due).slice(0, count)) run.update('payment', payment, { paid: true }, at());
}

/** The real-data quirk: values change, last_updated stays. */
function changeSilently(run: Run, random: Random, count: number): void {
  for (const table of ['sales_order', 'purchase_order'] as const) {
    for (let i = 0; i < count; i += 1) {
      const order = run.pickUntouched(random, table, RECENT_ROWS);
      if (order === undefined) break;
      const location = order.agreed_delivery_location_id as number;
      run.update(table, order, { agreed_delivery_location_id: otherInt(random, location, 1, run.maxId('address')) });
    }
  }
  for (let i = 0; i < count; i += 1) {
    const payment = run.pickUntouched(random, 'payment', RECENT_ROWS);
    if (payment === undefined) break;
    run.update('payment', payment, { payment_date: shiftDay(payment.payment_date as string, random.int(1, 2)) });
  }
}

function renameDepartment(run: Run, random: Random, when: number): void {
  const department = random.pick(run.rows('department'));
  const taken = new Set(run.rows('department').map((row) => row.department_name));
  // Original names are allowed back, so there is always a free name however many runs go by.
  const names = [...DEPARTMENT_RENAMES, ...DEPARTMENTS.map((known) => known.name)].filter((name) => !taken.has(name));
  run.update('department', department, { department_name: random.pick(names) }, when);
}

/** Moves a counterparty's legal address, so the change must reach dim_counterparty too. */
function moveAddress(run: Run, random: Random, when: number): void {
  const legal = new Set(run.rows('counterparty').map((row) => row.legal_address_id));
  const address = random.pick(run.rows('address').filter((row) => legal.has(row.address_id!)));
  const fields = addressFields(random, {
    line2: random.chance(NULL_ADDRESS_LINE_2_SHARE),
    district: random.chance(NULL_DISTRICT_SHARE),
  });
  run.update('address', address, fields, when);
}

function moveStaff(run: Run, random: Random, when: number): void {
  const member = random.pick(run.rows('staff'));
  const department = otherInt(random, member.department_id as number, 1, run.maxId('department'));
  run.update('staff', member, { department_id: department }, when);
}

function addOrders(
  run: Run,
  random: Random,
  office: OfficeHours,
  day: number,
  designCount: number,
  volume: { readonly sales: number; readonly purchases: number },
): void {
  const counts: ReferenceCounts = {
    staff: run.maxId('staff'),
    counterparties: run.maxId('counterparty'),
    currencies: run.maxId('currency'),
    addresses: run.maxId('address'),
  };
  const itemCodes = new Set(run.rows('purchase_order').map((row) => row.item_code as string));
  const fractions = Float64Array.from({ length: volume.sales + volume.purchases }, () => random.float()).sort();
  let salesLeft = volume.sales;
  let purchasesLeft = volume.purchases;
  let paymentId = run.maxId('payment');
  for (const createdMs of office.atSorted(fractions)) {
    run.saw(createdMs);
    const sale = random.float() * (salesLeft + purchasesLeft) < salesLeft;
    let order: SourceRecord;
    if (sale) {
      salesLeft -= 1;
      order = salesOrderRow(random, run.maxId('sales_order') + 1, designCount, counts, createdMs);
    } else {
      purchasesLeft -= 1;
      order = purchaseOrderRow(random, run.maxId('purchase_order') + 1, counts, uniqueItemCode(random, itemCodes), createdMs);
    }
    run.insert(sale ? 'sales_order' : 'purchase_order', order);
    const transaction = transactionRow(run.maxId('transaction') + 1, order);
    run.insert('transaction', transaction);
    paymentId = nextPaymentId(random, paymentId);
    run.insert('payment', paymentRow(random, paymentId, transaction, order, day));
  }
}

function otherInt(random: Random, current: number, min: number, max: number): number {
  if (min === max) return current;
  for (;;) {
    const value = random.int(min, max);
    if (value !== current) return value;
  }
}

function shiftDay(date: string, days: number): string {
  return formatDay(parseDay(date) + days);
}

/**
 * The row, if the dataset holds it whole: a streamed dataset keeps only what evolve reads
 * of old rows (lean-dataset.ts), and a run must never change or land part of a row.
 */
function whole(table: SourceTableName, row: SourceRecord): SourceRecord {
  if (row.last_updated === undefined) {
    throw new Error(`${table} ${primaryKeyOf(table, row)} was not kept in full by the streamed dataset, so a run cannot change it`);
  }
  return row;
}

/** The working state of one run: copy-on-write tables, the rows it changed, and its events. */
class Run {
  private readonly tables: Record<SourceTableName, SourceRecord[]>;
  private readonly copied = new Set<SourceTableName>();
  private readonly changed = new Map<SourceTableName, Map<number, SourceRecord>>();
  private readonly events: ChangeEvent[] = [];
  private readonly maxIds = new Map<SourceTableName, number>();
  private paymentsByTransaction?: Float64Array;
  private transactionsByOrder?: Readonly<Record<'sales_order' | 'purchase_order', Float64Array>>;
  private newest: number;

  constructor(private readonly dataset: Dataset) {
    this.tables = { ...dataset.tables } as Record<SourceTableName, SourceRecord[]>;
    this.newest = dataset.now;
  }

  rows(table: SourceTableName): readonly SourceRecord[] {
    return this.tables[table];
  }

  maxId(table: SourceTableName): number {
    let max = this.maxIds.get(table);
    if (max === undefined) {
      max = 0;
      for (const row of this.tables[table]) max = Math.max(max, primaryKeyOf(table, row));
      this.maxIds.set(table, max);
    }
    return max;
  }

  /** Records an instant this run used, so the next dataset's `now` is after all of them. */
  saw(ms: number): number {
    this.newest = Math.max(this.newest, ms);
    return ms;
  }

  touched(table: SourceTableName, row: SourceRecord): boolean {
    return this.changed.get(table)?.has(primaryKeyOf(table, row)) ?? false;
  }

  /** A random row among the table's last `recent` that this run has not changed yet. */
  pickUntouched(random: Random, table: SourceTableName, recent: number): SourceRecord | undefined {
    const rows = this.tables[table];
    const from = Math.max(0, rows.length - recent);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const row = rows[random.int(from, rows.length - 1)];
      if (row !== undefined && !this.touched(table, row)) return whole(table, row);
    }
    return undefined;
  }

  paymentOfOrder(table: 'sales_order' | 'purchase_order', orderId: number): SourceRecord | undefined {
    // Typed arrays indexed by id, not Maps: at scale 100 these cover millions of rows.
    if (this.transactionsByOrder === undefined || this.paymentsByTransaction === undefined) {
      const byOrder = {
        sales_order: new Float64Array(this.maxId('sales_order') + 1),
        purchase_order: new Float64Array(this.maxId('purchase_order') + 1),
      };
      for (const row of this.tables.transaction) {
        if (row.sales_order_id === null) byOrder.purchase_order[row.purchase_order_id as number] = row.transaction_id as number;
        else byOrder.sales_order[row.sales_order_id as number] = row.transaction_id as number;
      }
      this.transactionsByOrder = byOrder;
      this.paymentsByTransaction = new Float64Array(this.maxId('transaction') + 1);
      for (const row of this.tables.payment) this.paymentsByTransaction[row.transaction_id as number] = row.payment_id as number;
    }
    const transactionId = this.transactionsByOrder[table][orderId] || undefined;
    const paymentId = transactionId === undefined ? undefined : this.paymentsByTransaction[transactionId] || undefined;
    return paymentId === undefined ? undefined : whole('payment', this.tables.payment[this.indexOf('payment', paymentId)]!);
  }

  insert(table: SourceTableName, row: SourceRecord): void {
    const id = primaryKeyOf(table, row);
    this.writable(table).push(row);
    this.maxIds.set(table, Math.max(this.maxId(table), id));
    this.record(table, id, row);
    this.events.push({ kind: 'created', table, id, columns: [] });
  }

  /**
   * Applies `patch` to `row`. With `when`, last_updated moves to it; without, the row
   * changes silently. Returns the new row.
   */
  update(table: SourceTableName, row: SourceRecord, patch: Record<string, SourceValue>, when?: number): SourceRecord {
    const id = primaryKeyOf(table, whole(table, row));
    const columns = Object.keys(patch).filter((column) => patch[column] !== row[column]);
    if (columns.length === 0) throw new Error(`update of ${table} ${id} changes nothing`);
    const updated = { ...row, ...patch, last_updated: when === undefined ? row.last_updated! : formatTimestamp(when) };
    this.writable(table)[this.indexOf(table, id)] = updated;
    this.record(table, id, updated);
    this.events.push({ kind: when === undefined ? 'silently-updated' : 'updated', table, id, columns });
    return updated;
  }

  finish(tick: number): Evolution {
    const changes = emptyTables();
    for (const [table, rows] of this.changed) {
      changes[table] = [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
    }
    const tables: SourceTables = this.tables;
    return {
      dataset: { seed: this.dataset.seed, scale: this.dataset.scale, tick, now: this.newest, tables },
      changes: { tick, tables: changes, events: this.events },
    };
  }

  private record(table: SourceTableName, id: number, row: SourceRecord): void {
    let rows = this.changed.get(table);
    if (rows === undefined) this.changed.set(table, (rows = new Map()));
    rows.set(id, row);
  }

  private writable(table: SourceTableName): SourceRecord[] {
    if (!this.copied.has(table)) {
      this.tables[table] = [...this.tables[table]];
      this.copied.add(table);
    }
    return this.tables[table];
  }

  /** Where row `id` is: rows are in primary-key order, so a binary search (no index of millions of rows). */
  private indexOf(table: SourceTableName, id: number): number {
    const rows = this.tables[table];
    let low = 0;
    let high = rows.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = primaryKeyOf(table, rows[middle]!);
      if (found === id) return middle;
      if (found < id) low = middle + 1;
      else high = middle - 1;
    }
    throw new Error(`${table} has no row ${id}`);
  }
}
