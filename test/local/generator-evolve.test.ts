import { describe, expect, it } from 'vitest';
import { SOURCE_TABLE_NAMES, SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import {
  type ChangeEvent,
  type Dataset,
  type SourceRecord,
  distinctVersions,
  evolve,
  generateDataset,
  landedRows,
  serializeRow,
  simulateIngestion,
} from '../../local/generator';

const before = generateDataset({ seed: 99 });
const beforeBytes = fingerprint(before);
const { dataset: after, changes } = evolve(before);

function fingerprint(data: Dataset): string {
  return SOURCE_TABLE_NAMES.map((table) => data.tables[table].map((row) => serializeRow(table, row)).join('\n')).join('\n');
}

function keyOf(table: SourceTableName, row: SourceRecord): number {
  return row[SOURCE_TABLES[table].primaryKey] as number;
}

/** What changed between two states, worked out by comparing them column by column. */
function diff(from: Dataset, to: Dataset): { events: ChangeEvent[]; rows: Record<string, SourceRecord[]> } {
  const events: ChangeEvent[] = [];
  const rows: Record<string, SourceRecord[]> = {};
  for (const table of SOURCE_TABLE_NAMES) {
    const old = new Map(from.tables[table].map((row) => [keyOf(table, row), row]));
    rows[table] = [];
    for (const row of to.tables[table]) {
      const id = keyOf(table, row);
      const previous = old.get(id);
      if (previous === undefined) {
        events.push({ kind: 'created', table, id, columns: [] });
        rows[table]!.push(row);
        continue;
      }
      const columns = SOURCE_TABLES[table].columns
        .map((column) => column.name)
        .filter((name) => name !== 'last_updated' && previous[name] !== row[name]);
      if (columns.length === 0 && previous.last_updated === row.last_updated) continue;
      const moved = previous.last_updated !== row.last_updated;
      events.push({ kind: moved ? 'updated' : 'silently-updated', table, id, columns });
      rows[table]!.push(row);
    }
    rows[table]!.sort((a, b) => keyOf(table, a) - keyOf(table, b));
  }
  return { events, rows };
}

const sortEvents = (events: readonly ChangeEvent[]) =>
  [...events].sort((a, b) => `${a.table}:${String(a.id).padStart(9, '0')}`.localeCompare(`${b.table}:${String(b.id).padStart(9, '0')}`));

const eventsOf = (kind: ChangeEvent['kind'], table: SourceTableName) =>
  changes.events.filter((event) => event.kind === kind && event.table === table);

describe('evolve: one later ingestion run', () => {
  it('leaves the input dataset untouched', () => {
    expect(fingerprint(before)).toBe(beforeBytes);
  });

  it('reports exactly the rows and kinds of change a column-by-column comparison finds', () => {
    const expected = diff(before, after);
    expect(sortEvents(changes.events)).toEqual(sortEvents(expected.events));
    for (const table of SOURCE_TABLE_NAMES) expect(changes.tables[table], table).toEqual(expected.rows[table]);
  });

  it('adds orders, each with its transaction and a payment of units × price', () => {
    const newSales = eventsOf('created', 'sales_order');
    const newPurchases = eventsOf('created', 'purchase_order');
    expect(newSales.length).toBeGreaterThan(5);
    expect(newPurchases.length).toBeGreaterThan(1);
    const newTransactions = changes.tables.transaction.filter((row) => (row.transaction_id as number) > before.tables.transaction.length);
    expect(newTransactions).toHaveLength(newSales.length + newPurchases.length);
    expect(newTransactions.filter((row) => row.transaction_type === 'SALE').map((row) => row.sales_order_id)).toEqual(
      newSales.map((event) => event.id),
    );
    expect(eventsOf('created', 'payment')).toHaveLength(newTransactions.length);
    expect(new Set(changes.tables.payment.map((row) => row.transaction_id)).size).toBe(changes.tables.payment.length);
  });

  it('updates orders with last_updated moving on, and the payment amount follows a quantity change', () => {
    const updated = [...eventsOf('updated', 'sales_order'), ...eventsOf('updated', 'purchase_order')];
    expect(updated.length).toBeGreaterThanOrEqual(2);
    const oldRows = new Map(before.tables.sales_order.map((row) => [row.sales_order_id, row]));
    for (const event of eventsOf('updated', 'sales_order')) {
      const row = changes.tables.sales_order.find((candidate) => candidate.sales_order_id === event.id)!;
      expect(row.last_updated! > oldRows.get(event.id)!.last_updated!).toBe(true);
      expect(row.created_at).toBe(oldRows.get(event.id)!.created_at);
    }
    expect(assertPaymentsMatchOrders(after)).toEqual([]);
  });

  it('changes a sales order, a purchase order and a payment WITHOUT moving last_updated, and lands them', () => {
    for (const table of ['sales_order', 'purchase_order', 'payment'] as const) {
      const silent = eventsOf('silently-updated', table);
      expect(silent.length, table).toBeGreaterThanOrEqual(1);
      const oldRows = new Map(before.tables[table].map((row) => [keyOf(table, row), row]));
      for (const event of silent) {
        const row = changes.tables[table].find((candidate) => keyOf(table, candidate) === event.id)!;
        const old = oldRows.get(event.id)!;
        expect(row.last_updated).toBe(old.last_updated);
        expect(event.columns.length).toBeGreaterThan(0);
        for (const column of event.columns) expect(row[column]).not.toEqual(old[column]);
      }
    }
  });

  it('renames a department and moves an address that is a counterparty’s legal address', () => {
    const rename = eventsOf('updated', 'department');
    expect(rename).toHaveLength(1);
    expect(rename[0]!.columns).toEqual(['department_name']);
    const moved = eventsOf('updated', 'address');
    expect(moved).toHaveLength(1);
    expect(before.tables.counterparty.some((row) => row.legal_address_id === moved[0]!.id)).toBe(true);
    expect(moved[0]!.columns).toContain('address_line_1');
  });

  it('settles due payments (paid false → true)', () => {
    const settled = eventsOf('updated', 'payment').filter((event) => event.columns.includes('paid'));
    expect(settled.length).toBeGreaterThan(0);
    for (const event of settled) expect(changes.tables.payment.find((row) => row.payment_id === event.id)!.paid).toBe(true);
  });

  it('happens on the next weekday, after everything before it', () => {
    const previous = before.tables.sales_order.at(-1)!.created_at as string;
    const moved = SOURCE_TABLE_NAMES.flatMap((table) => changes.tables[table].filter((row) => row.last_updated! > previous));
    expect(moved.length).toBeGreaterThan(0);
    const days = new Set(moved.map((row) => (row.last_updated as string).slice(0, 10)));
    expect(days.size).toBe(1);
    const [day] = days;
    expect([1, 2, 3, 4, 5]).toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
    expect(day! > previous.slice(0, 10)).toBe(true);
    expect(after.now).toBeGreaterThan(before.now);
  });

  it('is deterministic per (seed, tick), and different for another tick', () => {
    const again = evolve(before);
    expect(fingerprint(again.dataset)).toBe(fingerprint(after));
    expect(again.changes).toEqual(changes);
    expect(again.dataset.now).toBe(after.now);
    expect(fingerprint(evolve(before, { tick: 2 }).dataset)).not.toBe(fingerprint(after));
  });
});

describe('a long ingestion history', () => {
  const history = simulateIngestion({ seed: 5, scale: 0.2, laterRuns: 25 });

  it('brings every kind of change in every run, and keeps the data consistent', () => {
    expect(history.runs).toHaveLength(26);
    for (const run of history.runs.slice(1)) {
      const kinds = new Set(run.events.map((event) => `${event.kind} ${event.table}`));
      for (const kind of [
        'created sales_order',
        'created purchase_order',
        'created transaction',
        'created payment',
        'updated sales_order',
        'updated purchase_order',
        'silently-updated sales_order',
        'silently-updated purchase_order',
        'silently-updated payment',
        'updated department',
        'updated address',
      ]) {
        expect(kinds.has(kind), `run ${run.tick}: ${kind}`).toBe(true);
      }
    }
    expect(assertPaymentsMatchOrders(history.final)).toEqual([]);
    for (const table of SOURCE_TABLE_NAMES) {
      const ids = history.final.tables[table].map((row) => keyOf(table, row));
      expect(new Set(ids).size, table).toBe(ids.length);
    }
    expect(history.final.tables.department.find((row) => row.department_id === 4)!.location).toBe('Leds');
  });

  it('lists every landed row, and its distinct versions (an unchanged row counts once)', () => {
    const landed = landedRows(history.runs, 'sales_order');
    expect(landed.length).toBe(history.runs.reduce((sum, run) => sum + run.tables.sales_order.length, 0));
    const versions = distinctVersions(history.runs, 'sales_order');
    // Each order's last version is its final state.
    const lastVersion = new Map(versions.map((row) => [row.sales_order_id, row]));
    expect([...lastVersion.values()].sort((a, b) => (a.sales_order_id as number) - (b.sales_order_id as number))).toEqual(
      history.final.tables.sales_order,
    );
    const doubled = distinctVersions([...history.runs, ...history.runs], 'sales_order');
    expect(doubled).toEqual(versions);
    const changedOrders = history.runs
      .slice(1)
      .flatMap((run) => run.events.filter((event) => event.table === 'sales_order' && event.kind !== 'created'));
    expect(versions.length).toBe(history.final.tables.sales_order.length + changedOrders.length);
  });
});

/** Payments whose amount is not their order's units × price (expect none). */
function assertPaymentsMatchOrders(data: Dataset): SourceRecord[] {
  const sales = new Map(data.tables.sales_order.map((row) => [row.sales_order_id, row]));
  const purchases = new Map(data.tables.purchase_order.map((row) => [row.purchase_order_id, row]));
  const transactions = new Map(data.tables.transaction.map((row) => [row.transaction_id, row]));
  return data.tables.payment.filter((payment) => {
    const transaction = transactions.get(payment.transaction_id)!;
    const amount =
      transaction.transaction_type === 'SALE'
        ? BigInt(sales.get(transaction.sales_order_id)!.units_sold as number) *
          (sales.get(transaction.sales_order_id)!.unit_price as bigint)
        : BigInt(purchases.get(transaction.purchase_order_id)!.item_quantity as number) *
          (purchases.get(transaction.purchase_order_id)!.item_unit_price as bigint);
    return amount !== payment.payment_amount;
  });
}
