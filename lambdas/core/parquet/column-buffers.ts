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

  protected wrongType(value: WriterValue | undefined, expected: string): Error {
    return new Error(`Parquet column ${this.name}: expected ${expected}, got ${typeof value} ${String(value)}`);
  }
}

/** INT32: integers, dates (days), times (ms), decimals of precision ≤ 9 (unscaled). */
class Int32ColumnBuffer extends ColumnBufferBase {
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
class Int64ColumnBuffer extends ColumnBufferBase {
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

class BooleanColumnBuffer extends ColumnBufferBase {
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
