/**
 * The eleven tables of the totesys OLTP database (CONTRACT.md §1), as they arrive in ingestion
 * objects. Every table also carries `created_at` and `last_updated`, added below.
 */
import { type ColumnDefinition, boolean, date, integer, money, oneOf, text, timestamp, varchar } from './column-types';

export interface SourceTableDefinition {
  readonly name: SourceTableName;
  readonly primaryKey: string;
  readonly columns: readonly ColumnDefinition[];
}

export const SOURCE_TABLE_NAMES = [
  'address',
  'counterparty',
  'currency',
  'department',
  'design',
  'staff',
  'sales_order',
  'purchase_order',
  'payment_type',
  'transaction',
  'payment',
] as const;

export type SourceTableName = (typeof SOURCE_TABLE_NAMES)[number];

const auditColumns: readonly ColumnDefinition[] = [
  { name: 'created_at', type: timestamp },
  { name: 'last_updated', type: timestamp },
];

function table(name: SourceTableName, columns: readonly ColumnDefinition[]): SourceTableDefinition {
  return { name, primaryKey: columns[0]!.name, columns: [...columns, ...auditColumns] };
}

const nullable = (column: ColumnDefinition): ColumnDefinition => ({ ...column, nullable: true });

export const SOURCE_TABLES: Readonly<Record<SourceTableName, SourceTableDefinition>> = {
  address: table('address', [
    { name: 'address_id', type: integer },
    { name: 'address_line_1', type: text },
    nullable({ name: 'address_line_2', type: text }),
    nullable({ name: 'district', type: text }),
    { name: 'city', type: text },
    { name: 'postal_code', type: text },
    { name: 'country', type: text },
    { name: 'phone', type: text },
  ]),
  counterparty: table('counterparty', [
    { name: 'counterparty_id', type: integer },
    { name: 'counterparty_legal_name', type: text },
    { name: 'legal_address_id', type: integer },
    nullable({ name: 'commercial_contact', type: text }),
    nullable({ name: 'delivery_contact', type: text }),
  ]),
  currency: table('currency', [
    { name: 'currency_id', type: integer },
    { name: 'currency_code', type: varchar(3) },
  ]),
  department: table('department', [
    { name: 'department_id', type: integer },
    { name: 'department_name', type: text },
    nullable({ name: 'location', type: text }),
    nullable({ name: 'manager', type: text }),
  ]),
  design: table('design', [
    { name: 'design_id', type: integer },
    { name: 'design_name', type: text },
    { name: 'file_location', type: text },
    { name: 'file_name', type: text },
  ]),
  staff: table('staff', [
    { name: 'staff_id', type: integer },
    { name: 'first_name', type: text },
    { name: 'last_name', type: text },
    { name: 'department_id', type: integer },
    { name: 'email_address', type: text },
  ]),
  sales_order: table('sales_order', [
    { name: 'sales_order_id', type: integer },
    { name: 'design_id', type: integer },
    { name: 'staff_id', type: integer },
    { name: 'counterparty_id', type: integer },
    { name: 'units_sold', type: integer },
    { name: 'unit_price', type: money },
    { name: 'currency_id', type: integer },
    { name: 'agreed_delivery_date', type: date },
    { name: 'agreed_payment_date', type: date },
    { name: 'agreed_delivery_location_id', type: integer },
  ]),
  purchase_order: table('purchase_order', [
    { name: 'purchase_order_id', type: integer },
    { name: 'staff_id', type: integer },
    { name: 'counterparty_id', type: integer },
    { name: 'item_code', type: text },
    { name: 'item_quantity', type: integer },
    { name: 'item_unit_price', type: money },
    { name: 'currency_id', type: integer },
    { name: 'agreed_delivery_date', type: date },
    { name: 'agreed_payment_date', type: date },
    { name: 'agreed_delivery_location_id', type: integer },
  ]),
  payment_type: table('payment_type', [
    { name: 'payment_type_id', type: integer },
    {
      name: 'payment_type_name',
      type: oneOf('SALES_RECEIPT', 'SALES_REFUND', 'PURCHASE_PAYMENT', 'PURCHASE_REFUND'),
    },
  ]),
  transaction: table('transaction', [
    { name: 'transaction_id', type: integer },
    { name: 'transaction_type', type: oneOf('SALE', 'PURCHASE') },
    nullable({ name: 'sales_order_id', type: integer }),
    nullable({ name: 'purchase_order_id', type: integer }),
  ]),
  payment: table('payment', [
    { name: 'payment_id', type: integer },
    { name: 'transaction_id', type: integer },
    { name: 'counterparty_id', type: integer },
    { name: 'payment_amount', type: money },
    { name: 'currency_id', type: integer },
    { name: 'payment_type_id', type: integer },
    { name: 'paid', type: boolean },
    { name: 'payment_date', type: date },
    { name: 'company_ac_number', type: integer },
    { name: 'counterparty_ac_number', type: integer },
  ]),
};

export function isSourceTableName(name: string): name is SourceTableName {
  return (SOURCE_TABLE_NAMES as readonly string[]).includes(name);
}
