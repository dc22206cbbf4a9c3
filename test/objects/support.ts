/**
 * Helpers for the ingestion tests: real-shaped source rows (copied from the November 2024
 * reference dump; payment, absent from it, built to CONTRACT.md §1), line builders, and a reader
 * that drains `readIngestionObject` into plain arrays.
 */
import { Buffer } from 'node:buffer';
import { type ReadObjectOptions, readIngestionObject } from '../../lambdas/core/objects';
import type { ParsedRow, RejectedRow, RowBatch } from '../../lambdas/core/objects/types';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';

export const SAMPLE_LINES = {
  sales_order:
    '{"sales_order_id": 2, "created_at": "2022-11-03T14:20:52.186000", "last_updated": "2022-11-03T14:20:52.186000", "design_id": 3, "staff_id": 19, "counterparty_id": 8, "units_sold": 42972, "unit_price": 3.94, "currency_id": 2, "agreed_delivery_date": "2022-11-07", "agreed_payment_date": "2022-11-08", "agreed_delivery_location_id": 8}',
  purchase_order:
    '{"purchase_order_id": 21, "created_at": "2022-11-11T14:25:10.197000", "last_updated": "2022-11-11T14:25:10.197000", "staff_id": 4, "counterparty_id": 20, "item_code": "T67H77C", "item_quantity": 385, "item_unit_price": 593.0, "currency_id": 2, "agreed_delivery_date": "2022-11-14", "agreed_payment_date": "2022-11-17", "agreed_delivery_location_id": 30}',
  address:
    '{"address_id": 1, "address_line_1": "6826 Herzog Via", "address_line_2": null, "district": "Avon", "city": "New Patienceburgh", "postal_code": "28441", "country": "Turkey", "phone": "1803 637401", "created_at": "2022-11-03T14:20:49.962000", "last_updated": "2022-11-03T14:20:49.962000"}',
  currency:
    '{"currency_id": 1, "currency_code": "GBP", "created_at": "2022-11-03T14:20:49.962000", "last_updated": "2022-11-03T14:20:49.962000"}',
  payment_type:
    '{"payment_type_id": 1, "payment_type_name": "SALES_RECEIPT", "created_at": "2022-11-03T14:20:49.962000", "last_updated": "2022-11-03T14:20:49.962000"}',
  transaction:
    '{"transaction_id": 3, "transaction_type": "SALE", "sales_order_id": 1, "purchase_order_id": null, "created_at": "2022-11-03T14:20:52.186000", "last_updated": "2022-11-03T14:20:52.186000"}',
  payment:
    '{"payment_id": 2, "created_at": "2022-11-03 14:20:52.187", "last_updated": "2022-11-03 14:20:52.187", "transaction_id": 2, "counterparty_id": 15, "payment_amount": "552548.62", "currency_id": 2, "payment_type_id": 3, "paid": "f", "payment_date": "2022-11-04", "company_ac_number": 67305075, "counterparty_ac_number": 31622269}',
} satisfies Partial<Record<SourceTableName, string>>;

export type SampleTable = keyof typeof SAMPLE_LINES;

/**
 * A sample line with some values replaced; each override is raw JSON text (so `2.0`,
 * `"t"` or `null` can be written exactly), `undefined` drops the key.
 */
export function sampleLine(table: SampleTable, overrides: Record<string, string | undefined> = {}): string {
  const base = JSON.parse(SAMPLE_LINES[table]) as Record<string, unknown>;
  const entries: string[] = [];
  for (const [key, value] of Object.entries(base)) {
    if (key in overrides) {
      const raw = overrides[key];
      if (raw !== undefined) entries.push(`${JSON.stringify(key)}: ${raw}`);
    } else {
      // Numbers are re-read from the sample text so their literals stay as written.
      entries.push(`${JSON.stringify(key)}: ${rawLiteral(SAMPLE_LINES[table], key) ?? JSON.stringify(value)}`);
    }
  }
  for (const [key, raw] of Object.entries(overrides)) {
    if (!(key in base) && raw !== undefined) entries.push(`${JSON.stringify(key)}: ${raw}`);
  }
  return `{${entries.join(', ')}}`;
}

function rawLiteral(line: string, key: string): string | undefined {
  const match = new RegExp(`"${key}": (-?[0-9][0-9.eE+-]*)`).exec(line);
  return match?.[1];
}

/** The body in chunks of `size` bytes (1 splits every multi-byte character). */
async function* chunked(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    yield bytes.subarray(offset, Math.min(bytes.length, offset + size));
  }
}

export interface ReadResult {
  readonly rows: ParsedRow[];
  readonly rejected: RejectedRow[];
  readonly batches: RowBatch[];
}

export async function readAll(
  body: string | Uint8Array | AsyncIterable<Uint8Array>,
  options: Partial<Omit<ReadObjectOptions, 'table'>> & { table?: ReadObjectOptions['table'] | SourceTableName; chunkSize?: number } = {},
): Promise<ReadResult> {
  const { chunkSize, table = 'sales_order', ...rest } = options;
  const iterable =
    typeof body === 'string' || body instanceof Uint8Array
      ? chunked(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, chunkSize)
      : body;
  const result: ReadResult = { rows: [], rejected: [], batches: [] };
  for await (const batch of readIngestionObject(iterable, {
    objectKey: 'sales_order/0000000042_20241114T093012345.jsonl',
    gzip: false,
    ...rest,
    table: typeof table === 'string' ? SOURCE_TABLES[table] : table,
  })) {
    result.batches.push(batch);
    result.rows.push(...batch.rows);
    result.rejected.push(...batch.rejected);
  }
  return result;
}

/** Reads `lines` of `table` and returns the one outcome: the typed row or the rejection. */
export async function readOne(table: SampleTable, line: string) {
  const { rows, rejected } = await readAll(`${line}\n`, { table });
  return { row: rows[0]?.row, rejection: rejected[0] };
}
