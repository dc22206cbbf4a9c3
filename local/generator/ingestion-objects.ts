/**
 * Landing generated rows as ingestion objects (CONTRACT.md §2), exactly as the upstream job
 * would: one JSON Lines object per table per run that found changes, keyed
 * `[prefix/]<table>/<10-digit sequence>_<newest last_updated as YYYYMMDDTHHMMSSmmm>.jsonl[.gz]`
 * (the key format is layout.ts's `ingestionKey`), sequences per table from 1.
 */
import { gzipSync } from 'node:zlib';
import { ingestionKey, parseIngestionKey } from '../../lambdas/core/layout';
import type { ObjectStore } from '../../lambdas/core/ports';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import type { ChangeSet } from './dataset';
import { formatWatermark, parseTimestamp } from './naive-time';
import { Random } from './random';
import { type SourceRecord, serializeRows } from './source-json';

export interface IngestionObjectOptions {
  /** Gzip the body and key it `.jsonl.gz`. */
  readonly gzip?: boolean;
  /** Key prefix in the ingestion bucket (`''`, `landing` or `landing/`). */
  readonly prefix?: string;
  /** The watermark of an object with no rows (a row-less object has no newest last_updated). */
  readonly emptyWatermark?: string;
  /**
   * Write values in a seeded mix of every form CONTRACT.md §2 accepts (see source-json.ts) rather
   * than the dump's one form: same values, other text. The number seeds the mix.
   */
  readonly mixedEncodings?: number;
}

export interface IngestionObject {
  readonly key: string;
  readonly table: SourceTableName;
  readonly sequence: number;
  readonly watermark: string;
  readonly rows: number;
  /** The object's bytes: gzip-compressed when the key ends `.gz`. */
  readonly body: Uint8Array;
}

/** The newest last_updated of the rows as `YYYYMMDDTHHMMSSmmm`. */
function watermarkOf(rows: readonly SourceRecord[]): string {
  if (rows.length === 0) throw new Error('rows are needed for a watermark');
  let newest = -Infinity;
  for (const row of rows) newest = Math.max(newest, parseTimestamp(row.last_updated as string));
  return formatWatermark(newest);
}

/** One ingestion object holding `rows` of `table` as object number `sequence`. */
export function toIngestionObject(
  table: SourceTableName,
  rows: readonly SourceRecord[],
  sequence: number,
  options: IngestionObjectOptions = {},
): IngestionObject {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new Error(`sequence must be a whole number from 1, got ${sequence}`);
  let watermark: string;
  if (rows.length > 0) watermark = watermarkOf(rows);
  else if (options.emptyWatermark !== undefined) watermark = options.emptyWatermark;
  else throw new Error(`an empty ${table} object needs options.emptyWatermark`);
  const mixed = options.mixedEncodings === undefined ? undefined : Random.of(options.mixedEncodings, 'encodings', table, sequence);
  const text = Buffer.from(serializeRows(table, rows, mixed), 'utf8');
  const body = options.gzip ? gzipSync(text) : text;
  return {
    key: `${normalisePrefix(options.prefix)}${ingestionKey(table, sequence, watermark, options.gzip ?? false)}`,
    table,
    sequence,
    watermark,
    rows: rows.length,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
  };
}

/**
 * Writes ingestion objects to a store, numbering each table's objects on from the highest
 * sequence already in the store (so local mode can be restarted over an existing bucket).
 */
export class IngestionObjectWriter {
  private readonly nextSequences = new Map<SourceTableName, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: Omit<IngestionObjectOptions, 'emptyWatermark'> = {},
  ) {}

  /** One object per table that has rows, in SOURCE_TABLE_NAMES order. */
  async write(changes: ChangeSet): Promise<IngestionObject[]> {
    const written: IngestionObject[] = [];
    for (const table of SOURCE_TABLE_NAMES) {
      const object = await this.writeTable(table, changes.tables[table]);
      if (object !== undefined) written.push(object);
    }
    return written;
  }

  /** Writes the rows as the table's next object; nothing (undefined) when there are no rows. */
  async writeTable(table: SourceTableName, rows: readonly SourceRecord[]): Promise<IngestionObject | undefined> {
    if (rows.length === 0) return undefined;
    const sequence = await this.nextSequence(table);
    const object = toIngestionObject(table, rows, sequence, this.options);
    await this.store.put(object.key, object.body, {
      contentType: 'application/x-ndjson',
      ...(this.options.gzip ? { metadata: { 'content-encoding': 'gzip' } } : {}),
    });
    this.nextSequences.set(table, sequence + 1);
    return object;
  }

  private async nextSequence(table: SourceTableName): Promise<number> {
    const known = this.nextSequences.get(table);
    if (known !== undefined) return known;
    let highest = 0;
    for await (const { key } of this.store.list(`${normalisePrefix(this.options.prefix)}${table}/`)) {
      try {
        const parsed = parseIngestionKey(key);
        if (parsed.table === table) highest = Math.max(highest, parsed.sequence);
      } catch {
        // Not an ingestion object (a stray file): it takes no sequence number.
      }
    }
    return highest + 1;
  }
}

function normalisePrefix(prefix = ''): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}
