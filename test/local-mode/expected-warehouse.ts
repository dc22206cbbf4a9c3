/**
 * What the warehouse must hold after landing a generated history, computed straight from
 * the generated source rows (not through the pipeline's code): facts = each row's history
 * (its states in landing order, a state landed again unchanged counted once: A → B → A is
 * three), the current versions = the final source state, dimensions = the final source
 * state, joins done here by hand.
 */
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { type IngestionHistory, type SourceRecord, landedRows, primaryKeyOf, serializeRow } from '../../local/generator';

/** Every state of each row of `table` in landing (= ingestion sequence) order, consecutive repeats collapsed. */
function factHistory(history: IngestionHistory, table: SourceTableName): SourceRecord[] {
  const previous = new Map<number, string>();
  const states: SourceRecord[] = [];
  for (const row of landedRows(history.runs, table)) {
    const id = primaryKeyOf(table, row);
    const state = serializeRow(table, row);
    if (previous.get(id) === state) continue;
    previous.set(id, state);
    states.push(row);
  }
  return states;
}

/** `2022-11-03T14:20:49.962000` → [`2022-11-03`, `14:20:49.962`]. */
function splitTimestamp(text: string): [string, string] {
  const [date, time] = text.split(/[T ]/) as [string, string];
  const [hms, fraction = ''] = time.split('.');
  return [date, `${hms}.${fraction.padEnd(3, '0').slice(0, 3)}`];
}

function cents(value: unknown): string {
  const c = BigInt(value as bigint);
  const sign = c < 0n ? '-' : '';
  const magnitude = c < 0n ? -c : c;
  return `${sign}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
}

function timestamps(row: SourceRecord): string[] {
  return [...splitTimestamp(row.created_at as string), ...splitTimestamp(row.last_updated as string)];
}

/** Facts as text tuples, the form the test's SQL returns. */
export function expectedFacts(
  history: IngestionHistory,
  rows: (table: 'sales_order' | 'purchase_order' | 'payment') => readonly SourceRecord[] = (table) => factHistory(history, table),
) {
  const sales = rows('sales_order').map((r) =>
    [
      r.sales_order_id,
      ...timestamps(r),
      r.staff_id,
      r.counterparty_id,
      r.units_sold,
      cents(r.unit_price),
      r.currency_id,
      r.design_id,
      r.agreed_payment_date,
      r.agreed_delivery_date,
      r.agreed_delivery_location_id,
    ]
      .map(String)
      .join('|'),
  );
  const purchases = rows('purchase_order').map((r) =>
    [
      r.purchase_order_id,
      ...timestamps(r),
      r.staff_id,
      r.counterparty_id,
      r.item_code,
      r.item_quantity,
      cents(r.item_unit_price),
      r.currency_id,
      r.agreed_delivery_date,
      r.agreed_payment_date,
      r.agreed_delivery_location_id,
    ]
      .map(String)
      .join('|'),
  );
  const payments = rows('payment').map((r) =>
    [
      r.payment_id,
      ...timestamps(r),
      r.transaction_id,
      r.counterparty_id,
      cents(r.payment_amount),
      r.currency_id,
      r.payment_type_id,
      r.paid ? 't' : 'f',
      r.payment_date,
    ]
      .map(String)
      .join('|'),
  );
  return { sales, purchases, payments };
}

export function expectedDimensions(history: IngestionHistory) {
  const t = history.final.tables;
  const byId = <K extends string>(rows: readonly SourceRecord[], key: K) => new Map(rows.map((r) => [r[key] as number, r]));
  const departments = byId(t.department, 'department_id');
  const addresses = byId(t.address, 'address_id');
  const text = (values: unknown[]) => values.map((v) => (v === null ? '∅' : String(v))).join('|');
  return {
    dim_staff: t.staff.map((s) => {
      const d = departments.get(s.department_id as number)!;
      return text([s.staff_id, s.first_name, s.last_name, d.department_name, d.location, s.email_address]);
    }),
    dim_location: t.address.map((a) =>
      text([a.address_id, a.address_line_1, a.address_line_2, a.district, a.city, a.postal_code, a.country, a.phone]),
    ),
    dim_counterparty: t.counterparty.map((c) => {
      const a = addresses.get(c.legal_address_id as number)!;
      return text([
        c.counterparty_id,
        c.counterparty_legal_name,
        a.address_line_1,
        a.address_line_2,
        a.district,
        a.city,
        a.postal_code,
        a.country,
        a.phone,
      ]);
    }),
    dim_design: t.design.map((d) => text([d.design_id, d.design_name, d.file_location, d.file_name])),
    dim_transaction: t.transaction.map((x) => text([x.transaction_id, x.transaction_type, x.sales_order_id, x.purchase_order_id])),
    dim_payment_type: t.payment_type.map((p) => text([p.payment_type_id, p.payment_type_name])),
    dim_currency: t.currency.map((c) => text([c.currency_id, c.currency_code])),
  };
}

/** The current version of every fact row: the final source state. */
export function expectedCurrentFacts(history: IngestionHistory) {
  return expectedFacts(history, (table) => history.final.tables[table]);
}

/** Sum of units × price over every sales-order version, exact, as text. */
export function expectedSalesValue(history: IngestionHistory): string {
  const total = factHistory(history, 'sales_order').reduce(
    (sum, r) => sum + BigInt(r.units_sold as number) * BigInt(r.unit_price as bigint),
    0n,
  );
  return cents(total);
}
