/**
 * Reads one ingestion object (CONTRACT.md §2) as a stream: bytes → (gunzip) → lines → flat JSON
 * → validated, typed rows of the object's source table, plus rejected rows.
 *
 * Memory is bounded by a chunk, the longest accepted line and one batch; the object is
 * never held whole. A BadObjectError may come after batches have been yielded (drift on
 * a late line, corrupt gzip near the end, not JSON Lines known only at the end): the
 * caller must publish nothing of an object until the generator has finished.
 */
import type { SourceTableDefinition } from '../schema/source-tables';
import { decompressedBytes } from './decompress';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lines';
import { type RowValuesSink, TableRowReader } from './table-row-reader';
import type { RowBatch } from './types';

export interface ReadObjectOptions {
  /** The object's key, for error messages and rejections. */
  readonly objectKey: string;
  readonly table: SourceTableDefinition;
  /** From the key suffix (`.jsonl.gz`); gzip magic bytes are also recognised without it. */
  readonly gzip: boolean;
  /** Longer lines are rejected rows, skipped without buffering them. Default 1 MiB. */
  readonly maxLineBytes?: number;
  /**
   * Takes each valid row as its values in the table's column order, as it is read, instead
   * of `rows` in the batches (no object per row: the transform's hot path). The array is
   * reused for the next row.
   */
  readonly onRowValues?: RowValuesSink;
}

/** A batch is yielded once at least this many rows and rejections are collected (and at the end). */
const BATCH_ITEMS = 1024;

export async function* readIngestionObject(body: AsyncIterable<Uint8Array>, options: ReadObjectOptions): AsyncGenerator<RowBatch> {
  const reader = new TableRowReader(options.objectKey, options.table, options.onRowValues);
  const splitter = new LineSplitter(reader, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  for await (const chunk of decompressedBytes(body, options.gzip, options.objectKey)) {
    splitter.push(chunk);
    if (reader.collected >= BATCH_ITEMS) yield reader.takeBatch();
  }
  splitter.end();
  reader.finish();
  if (reader.collected > 0) yield reader.takeBatch();
}
