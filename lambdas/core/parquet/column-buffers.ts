/**
 * One row group's values of one column, held in typed arrays in their Parquet physical
 * form (INT32, INT64, BYTE_ARRAY as UTF-8, BOOLEAN), ready to encode without a per-value
 * conversion pass. A value of the wrong type is an error naming the column (a bug in the
 * caller, never bad input: input is validated long before).
 */
import { Buffer } from 'node:buffer';
import type { CellValue, ColumnDefinition } from '../schema/column-types';

const INITIAL_CAPACITY = 1024;

export type PhysicalKind = 'INT32' | 'INT64' | 'BYTE_ARRAY' | 'BOOLEAN';

/** A value to write: a CellValue, or for a text column also its UTF-8 bytes. */
export type WriterValue = CellValue | Uint8Array;

abstract class ColumnBufferBase {
  /** Values pushed since the last `clear` (nulls included). */
  length = 0;
  /** 1 where the value is present, 0 where it is null; only for nullable columns. */
  defined: Uint8Array | undefined;
  nulls = 0;

  constructor(
    readonly name: string,
    /** The column's position in the table. */
    readonly index: number,
    readonly nullable: boolean,
  ) {
    if (nullable) this.defined = new Uint8Array(INITIAL_CAPACITY);
  }

  clear(): void {
    this.length = 0;
    this.nulls = 0;
  }

  /** Records a null (or a present value) at the end; false when the value is null. */
  protected present(value: WriterValue | undefined): boolean {
    const isNull = value === null || value === undefined;
    if (this.defined === undefined) {
      if (isNull) throw new Error(`Parquet column ${this.name}: null in a required column`);
      return true;
    }
    if (this.length === this.defined.length) this.defined = grow(this.defined);
    this.defined[this.length] = isNull ? 0 : 1;
    if (isNull) this.nulls++;
    return !isNull;
  }

  /** Makes room for `rows` rows; returns how many there is room for. */
  abstract ensureRows(rows: number): number;

  protected wrongType(value: WriterValue | undefined, expected: string): Error {
    return new Error(`Parquet column ${this.name}: expected ${expected}, got ${typeof value} ${String(value)}`);
  }
}

/** A column whose values are one typed array, a value an element (all but BYTE_ARRAY). */
abstract class TypedArrayColumnBuffer extends ColumnBufferBase {
  abstract values: Int32Array | BigInt64Array | Uint8Array;

  ensureRows(rows: number): number {
    while (this.values.length < rows) this.values = grow(this.values);
    return this.values.length;
  }
}

/** INT32: integers, dates (days), times (ms), decimals of precision ≤ 9 (unscaled). */
class Int32ColumnBuffer extends TypedArrayColumnBuffer {
  readonly kind = 'INT32';
  values = new Int32Array(INITIAL_CAPACITY);

  constructor(
    name: string,
    index: number,
    nullable: boolean,
    /** A decimal column: its values come as bigints. */
    readonly fromBigint: boolean,
  ) {
    super(name, index, nullable);
  }

  push(value: WriterValue | undefined): void {
    let number = 0;
    if (this.present(value)) {
      number = this.fromBigint && typeof value === 'bigint' ? Number(value) : (value as number);
      if (typeof number !== 'number' || (number | 0) !== number) throw this.wrongType(value, 'an int32');
    }
    if (this.length === this.values.length) this.values = grow(this.values);
    this.values[this.length++] = number;
  }
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

/** INT64: decimals of precision 10–18, as unscaled bigints. */
class Int64ColumnBuffer extends TypedArrayColumnBuffer {
  readonly kind = 'INT64';
  values = new BigInt64Array(INITIAL_CAPACITY);

  push(value: WriterValue | undefined): void {
    let number = 0n;
    if (this.present(value)) {
      // Compared with constants: BigInt.asIntN would allocate a bigint per value.
      if (typeof value !== 'bigint' || value < MIN_INT64 || value > MAX_INT64) throw this.wrongType(value, 'an int64 bigint');
      number = value;
    }
    if (this.length === this.values.length) this.values = grow(this.values);
    this.values[this.length++] = number;
  }
}

/**
 * BYTE_ARRAY: text as UTF-8, kept in Parquet's PLAIN layout (each value's byte length,
 * 4 bytes little-endian, then its bytes), so that a data page is a slice of `bytes`.
 * `ends[i]` is where value i, prefix included, ends; a null adds no bytes.
 */
class ByteArrayColumnBuffer extends ColumnBufferBase {
  readonly kind = 'BYTE_ARRAY';
  bytes = Buffer.allocUnsafe(INITIAL_CAPACITY * 16);
  ends = new Int32Array(INITIAL_CAPACITY);
  /** `bytes` as a DataView (kept in step with it), for word-at-a-time copies. */
  private view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  /**
   * The last byte array pushed, and a view of it: a caller that pushes one reused array
   * (the fact hasher's 32 hex digits, once a row) has it copied four bytes at a time,
   * several times cheaper than `set` for so few bytes.
   */
  private source: Uint8Array | undefined;
  private sourceView: DataView | undefined;

  get byteLength(): number {
    return this.length === 0 ? 0 : this.ends[this.length - 1]!;
  }

  /** A string, or its UTF-8 bytes (copied). */
  push(value: WriterValue | undefined): void {
    let end = this.byteLength;
    if (this.present(value)) {
      if (value instanceof Uint8Array) {
        const length = value.length;
        this.reserve(end + 4 + length);
        if (value === this.source && (length & 3) === 0 && length === this.sourceView!.byteLength) {
          const view = this.view;
          const sourceView = this.sourceView!;
          for (let at = 0; at < length; at += 4) view.setInt32(end + 4 + at, sourceView.getInt32(at, true), true);
        } else {
          this.bytes.set(value, end + 4);
          this.source = value;
          this.sourceView = new DataView(value.buffer, value.byteOffset, length);
        }
        end = this.prefixed(end, length);
      } else {
        if (typeof value !== 'string') throw this.wrongType(value, 'a string');
        // A JS string's UTF-8 is at most 3 bytes per UTF-16 unit.
        this.reserve(end + 4 + value.length * 3);
        const at = end + 4;
        const written = value.length <= SHORT_TEXT ? writeShort(this.bytes, at, value) : this.bytes.write(value, at, 'utf8');
        end = this.prefixed(end, written);
      }
    }
    if (this.length === this.ends.length) this.ends = grow(this.ends);
    this.ends[this.length++] = end;
  }

  ensureRows(rows: number): number {
    while (this.ends.length < rows) this.ends = grow(this.ends);
    return this.ends.length;
  }

  /**
   * For DirectRows: room for the next row's value of `length` bytes, its length prefix
   * written and its end recorded; returns where in `bytes` the value goes.
   */
  slot(length: number): number {
    const start = this.byteLength;
    this.reserve(start + 4 + length);
    this.ends[this.length] = this.prefixed(start, length);
    return start + 4;
  }

  /** Writes the length prefix of the value just written after `start`; returns its end. */
  private prefixed(start: number, length: number): number {
    const bytes = this.bytes;
    bytes[start] = length & 0xff;
    bytes[start + 1] = (length >>> 8) & 0xff;
    bytes[start + 2] = (length >>> 16) & 0xff;
    bytes[start + 3] = length >>> 24;
    return start + 4 + length;
  }

  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(size, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.byteLength);
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}

/** Texts up to this long are copied char by char when ASCII: cheaper than a call into the encoder. */
const SHORT_TEXT = 64;

/** Writes `text` as UTF-8 at `at` (room checked by the caller); returns the bytes written. */
function writeShort(bytes: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return bytes.write(text, at, 'utf8');
    bytes[at + i] = code;
  }
  return text.length;
}

class BooleanColumnBuffer extends TypedArrayColumnBuffer {
  readonly kind = 'BOOLEAN';
  values = new Uint8Array(INITIAL_CAPACITY);

  push(value: WriterValue | undefined): void {
    let bit = 0;
    if (this.present(value)) {
      if (typeof value !== 'boolean') throw this.wrongType(value, 'a boolean');
      bit = value ? 1 : 0;
    }
    if (this.length === this.values.length) this.values = grow(this.values);
    this.values[this.length++] = bit;
  }
}

export type ColumnBuffer = Int32ColumnBuffer | Int64ColumnBuffer | ByteArrayColumnBuffer | BooleanColumnBuffer;

/** The buffer for a warehouse column, by the physical type its Parquet schema gives it. */
export function columnBuffer(column: ColumnDefinition, index: number, physical: PhysicalKind): ColumnBuffer {
  const nullable = column.nullable === true;
  switch (physical) {
    case 'INT32':
      return new Int32ColumnBuffer(column.name, index, nullable, column.type.kind === 'decimal');
    case 'INT64':
      return new Int64ColumnBuffer(column.name, index, nullable);
    case 'BYTE_ARRAY':
      return new ByteArrayColumnBuffer(column.name, index, nullable);
    case 'BOOLEAN':
      return new BooleanColumnBuffer(column.name, index, nullable);
  }
}

/**
 * Rows written straight into a table's column buffers by code compiled for the table
 * (the fact path: transform/fact-row-writer.ts) instead of through a values array:
 * `reserve()` makes room for one more row in every column and returns its index; the
 * caller sets every column at that index (`int32(k)[row] = …`, `int64(k)[row] = …`,
 * `boolean(k)[row] = 0 | 1`, `byteSlot(k, length)` for a byte array) and then
 * `commit()`s the row. Only required columns can be written this way.
 */
export class DirectRows {
  /** Rows every column has room for (their arrays grow together). */
  private capacity = 0;

  constructor(
    private readonly columns: readonly ColumnBuffer[],
    private readonly committed: () => void,
  ) {
    for (const column of columns) {
      if (column.nullable) throw new Error(`Parquet column ${column.name}: not writable directly (nullable)`);
    }
  }

  /** Room for one more row; its index. */
  reserve(): number {
    const row = this.columns[0]!.length;
    if (row >= this.capacity) this.grow(row + 1);
    return row;
  }

  /** The INT32 values of column `k` (valid until the next `reserve`). */
  int32(k: number): Int32Array {
    return (this.columns[k] as Int32ColumnBuffer).values;
  }

  /** The INT64 values of column `k` (valid until the next `reserve`). */
  int64(k: number): BigInt64Array {
    return (this.columns[k] as Int64ColumnBuffer).values;
  }

  /** The BOOLEAN values (0 or 1) of column `k` (valid until the next `reserve`). */
  boolean(k: number): Uint8Array {
    return (this.columns[k] as BooleanColumnBuffer).values;
  }

  /** The reserved row's value of byte-array column `k`: `length` bytes to write at the returned offset of `bytes(k)`. */
  byteSlot(k: number, length: number): number {
    return (this.columns[k] as ByteArrayColumnBuffer).slot(length);
  }

  /** The bytes of byte-array column `k` (valid until the next `byteSlot`). */
  bytes(k: number): Uint8Array {
    return (this.columns[k] as ByteArrayColumnBuffer).bytes;
  }

  /** The reserved row, every column set, becomes a row. */
  commit(): void {
    const columns = this.columns;
    for (let k = 0; k < columns.length; k++) columns[k]!.length++;
    this.committed();
  }

  private grow(rows: number): void {
    let capacity = Number.MAX_SAFE_INTEGER;
    for (const column of this.columns) capacity = Math.min(capacity, column.ensureRows(rows));
    this.capacity = capacity;
  }
}

/**
 * Appends one row (values by column index) to `columns`, compiled once per table (the
 * caller keeps it, so that every file of the table runs the same optimised code): a
 * required int32 or int64 column stores its common value inline (the right type, room
 * left), and everything else (nulls, text, booleans, a full array, a wrong type) goes
 * through the buffer's `push`, which also reports errors. One statement per column keeps
 * each `push` call site on one class, and fact rows come through here by the million.
 * Column indexes and constants are all the generated code holds, never names.
 */
export type Appender = (columns: readonly ColumnBuffer[], row: readonly WriterValue[]) => void;

export function compileAppender(columns: readonly ColumnBuffer[]): Appender {
  const statements = columns.map((column, k) => {
    const read = `v = row[${column.index | 0}]; c = columns[${k | 0}];`;
    if (column instanceof Int32ColumnBuffer && !column.nullable && !column.fromBigint) {
      return `${read} if (typeof v === 'number' && (v | 0) === v && c.length < c.values.length) c.values[c.length++] = v; else c.push(v);`;
    }
    if (column instanceof Int64ColumnBuffer && !column.nullable) {
      return `${read} if (typeof v === 'bigint' && v >= MIN_INT64 && v <= MAX_INT64 && c.length < c.values.length) c.values[c.length++] = v; else c.push(v);`;
    }
    return `${read} c.push(v);`;
  });
  const body = `"use strict";
return function append(columns, row) {
  let v;
  let c;
${statements.join('\n')}
};`;
  return new Function('MIN_INT64', 'MAX_INT64', body)(MIN_INT64, MAX_INT64) as Appender;
}

function grow<T extends Uint8Array | Int32Array | BigInt64Array>(array: T): T {
  const grown = new (array.constructor as new (length: number) => T)(array.length * 2);
  grown.set(array as never);
  return grown;
}
