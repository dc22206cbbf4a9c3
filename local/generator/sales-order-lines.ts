/**
 * A fast, memory-bounded stream of sales_order JSON Lines for benchmarks: a million rows
 * (~340 MB) in a few seconds, in chunks of a few thousand lines, never the whole body in
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
/** `{"sales_order_id": `, `, "design_id": `, …: the bytes before each value, from the table definition. */
const keyBytes = columns.map((definition, index) => ascii(`${index === 0 ? '{' : ', '}${JSON.stringify(definition.name)}: `));
const priceBytes = Array.from({ length: MAX_PRICE_CENTS - MIN_PRICE_CENTS + 1 }, (_, offset) =>
  ascii(formatMoney(MIN_PRICE_CENTS + offset)),
);
/** Longest value: a quoted timestamp with a fraction. */
const MAX_VALUE_BYTES = 28;
const MAX_LINE_BYTES = keyBytes.reduce((sum, key) => sum + key.length + MAX_VALUE_BYTES, 0) + 2;

const ZERO = 0x30;
const QUOTE = 0x22;

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

/**
 * An ASCII line builder over a byte array. Bytes go straight into the chunk: building
 * strings and encoding them costs several times more (ropes to flatten, garbage).
 */
class AsciiChunk {
  readonly bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  copy(source: Uint8Array): void {
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < source.length; i += 1) bytes[at++] = source[i]!;
    this.length = at;
  }

  byte(value: number): void {
    this.bytes[this.length++] = value;
  }

  /** A non-negative integer in decimal. */
  integer(value: number): void {
    let width = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) width += 1;
    this.padded(value, width);
  }

  /** The last `width` decimal digits of a non-negative integer, zero-padded. */
  padded(value: number, width: number): void {
    const bytes = this.bytes;
    for (let i = this.length + width - 1; i >= this.length; i -= 1) {
      bytes[i] = ZERO + (value % 10);
      value = Math.floor(value / 10);
    }
    this.length += width;
  }
}

/**
 * JSON Lines chunks as Buffers (each a whole number of lines, each line ending in `\n`).
 */
export function* generateSalesOrderLines(options: SalesOrderLinesOptions): Generator<Buffer> {
  const { seed, rows, firstId = 1, linesPerChunk = 4096 } = options;
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`rows must be a whole number, got ${rows}`);
  if (!Number.isSafeInteger(linesPerChunk) || linesPerChunk < 1) throw new Error('linesPerChunk must be at least 1');
  const random = Random.of(seed, 'sales-order-lines');
  const days = new Map<number, Uint8Array>();
  /** `"YYYY-MM-DD"` with its quotes; a timestamp uses all but the closing quote. */
  const quotedDay = (day: number): Uint8Array => {
    let bytes = days.get(day);
    if (bytes === undefined) days.set(day, (bytes = ascii(`"${formatDay(day)}"`)));
    return bytes;
  };
  const timestamp = new AsciiChunk(MAX_VALUE_BYTES);
  const { designs, staff, counterparties, addresses } = REAL_DATA_SIZES;
  const currencies = CURRENCY_CODES.length;
  const order = columns.map((definition) => definition.name);
  let createdMs = FIRST_CREATED;
  let id = firstId;
  for (let written = 0; written < rows; ) {
    const lines = Math.min(linesPerChunk, rows - written);
    const chunk = new AsciiChunk(lines * MAX_LINE_BYTES);
    for (let line = 0; line < lines; line += 1) {
      createdMs += random.int(0, MAX_GAP_MS);
      const day = Math.floor(createdMs / MS_PER_DAY);
      const msOfDay = createdMs - day * MS_PER_DAY;
      const seconds = Math.floor(msOfDay / 1000);
      // Like the dump (Python isoformat): microseconds, or no fraction at all when zero.
      timestamp.length = 0;
      timestamp.copy(quotedDay(day).subarray(0, 11));
      timestamp.byte(0x54); // T
      timestamp.padded(Math.floor(seconds / 3600), 2);
      timestamp.byte(0x3a); // :
      timestamp.padded(Math.floor(seconds / 60) % 60, 2);
      timestamp.byte(0x3a);
      timestamp.padded(seconds % 60, 2);
      if (msOfDay % 1000 !== 0) {
        timestamp.byte(0x2e); // .
        timestamp.padded((msOfDay % 1000) * 1000, 6);
      }
      timestamp.byte(QUOTE);
      const stamp = timestamp.bytes.subarray(0, timestamp.length);
      for (let index = 0; index < order.length; index += 1) {
        chunk.copy(keyBytes[index]!);
        switch (order[index]) {
          case 'sales_order_id':
            chunk.integer(id);
            break;
          case 'design_id':
            chunk.integer(random.int(1, designs));
            break;
          case 'staff_id':
            chunk.integer(random.int(1, staff));
            break;
          case 'counterparty_id':
            chunk.integer(random.int(1, counterparties));
            break;
          case 'units_sold':
            chunk.integer(random.int(1000, 99_999));
            break;
          case 'unit_price':
            chunk.copy(priceBytes[random.int(0, priceBytes.length - 1)]!);
            break;
          case 'currency_id':
            chunk.integer(random.int(1, currencies));
            break;
          case 'agreed_delivery_date':
            chunk.copy(quotedDay(day + Math.floor(random.float() + random.float() * 7)));
            break;
          case 'agreed_payment_date':
            chunk.copy(quotedDay(day + Math.floor(random.float() + random.float() * 6)));
            break;
          case 'agreed_delivery_location_id':
            chunk.integer(random.int(1, addresses));
            break;
          case 'created_at':
          case 'last_updated':
            chunk.copy(stamp);
            break;
          default:
            throw new Error(`sales-order-lines: no generator for column "${order[index]}"`);
        }
      }
      chunk.byte(0x7d); // }
      chunk.byte(0x0a); // \n
      id += 1;
    }
    written += lines;
    yield Buffer.from(chunk.bytes.buffer, 0, chunk.length);
  }
}
