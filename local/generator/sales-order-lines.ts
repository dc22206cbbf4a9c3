/**
 * A fast, memory-bounded stream of sales_order JSON Lines for benchmarks: a million rows
 * in a couple of seconds, in chunks of a few thousand lines, never the whole body in
 * memory. Values follow the same ranges as the dataset generator (see order-rows.ts) and
 * the same text form as source-json.ts (money in Python float form, timestamps with six
 * fractional digits or none); ids run from `firstId`, creation times rise row by row.
 */
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';
import { MS_PER_DAY, formatDay } from './naive-time';
import { Random } from './random';
import { formatMoney } from './source-json';
import { REAL_DATA_SIZES } from './dataset';
import { CURRENCY_CODES } from './word-lists';

export interface SalesOrderLinesOptions {
  readonly seed: number;
  readonly rows: number;
  /** The first sales_order_id. Default 1. */
  readonly firstId?: number;
  /** Lines per yielded chunk. Default 4096. */
  readonly linesPerChunk?: number;
}

const FIRST_CREATED = Date.UTC(2022, 10, 3, 14, 20, 52, 186);
/** Up to two minutes between orders: a million orders span about two years. */
const MAX_GAP_MS = 120_000;
const MIN_PRICE_CENTS = 200;
const MAX_PRICE_CENTS = 400;

const columns = SOURCE_TABLES.sales_order.columns;
const column = Object.fromEntries(columns.map((definition, index) => [definition.name, index])) as Record<string, number>;
/** `{"sales_order_id": `, `, "design_id": `, …: the text before each value, from the table definition. */
const keyTexts = columns.map((definition, index) => `${index === 0 ? '{' : ', '}${JSON.stringify(definition.name)}: `);
const priceTexts = Array.from({ length: MAX_PRICE_CENTS - MIN_PRICE_CENTS + 1 }, (_, offset) => formatMoney(MIN_PRICE_CENTS + offset));
const twoDigits = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));
const threeDigits = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'));
/** Longest line: the keys, 7 int32s, 2 quoted dates, 2 quoted timestamps, a price and `}\n`. */
const MAX_LINE_BYTES = keyTexts.reduce((sum, key) => sum + key.length, 0) + 7 * 11 + 2 * 12 + 2 * 28 + 12 + 2;

/**
 * JSON Lines chunks as Buffers (each a whole number of lines, each line ending in `\n`).
 * Each line goes straight into the chunk's buffer (it is ASCII): accumulating a chunk as
 * one string would spend most of the time collecting garbage.
 */
export function* generateSalesOrderLines(options: SalesOrderLinesOptions): Generator<Buffer> {
  const { seed, rows, firstId = 1, linesPerChunk = 4096 } = options;
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`rows must be a whole number, got ${rows}`);
  if (!Number.isSafeInteger(linesPerChunk) || linesPerChunk < 1) throw new Error('linesPerChunk must be at least 1');
  const random = Random.of(seed, 'sales-order-lines');
  const dayTexts = new Map<number, string>();
  const dayText = (day: number): string => {
    let text = dayTexts.get(day);
    if (text === undefined) dayTexts.set(day, (text = `"${formatDay(day)}"`));
    return text;
  };
  const values = new Array<string>(columns.length).fill('');
  let createdMs = FIRST_CREATED;
  for (let written = 0; written < rows; ) {
    const lines = Math.min(linesPerChunk, rows - written);
    const buffer = Buffer.allocUnsafe(lines * MAX_LINE_BYTES);
    let position = 0;
    for (let index = 0; index < lines; index += 1) {
      createdMs += random.int(0, MAX_GAP_MS);
      const day = Math.floor(createdMs / MS_PER_DAY);
      const msOfDay = createdMs - day * MS_PER_DAY;
      const seconds = Math.floor(msOfDay / 1000);
      const fraction = msOfDay % 1000;
      // Like the dump (Python isoformat): microseconds, or no fraction at all when zero.
      const timestamp =
        `${dayText(day).slice(0, -1)}T${twoDigits[Math.floor(seconds / 3600)]}:${twoDigits[Math.floor(seconds / 60) % 60]}:` +
        `${twoDigits[seconds % 60]}${fraction === 0 ? '' : `.${threeDigits[fraction]}000`}"`;
      values[column.sales_order_id!] = String(firstId + written + index);
      values[column.design_id!] = String(random.int(1, REAL_DATA_SIZES.designs));
      values[column.staff_id!] = String(random.int(1, REAL_DATA_SIZES.staff));
      values[column.counterparty_id!] = String(random.int(1, REAL_DATA_SIZES.counterparties));
      values[column.units_sold!] = String(random.int(1000, 99_999));
      values[column.unit_price!] = priceTexts[random.int(0, priceTexts.length - 1)]!;
      values[column.currency_id!] = String(random.int(1, CURRENCY_CODES.length));
      values[column.agreed_delivery_date!] = dayText(day + Math.floor(random.float() + random.float() * 7));
      values[column.agreed_payment_date!] = dayText(day + Math.floor(random.float() + random.float() * 6));
      values[column.agreed_delivery_location_id!] = String(random.int(1, REAL_DATA_SIZES.addresses));
      values[column.created_at!] = timestamp;
      values[column.last_updated!] = timestamp;
      let line = '';
      for (let at = 0; at < values.length; at += 1) line += keyTexts[at]! + values[at]!;
      position += buffer.write(`${line}}\n`, position, 'latin1');
    }
    written += lines;
    yield buffer.subarray(0, position);
  }
}
