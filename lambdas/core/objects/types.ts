/**
 * What reading an ingestion object yields: validated, typed rows (see CellValue) and
 * rejections; or, for an object that cannot be processed at all, a BadObjectError.
 */
import type { CellValue } from '../schema/column-types';
import { PipelineError } from '../errors';

/** A validated source row: column name → typed value, for every column of the table. */
export type SourceRow = Readonly<Record<string, CellValue>>;

export interface ParsedRow {
  /** 1-based line number in the (decompressed) object. */
  readonly line: number;
  readonly row: SourceRow;
}

/** A row that failed validation. Written to the rejected-rows object; never fatal. */
export interface RejectedRow {
  readonly objectKey: string;
  readonly line: number;
  /** The offending column, when the problem is one column's value. */
  readonly column?: string;
  readonly reason: string;
  /** The raw line, truncated to a readable length. */
  readonly raw?: string;
}

/** Rows and rejections read from one stretch of the object, in line order. */
export interface RowBatch {
  /** The valid rows, unless they went to the reader's `onRowValues` sink (then empty). */
  readonly rows: readonly ParsedRow[];
  /** Valid rows read in this batch, collected in `rows` or given to the sink. */
  readonly rowCount: number;
  readonly rejected: readonly RejectedRow[];
  /**
   * Values in these rows that were JSON numbers in a text column, kept as their literal
   * text (CONTRACT.md §2: `"phone": 1803637401` is `"1803637401"`). Worth watching: a dump that
   * types text as numbers may also have lost leading zeros upstream.
   */
  readonly numbersAsText: number;
}

/**
 * The object as a whole cannot be processed (not gzip, not UTF-8 text, not JSON Lines,
 * schema drift). Nothing of it may be published.
 */
export class BadObjectError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(
    readonly objectKey: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    const where = [line === undefined ? '' : `line ${line}`, column === undefined ? '' : `column "${column}"`].filter(Boolean).join(', ');
    super(`cannot process ingestion object "${objectKey}"${where ? ` (${where})` : ''}: ${reason}`);
    this.name = 'BadObjectError';
  }
}
