/**
 * Builders for the order side: sales and purchase orders, their transactions and
 * payments. Value ranges follow the real data: sales of 1,000–99,999 units at £2.00–£4.00,
 * purchases of 1–999 items at £1.00–£999.99, agreed dates up to a week after the order
 * (a rare order agreed months ahead), payment amount = units × unit price to the cent.
 */
import { dayOf, formatDay, formatTimestamp, parseDay } from './naive-time';
import type { Random } from './random';
import type { SourceRecord } from './source-json';

/** How many of each referenced thing exist, so generated ids always resolve. */
export interface ReferenceCounts {
  readonly staff: number;
  readonly counterparties: number;
  readonly currencies: number;
  readonly addresses: number;
}

const PAYMENT_TYPE = { SALES_RECEIPT: 1, SALES_REFUND: 2, PURCHASE_PAYMENT: 3, PURCHASE_REFUND: 4 } as const;

/** Share of payments that are refunds rather than receipts or payments. */
const REFUND_SHARE = 0.05;
/** Share of past-due payments already marked paid. */
const PAID_SHARE = 0.9;
/** Share of orders whose delivery was agreed months ahead (the real data's long tail). */
const FAR_DELIVERY_SHARE = 0.005;

function agreedDates(random: Random, createdMs: number): { agreed_delivery_date: string; agreed_payment_date: string } {
  const day = dayOf(createdMs);
  // Two uniforms summed: 0 and the last day are half as likely, as in the real data.
  const deliveryOffset = random.chance(FAR_DELIVERY_SHARE) ? random.int(8, 650) : Math.floor(random.float() + random.float() * 7);
  const paymentOffset = Math.floor(random.float() + random.float() * 6);
  return { agreed_delivery_date: formatDay(day + deliveryOffset), agreed_payment_date: formatDay(day + paymentOffset) };
}

export function salesOrderRow(random: Random, id: number, designCount: number, counts: ReferenceCounts, createdMs: number): SourceRecord {
  const created = formatTimestamp(createdMs);
  return {
    sales_order_id: id,
    design_id: random.int(1, designCount),
    staff_id: random.int(1, counts.staff),
    counterparty_id: random.int(1, counts.counterparties),
    units_sold: random.int(1000, 99_999),
    unit_price: BigInt(random.int(200, 400)),
    currency_id: random.int(1, counts.currencies),
    ...agreedDates(random, createdMs),
    agreed_delivery_location_id: random.int(1, counts.addresses),
    created_at: created,
    last_updated: created,
  };
}

export function purchaseOrderRow(random: Random, id: number, counts: ReferenceCounts, itemCode: string, createdMs: number): SourceRecord {
  const created = formatTimestamp(createdMs);
  return {
    purchase_order_id: id,
    staff_id: random.int(1, counts.staff),
    counterparty_id: random.int(1, counts.counterparties),
    item_code: itemCode,
    item_quantity: random.int(1, 999),
    item_unit_price: BigInt(random.int(100, 99_999)),
    currency_id: random.int(1, counts.currencies),
    ...agreedDates(random, createdMs),
    agreed_delivery_location_id: random.int(1, counts.addresses),
    created_at: created,
    last_updated: created,
  };
}

/** The transaction recording an order; created at the same moment as the order. */
export function transactionRow(id: number, order: SourceRecord): SourceRecord {
  const sale = 'sales_order_id' in order;
  return {
    transaction_id: id,
    transaction_type: sale ? 'SALE' : 'PURCHASE',
    sales_order_id: sale ? (order.sales_order_id as number) : null,
    purchase_order_id: sale ? null : (order.purchase_order_id as number),
    created_at: order.created_at!,
    last_updated: order.last_updated!,
  };
}

/** Units × unit price in cents: exact, in bigint. */
export function orderAmount(order: SourceRecord): bigint {
  return 'sales_order_id' in order
    ? BigInt(order.units_sold as number) * (order.unit_price as bigint)
    : BigInt(order.item_quantity as number) * (order.item_unit_price as bigint);
}

/**
 * The payment for a transaction: the order's amount, counterparty and currency; paid
 * (mostly) once its date is on or before `today`; dated on or a few days around the
 * agreed payment date, never before the order.
 */
export function paymentRow(random: Random, id: number, transaction: SourceRecord, order: SourceRecord, today: number): SourceRecord {
  const sale = transaction.transaction_type === 'SALE';
  const refund = random.chance(REFUND_SHARE);
  const paymentType = sale
    ? refund
      ? PAYMENT_TYPE.SALES_REFUND
      : PAYMENT_TYPE.SALES_RECEIPT
    : refund
      ? PAYMENT_TYPE.PURCHASE_REFUND
      : PAYMENT_TYPE.PURCHASE_PAYMENT;
  const agreed = parseDay(order.agreed_payment_date as string);
  const offset = random.chance(0.7) ? 0 : random.int(-3, 5);
  const paymentDay = Math.max(agreed + offset, parseDay((order.created_at as string).slice(0, 10)));
  return {
    payment_id: id,
    transaction_id: transaction.transaction_id!,
    counterparty_id: order.counterparty_id!,
    payment_amount: orderAmount(order),
    currency_id: order.currency_id!,
    payment_type_id: paymentType,
    paid: paymentDay <= today && random.chance(PAID_SHARE),
    payment_date: formatDay(paymentDay),
    company_ac_number: random.int(10_000_000, 99_999_999),
    counterparty_ac_number: random.int(10_000_000, 99_999_999),
    created_at: transaction.created_at!,
    last_updated: transaction.last_updated!,
  };
}
