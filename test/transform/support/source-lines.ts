/**
 * Source rows as they appear in ingestion objects (JSON values, timestamps as text), with
 * defaults taken from the real totesys data.
 */
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';

const at = '2022-11-03T14:20:49.962000';

const DEFAULTS: Record<SourceTableName, Record<string, unknown>> = {
  address: {
    address_id: 1,
    address_line_1: '6826 Herzog Via',
    address_line_2: null,
    district: 'Avon',
    city: 'New Patienceburgh',
    postal_code: '28441',
    country: 'Turkey',
    phone: '1803 637401',
    created_at: at,
    last_updated: at,
  },
  counterparty: {
    counterparty_id: 1,
    counterparty_legal_name: 'Fahey and Sons',
    legal_address_id: 1,
    commercial_contact: 'Micheal Toy',
    delivery_contact: 'Mrs. Lucy Runolfsdottir',
    created_at: at,
    last_updated: at,
  },
  currency: { currency_id: 1, currency_code: 'GBP', created_at: at, last_updated: at },
  department: {
    department_id: 1,
    department_name: 'Sales',
    location: 'Manchester',
    manager: 'Richard Roma',
    created_at: at,
    last_updated: at,
  },
  design: {
    design_id: 8,
    design_name: 'Wooden',
    file_location: '/usr',
    file_name: 'wooden-20220717-npgz.json',
    created_at: at,
    last_updated: at,
  },
  staff: {
    staff_id: 1,
    first_name: 'Jeremie',
    last_name: 'Franey',
    department_id: 1,
    email_address: 'jeremie.franey@terrifictotes.com',
    created_at: at,
    last_updated: at,
  },
  sales_order: {
    sales_order_id: 2,
    created_at: '2022-11-03T14:20:52.186000',
    last_updated: '2022-11-03T14:20:52.186000',
    design_id: 3,
    staff_id: 19,
    counterparty_id: 8,
    units_sold: 42972,
    unit_price: 3.94,
    currency_id: 2,
    agreed_delivery_date: '2022-11-07',
    agreed_payment_date: '2022-11-08',
    agreed_delivery_location_id: 8,
  },
  purchase_order: {
    purchase_order_id: 1,
    created_at: '2022-11-03T14:20:52.187000',
    last_updated: '2022-11-03T14:20:52.187000',
    staff_id: 12,
    counterparty_id: 11,
    item_code: 'ZDOI5EA',
    item_quantity: 371,
    item_unit_price: 361.39,
    currency_id: 2,
    agreed_delivery_date: '2022-11-09',
    agreed_payment_date: '2022-11-07',
    agreed_delivery_location_id: 6,
  },
  payment_type: { payment_type_id: 1, payment_type_name: 'SALES_RECEIPT', created_at: at, last_updated: at },
  transaction: {
    transaction_id: 1,
    transaction_type: 'PURCHASE',
    sales_order_id: null,
    purchase_order_id: 2,
    created_at: '2022-11-03T14:20:52.186000',
    last_updated: '2022-11-03T14:20:52.186000',
  },
  payment: {
    payment_id: 2,
    created_at: '2022-11-03T14:20:52.187000',
    last_updated: '2022-11-03T14:20:52.187000',
    transaction_id: 2,
    counterparty_id: 15,
    payment_amount: 552548.62,
    currency_id: 2,
    payment_type_id: 3,
    paid: false,
    payment_date: '2022-11-03',
    company_ac_number: 67305075,
    counterparty_ac_number: 31622269,
  },
};

export function line(table: SourceTableName, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...DEFAULTS[table], ...overrides };
}

/** A JSON line with some values written as raw JSON text (e.g. `2.0`, `"12.30"`). */
export function rawLine(table: SourceTableName, overrides: Record<string, unknown>, raw: Record<string, string>): string {
  const values = line(table, overrides);
  for (const column of Object.keys(raw)) delete values[column];
  const parts = Object.entries(raw).map(([column, text]) => `"${column}": ${text}`);
  return `${JSON.stringify(values).slice(0, -1)}, ${parts.join(', ')}}`;
}
