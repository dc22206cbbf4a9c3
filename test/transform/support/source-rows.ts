/**
 * Typed source rows (as the ingestion reader yields them) for remodelling tests, with
 * plausible defaults. Timestamps and dates are computed with Date.UTC, which is pure
 * arithmetic: the same in every machine zone.
 */
import type { SourceRow } from '../../../lambdas/core/objects/types';

const DAY = 86_400_000;

/** `YYYY-MM-DD HH:MM:SS.mmm` → naive milliseconds. */
export function ts(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?$/.exec(text);
  if (!m) throw new Error(`bad test timestamp ${text}`);
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
}

/** `YYYY-MM-DD` → day number. */
export function day(text: string): number {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY;
}

const audit = (at = '2022-11-03 14:20:49.962') => ({ created_at: ts(at), last_updated: ts(at) });

export const rows = {
  address: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    address_id: 1,
    address_line_1: '6826 Herzog Via',
    address_line_2: null,
    district: null,
    city: 'New Patienceburgh',
    postal_code: '28441',
    country: 'Turkey',
    phone: '1803 637401',
    ...audit(),
    ...o,
  }) as SourceRow,
  counterparty: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    counterparty_id: 1,
    counterparty_legal_name: 'Fahey and Sons',
    legal_address_id: 1,
    commercial_contact: 'Micheal Toy',
    delivery_contact: 'Mrs. Lucy Runolfsdottir',
    ...audit(),
    ...o,
  }) as SourceRow,
  currency: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    currency_id: 1,
    currency_code: 'GBP',
    ...audit(),
    ...o,
  }) as SourceRow,
  department: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    department_id: 1,
    department_name: 'Sales',
    location: 'Manchester',
    manager: 'Richard Roma',
    ...audit(),
    ...o,
  }) as SourceRow,
  design: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    design_id: 8,
    design_name: 'Wooden',
    file_location: '/usr',
    file_name: 'wooden-20220717-npgz.json',
    ...audit(),
    ...o,
  }) as SourceRow,
  staff: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    staff_id: 1,
    first_name: 'Jeremie',
    last_name: 'Franey',
    department_id: 1,
    email_address: 'jeremie.franey@terrifictotes.com',
    ...audit(),
    ...o,
  }) as SourceRow,
  sales_order: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    sales_order_id: 2,
    design_id: 3,
    staff_id: 19,
    counterparty_id: 8,
    units_sold: 42972,
    unit_price: 394n,
    currency_id: 2,
    agreed_delivery_date: day('2022-11-07'),
    agreed_payment_date: day('2022-11-08'),
    agreed_delivery_location_id: 8,
    created_at: ts('2022-11-03 14:20:52.186'),
    last_updated: ts('2022-11-03 14:20:52.186'),
    ...o,
  }) as SourceRow,
  purchase_order: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    purchase_order_id: 1,
    staff_id: 12,
    counterparty_id: 11,
    item_code: 'ZDOI5EA',
    item_quantity: 371,
    item_unit_price: 36139n,
    currency_id: 2,
    agreed_delivery_date: day('2022-11-09'),
    agreed_payment_date: day('2022-11-07'),
    agreed_delivery_location_id: 6,
    created_at: ts('2022-11-03 14:20:52.187'),
    last_updated: ts('2022-11-03 14:20:52.187'),
    ...o,
  }) as SourceRow,
  payment_type: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    payment_type_id: 1,
    payment_type_name: 'SALES_RECEIPT',
    ...audit(),
    ...o,
  }) as SourceRow,
  transaction: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    transaction_id: 1,
    transaction_type: 'PURCHASE',
    sales_order_id: null,
    purchase_order_id: 2,
    ...audit('2022-11-03 14:20:52.186'),
    ...o,
  }) as SourceRow,
  payment: (o: Partial<Record<string, unknown>> = {}): SourceRow => ({
    payment_id: 2,
    transaction_id: 2,
    counterparty_id: 15,
    payment_amount: 55234n,
    currency_id: 2,
    payment_type_id: 3,
    paid: false,
    payment_date: day('2022-11-03'),
    company_ac_number: 67305075,
    counterparty_ac_number: 31622269,
    ...audit('2022-11-03 14:20:52.187'),
    ...o,
  }) as SourceRow,
};
