/**
 * Turns the lines of one ingestion object into validated rows and rejections for one
 * source table, collecting them until the caller takes a batch.
 *
 * The order of checks on a line decides what a fault means:
 * 1. Blank (whitespace-only) lines are skipped; they still count for line numbers.
 * 2. The line must be a flat JSON object (see flat-json.ts); if not, it is a bad row.
 *    A line we cannot read tells us nothing about the schema, so it is never drift.
 * 3. Its keys must be exactly the table's columns. An unknown or missing key is schema
 *    drift: a BadObjectError for the whole object, even if a value is also bad.
 * 4. Each value must be valid for its column (column-validators.ts), else a bad row.
 *
 * And for the object as a whole: when it has non-blank lines but not one of them is a
 * JSON object, it is not JSON Lines at all (a BadObjectError from `finish`).
 */
import type { Buffer } from 'node:buffer';
import type { CellValue } from '../schema/column-types';
import type { SourceTableDefinition } from '../schema/source-tables';
import { AsciiRowParser } from './ascii-row-parser';
import { type ColumnValidator, columnValidator } from './column-validators';
import { FlatJsonRowParser, isJsonWhitespace, NUMBER_VALUE, type ValueKind } from './flat-json';
import type { LineSink } from './lines';
import { type RowFactory, rowFactory } from './row-factory';
import { RowProblem } from './row-problem';
import { BadObjectError, type ParsedRow, type RejectedRow, type RowBatch } from './types';

/** How much of a rejected line is kept in `raw`. */
const RAW_LINE_CHARS = 500;

/** What is derived from a table definition once per process, not once per object. */
interface TablePlan {
  readonly names: readonly string[];
  readonly validators: readonly ColumnValidator[];
  readonly makeRow: RowFactory;
  /** Indexes of the text columns (where a JSON number is read as its literal text). */
  readonly textColumns: readonly number[];
}

const plans = new WeakMap<SourceTableDefinition, TablePlan>();

function planFor(table: SourceTableDefinition): TablePlan {
  let plan = plans.get(table);
  if (plan === undefined) {
    const names = table.columns.map((column) => column.name);
    const textColumns = table.columns.flatMap((column, index) => (column.type.kind === 'text' ? [index] : []));
    plan = { names, validators: table.columns.map(columnValidator), makeRow: rowFactory(names), textColumns };
    plans.set(table, plan);
  }
  return plan;
}

/**
 * Takes each valid row as its values in the table's column order, as soon as it is read.
 * The array is reused for the next row: copy what must outlive the call.
 */
export type RowValuesSink = (values: readonly CellValue[], lineNumber: number) => void;

export class TableRowReader implements LineSink {
  private readonly objectKey: string;
  private readonly table: SourceTableDefinition;
  private readonly names: readonly string[];
  private readonly validators: readonly ColumnValidator[];
  private readonly parser: FlatJsonRowParser;
  private readonly fastParser: AsciiRowParser;
  private readonly makeRow: RowFactory;
  private readonly textColumns: readonly number[];
  /** The current line's typed values, by column index (reused from row to row). */
  private readonly values: CellValue[];
  /** When set, valid rows go here instead of into batches. */
  private readonly sink: RowValuesSink | undefined;

  private rows: ParsedRow[] = [];
  /** Valid rows given to the sink since the last batch. */
  private sunk = 0;
  private rejected: RejectedRow[] = [];
  /** Numbers read as text in the rows collected since the last batch. */
  private numbersAsText = 0;
  private nonBlankLines = 0;
  /** Lines that were a JSON object (valid rows or not). */
  private objectLines = 0;
  private firstNonBlankLine = 0;

  constructor(objectKey: string, table: SourceTableDefinition, sink?: RowValuesSink) {
    this.objectKey = objectKey;
    this.table = table;
    const plan = planFor(table);
    this.names = plan.names;
    this.validators = plan.validators;
    this.makeRow = plan.makeRow;
    this.textColumns = plan.textColumns;
    this.parser = new FlatJsonRowParser(this.names);
    this.fastParser = new AsciiRowParser(table.columns);
    this.values = new Array<CellValue>(this.names.length).fill(null);
    this.sink = sink;
  }

  /** Rows (collected or given to the sink) and rejections since the last batch. */
  get collected(): number {
    return this.rows.length + this.sunk + this.rejected.length;
  }

  takeBatch(): RowBatch {
    const batch = {
      rows: this.rows,
      rowCount: this.rows.length + this.sunk,
      rejected: this.rejected,
      numbersAsText: this.numbersAsText,
    };
    this.rows = [];
    this.sunk = 0;
    this.rejected = [];
    this.numbersAsText = 0;
    return batch;
  }

  /** A valid row: to the sink, or collected as an object. */
  private accept(lineNumber: number): void {
    if (this.sink === undefined) {
      this.rows.push({ line: lineNumber, row: this.makeRow(this.values) });
    } else {
      this.sunk++;
      this.sink(this.values, lineNumber);
    }
  }

  /** Call after the last line: throws when the object is not JSON Lines. */
  finish(): void {
    if (this.nonBlankLines > 0 && this.objectLines === 0) {
      throw new BadObjectError(
        this.objectKey,
        `not JSON Lines: none of its ${this.nonBlankLines} non-blank line(s) is a JSON object`,
        this.firstNonBlankLine,
      );
    }
  }

  /**
   * The fast path (ascii-row-parser.ts): a line of the usual shape becomes a row without
   * being decoded. It accepts only valid rows, so what follows is what `line` does for one.
   */
  lineBytes(bytes: Buffer, start: number, end: number, lineNumber: number): boolean {
    if (!this.fastParser.parse(bytes, start, end, this.values)) return false;
    if (this.nonBlankLines++ === 0) this.firstNonBlankLine = lineNumber;
    this.objectLines++;
    this.numbersAsText += this.fastParser.numbersAsText;
    this.accept(lineNumber);
    return true;
  }

  line(text: string, start: number, end: number, lineNumber: number): void {
    let first = start;
    while (first < end && isJsonWhitespace(text.charCodeAt(first))) first++;
    if (first === end) return;
    if (this.nonBlankLines++ === 0) this.firstNonBlankLine = lineNumber;

    const parser = this.parser;
    try {
      parser.parse(text, first, end);
    } catch (problem) {
      if (!(problem instanceof RowProblem)) throw problem;
      // Only matters until the first object line: is this line JSON at all?
      if (this.objectLines === 0 && isJsonObjectText(text.slice(first, end))) this.objectLines++;
      this.reject(lineNumber, problem, rawLine(text, start, end));
      return;
    }
    this.objectLines++;
    if (parser.unknownKey !== undefined) {
      throw new BadObjectError(
        this.objectKey,
        `schema drift: "${parser.unknownKey}" is not a column of table ${this.table.name}`,
        lineNumber,
        parser.unknownKey,
      );
    }
    const names = this.names;
    const columnCount = names.length;
    if (parser.columnsFound !== columnCount) {
      const missing = names.find((_, index) => parser.seen[index] !== parser.generation);
      throw new BadObjectError(
        this.objectKey,
        `schema drift: column "${missing}" of table ${this.table.name} is missing`,
        lineNumber,
        missing,
      );
    }
    // The next lines most likely share this one's key order.
    this.fastParser.learnOrder(parser.keyOrder);

    const { kinds, texts, starts, ends } = parser;
    const validators = this.validators;
    const values = this.values;
    try {
      for (let column = 0; column < columnCount; column++) {
        values[column] = validators[column]!(kinds[column] as ValueKind, texts[column]!, starts[column]!, ends[column]!);
      }
    } catch (problem) {
      if (!(problem instanceof RowProblem)) throw problem;
      this.reject(lineNumber, problem, rawLine(text, start, end));
      return;
    }
    for (const column of this.textColumns) if (kinds[column] === NUMBER_VALUE) this.numbersAsText++;
    this.accept(lineNumber);
  }

  invalidUtf8(lineNumber: number, byteOffset: number, raw: string): void {
    this.countUnreadableLine(lineNumber);
    this.reject(lineNumber, new RowProblem(`invalid UTF-8 at byte ${byteOffset + 1} of the line`), rawLine(raw, 0, raw.length));
  }

  tooLong(lineNumber: number, byteLength: number, limit: number, head: string): void {
    this.countUnreadableLine(lineNumber);
    const problem = new RowProblem(`line is ${byteLength} bytes long, over the limit of ${limit} bytes; skipped`);
    this.reject(lineNumber, problem, `${head.slice(0, RAW_LINE_CHARS)}…`);
  }

  private countUnreadableLine(lineNumber: number): void {
    if (this.nonBlankLines++ === 0) this.firstNonBlankLine = lineNumber;
  }

  private reject(lineNumber: number, problem: RowProblem, raw: string): void {
    const rejection: RejectedRow = { objectKey: this.objectKey, line: lineNumber, reason: problem.reason, raw };
    this.rejected.push(problem.column === undefined ? rejection : { ...rejection, column: problem.column });
  }
}

/** The line for a rejection: without a trailing CR, shortened to RAW_LINE_CHARS. */
function rawLine(text: string, start: number, end: number): string {
  let rawEnd = end;
  if (rawEnd > start && text.charCodeAt(rawEnd - 1) === 0x0d) rawEnd--;
  return rawEnd - start > RAW_LINE_CHARS ? `${text.slice(start, start + RAW_LINE_CHARS)}…` : text.slice(start, rawEnd);
}

function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
