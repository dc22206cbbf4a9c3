/**
 * Reads one object's text twice, the way production reads it (byte fast path first, the
 * general path for lines it declines) and through the general path alone, so tests can
 * require the two to give the same rows and the same rejections.
 */
import { Buffer } from 'node:buffer';
import { LineSplitter, type LineSink } from '../../lambdas/core/objects/lines';
import { TableRowReader } from '../../lambdas/core/objects/table-row-reader';
import type { ParsedRow, RejectedRow } from '../../lambdas/core/objects/types';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';

const OBJECT_KEY = 'sales_order/0000000042_20241114T093012345.jsonl';

export interface PathResult {
  readonly rows: ParsedRow[];
  readonly rejected: RejectedRow[];
  /** Values of text columns that were JSON numbers (the reader's count). */
  readonly numbersAsText: number;
  /** Lines the byte fast path took (always 0 for the general path). */
  readonly fastLines: number;
}

/** Both ways of reading `text` (whole lines, `\n`-separated) as an object of `table`. */
export function readBothWays(table: SourceTableName, text: string): { fast: PathResult; general: PathResult } {
  return { fast: read(table, text, true), general: read(table, text, false) };
}

function read(table: SourceTableName, text: string, withFastPath: boolean): PathResult {
  const reader = new TableRowReader(OBJECT_KEY, SOURCE_TABLES[table]);
  let fastLines = 0;
  const sink: LineSink = {
    line: (lineText, start, end, lineNumber) => reader.line(lineText, start, end, lineNumber),
    invalidUtf8: (lineNumber, byteOffset, raw) => reader.invalidUtf8(lineNumber, byteOffset, raw),
    tooLong: (lineNumber, byteLength, limit, head) => reader.tooLong(lineNumber, byteLength, limit, head),
  };
  if (withFastPath) {
    sink.lineBytes = (bytes, start, end, lineNumber) => {
      const taken = reader.lineBytes(bytes, start, end, lineNumber);
      if (taken) fastLines++;
      return taken;
    };
  }
  const splitter = new LineSplitter(sink);
  splitter.push(Buffer.from(text, 'utf8'));
  splitter.end();
  reader.finish();
  const batch = reader.takeBatch();
  return { rows: [...batch.rows], rejected: [...batch.rejected], numbersAsText: batch.numbersAsText, fastLines };
}
