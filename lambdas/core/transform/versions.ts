/**
 * Versions (docs/ARCHITECTURE.md "Versions and history").
 * - A source row's version is `<10-digit sequence>.<last_updated as YYYYMMDDTHHMMSSmmm>`:
 *   fixed width, so string order is version order. The ingestion sequence comes first
 *   (CONTRACT.md §5): a later object holds the source's state at a later time, so it wins even
 *   when its `last_updated` is earlier (a typo in the future, corrected). `last_updated`
 *   only orders two rows of one id within the same object.
 * - A joined dimension row's version is its partners' versions joined by `/`.
 * - A fact row's `version_hash` is a 128-bit hash of its business columns (below).
 *
 * Before schema migration 3 a version was `<last_updated>.<sequence>` (LEGACY_VERSION):
 * join state, warehouse rows and Parquet batches written then are upgraded when read.
 */
import { Buffer } from 'node:buffer';
import { padSequence } from '../layout';
import type { CellValue, ColumnDefinition } from '../schema/column-types';
import { compactTimestamp } from '../time/calendar';
import { murmur3x86128, murmur3x86128Source } from './murmur3';

export function rowVersion(lastUpdatedMs: number, sequence: number): string {
  return `${padSequence(sequence)}.${compactTimestamp(lastUpdatedMs)}`;
}

/** The ingestion sequence of the object that brought a source row version (not a joined one). */
export function sequenceOfVersion(version: string): number {
  return Number(version.slice(0, padSequence(0).length));
}

export function joinedVersion(...versions: readonly string[]): string {
  return versions.join('/');
}

/** One component of a version: `<sequence>.<last_updated>`. */
const VERSION_COMPONENT = /^\d{10}\.\d{8}T\d{9}$/;
/** One component as the code before migration 3 wrote it: `<last_updated>.<sequence>`. */
const LEGACY_COMPONENT = /^(\d{8}T\d{9})\.(\d{10})$/;

/**
 * The version in the current format: each `/`-separated component written the legacy way
 * has its two halves swapped, a current one is kept. Undefined when a component is
 * neither (not a version this code ever wrote).
 */
export function upgradeVersion(version: string): string | undefined {
  const components = version.split('/');
  for (let i = 0; i < components.length; i++) {
    const component = components[i]!;
    if (VERSION_COMPONENT.test(component)) continue;
    const legacy = LEGACY_COMPONENT.exec(component);
    if (!legacy) return undefined;
    components[i] = `${legacy[2]}.${legacy[1]}`;
  }
  return components.join('/');
}

/**
 * The version hash of a fact row: MurmurHash3 x86 128 (seed 0) of a canonical binary
 * encoding of its business values in column order, as 32 hex digits (h1…h4, 8 digits
 * each). Each value is a tag byte and its bytes, so the encoding is self-delimiting and
 * equal encodings mean equal rows:
 * - null: 0x00
 * - integer (int32: ids, day numbers, milliseconds of day): 0x01, 4 bytes little-endian
 * - any other number: 0x02, float64 little-endian
 * - money (unscaled bigint; the scale is fixed per column): 0x03, int64 little-endian,
 *   or beyond int64, 0x04, byte length (uint32 LE), decimal digits
 * - text: 0x05, UTF-8 byte length (uint32 LE), UTF-8 bytes
 * - boolean: 0x06 false, 0x07 true
 * Changing this encoding changes every hash: don't.
 */
export function versionHash(values: readonly CellValue[], businessIndexes: readonly number[]): string {
  canonical.begin(businessIndexes.length);
  for (let i = 0; i < businessIndexes.length; i++) canonical.value(values[businessIndexes[i]!]);
  hexDigestInto(hex);
  return hex.toString('latin1', 0, 32);
}

/** Writes the version hash of a row (its values) to `out`, as 32 ASCII hex digits. */
export type VersionHasher = (values: readonly CellValue[], out: Uint8Array) => void;

/**
 * As `versionHash`, compiled for one table's business columns, writing the 32 ASCII bytes
 * of the hex digits to `out` (the fact path hands them to the Parquet writer as they are,
 * with no string in between): the fixed-layout hasher below when no business column is
 * text, else the byte encoder compiled per column (`compileGeneralHasher`), which the
 * fixed-layout one also falls back to. Column names never reach the generated code, only
 * indexes and type-derived constants.
 */
export function compileVersionHasher(columns: readonly ColumnDefinition[], businessIndexes: readonly number[]): VersionHasher {
  const general = compileGeneralHasher(columns, businessIndexes);
  return compileFixedLayoutHasher(columns, businessIndexes, general) ?? general;
}

/**
 * When every business column has a fixed-size encoding in its common case (integers,
 * dates and times as int32, money as int64, booleans), the encoding of a row of common
 * values has one layout, known here: its 32-bit words are computed straight from the
 * values and hashed in registers (murmur3x86128Source), with no byte written. A row with
 * any other value (a null, a non-int32 number, money beyond ±2^53) takes `general`, so
 * the hash is the same either way. Undefined when a column's size varies (text).
 */
function compileFixedLayoutHasher(
  columns: readonly ColumnDefinition[],
  businessIndexes: readonly number[],
  general: VersionHasher,
): VersionHasher | undefined {
  const names = businessIndexes.map((_, k) => `v${k}`);
  const code = fixedLayoutHashSource(
    businessIndexes.map((index) => columns[index]!.type.kind),
    names,
    'digest',
  );
  if (code === undefined) return undefined;
  const body = `"use strict";
return function hashInto(values, out) {
${businessIndexes.map((index, k) => `const ${names[k]} = values[${index | 0}];`).join('\n')}
${code.prepare}
if (!(${code.check})) { general(values, out); return; }
${code.hash}
hexInto(digest, out, 0);
};`;
  return new Function('general', 'digest', 'hexInto', body)(general, digest, hexInto) as VersionHasher;
}

/** Generated code hashing a row of fixed-layout values (see `fixedLayoutHashSource`). */
export interface FixedLayoutHashSource {
  /** Statements deriving what the hash needs from the values (they run whatever the values). */
  readonly prepare: string;
  /** An expression: true when every value has its column's fixed-size encoding. */
  readonly check: string;
  /** Statements leaving the hash (h1…h4) in the Int32Array named by `digest`; only where `check` holds. */
  readonly hash: string;
}

/**
 * The version hash of a row of fixed-layout values as generated code, for generated code
 * that holds the business values in locals (`names`, in column order; `kinds` their
 * column types): what `compileVersionHasher` does for a values array, and what the fact
 * row writer does for a source row. Undefined when a column's size varies (text).
 */
export function fixedLayoutHashSource(
  kinds: readonly ColumnDefinition['type']['kind'][],
  names: readonly string[],
  digest: string,
): FixedLayoutHashSource | undefined {
  /** Each byte of the encoding: a constant, or byte `byte` of the int32 variable `source`. */
  const bytes: ({ readonly constant: number } | { readonly source: string; readonly byte: number })[] = [];
  const prepare: string[] = [];
  const checks: string[] = [];
  const int32Bytes = (source: string) => [0, 1, 2, 3].map((byte) => ({ source, byte }));
  for (const [k, kind] of kinds.entries()) {
    const v = names[k]!;
    if (kind === 'integer' || kind === 'date' || kind === 'time') {
      checks.push(`typeof ${v} === 'number' && (${v} | 0) === ${v}`);
      bytes.push({ constant: INT32_TAG }, ...int32Bytes(v));
    } else if (kind === 'decimal') {
      // Split as two's complement through a double: exact within ±2^53, a common case checked below.
      prepare.push(
        `const ${v}n = typeof ${v} === 'bigint' ? Number(${v}) : NaN;`,
        `const ${v}hi = Math.floor(${v}n / 4294967296) | 0;`,
        `const ${v}lo = (${v}n - ${v}hi * 4294967296) | 0;`,
      );
      checks.push(`${v}n >= ${-Number.MAX_SAFE_INTEGER} && ${v}n <= ${Number.MAX_SAFE_INTEGER}`);
      bytes.push({ constant: INT64_TAG }, ...int32Bytes(`${v}lo`), ...int32Bytes(`${v}hi`));
    } else if (kind === 'boolean') {
      checks.push(`typeof ${v} === 'boolean'`);
      prepare.push(`const ${v}b = ${v} ? ${TRUE_TAG} : ${FALSE_TAG};`);
      bytes.push({ source: `${v}b`, byte: 0 });
    } else {
      return undefined;
    }
  }
  const words: string[] = [];
  for (let at = 0; at < bytes.length; at += 4) {
    let constant = 0;
    const terms: string[] = [];
    for (let position = 0; position < 4 && at + position < bytes.length; position++) {
      const byte = bytes[at + position]!;
      if ('constant' in byte) {
        constant |= byte.constant << (8 * position);
        continue;
      }
      // A run of consecutive bytes of one source is one shift pair: it ends where the word
      // ends (<< drops what overflows) or where the source does (>>> fills zeros).
      const previous = position > 0 ? bytes[at + position - 1] : undefined;
      if (previous && 'source' in previous && previous.source === byte.source && previous.byte === byte.byte - 1) continue;
      const shifted = byte.byte === 0 ? byte.source : `(${byte.source} >>> ${8 * byte.byte})`;
      terms.push(position === 0 ? shifted : `(${shifted} << ${8 * position})`);
    }
    if (constant !== 0 || terms.length === 0) terms.push(String(constant | 0));
    words.push(`(${terms.join(' | ')})`);
  }
  return {
    prepare: prepare.join('\n'),
    check: checks.length > 0 ? checks.join(' && ') : 'true',
    hash: `{\n${murmur3x86128Source(words, bytes.length, digest)}\n}`,
  };
}

/**
 * The byte encoding compiled for one table's business columns: each column's common case
 * written inline for its type (an integer column's int32, a money column's int64), every
 * other value through the general encoder. Once per fact row, a function specialised per
 * column beats one that dispatches on every value.
 */
function compileGeneralHasher(columns: readonly ColumnDefinition[], businessIndexes: readonly number[]): VersionHasher {
  const statements = businessIndexes.map((index) => {
    const type = columns[index]!.type;
    const read = `v = values[${index | 0}];`;
    if (type.kind === 'integer' || type.kind === 'date' || type.kind === 'time') {
      return `${read}
if (typeof v === 'number' && (v | 0) === v) {
  b[o] = ${INT32_TAG}; dv.setInt32(o + 1, v, true); o += 5;
} else { o = e.valueAt(v, o); b = e.bytes; dv = e.view; }`;
    }
    if (type.kind === 'decimal') {
      return `${read}
if (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) {
  b[o] = ${INT64_TAG}; dv.setBigInt64(o + 1, v, true); o += 9;
} else { o = e.valueAt(v, o); b = e.bytes; dv = e.view; }`;
    }
    return `${read}
o = e.valueAt(v, o); b = e.bytes; dv = e.view;`;
  });
  const body = `"use strict";
return function hashInto(values, out) {
  e.begin(${businessIndexes.length | 0});
  let b = e.bytes;
  let dv = e.view;
  let o = 0;
  let v;
${statements.join('\n')}
  e.length = o;
  finish(out);
};`;
  return new Function('e', 'INT64_MIN', 'INT64_MAX', 'finish', body)(canonical, INT64_MIN, INT64_MAX, hexDigestInto) as VersionHasher;
}

/** Hashes the encoding built in `canonical` and writes the 32 hex digits to `out`. */
function hexDigestInto(out: Uint8Array): void {
  murmur3x86128(canonical.bytes, canonical.length, 0, digest);
  hexInto(digest, out, 0);
}

/** h1…h4 as 8 hex digits each, most significant byte first: 32 ASCII bytes at `out[at…]`. */
export function hexInto(hash: Int32Array, out: Uint8Array, at: number): void {
  for (let word = 0; word < 4; word++) {
    const h = hash[word]!;
    for (let byte = 0; byte < 4; byte++) {
      const pair = ((h >>> (24 - byte * 8)) & 0xff) * 2;
      out[at + word * 8 + byte * 2] = HEX_PAIRS[pair]!;
      out[at + word * 8 + byte * 2 + 1] = HEX_PAIRS[pair + 1]!;
    }
  }
}

/** The most bytes a value other than text takes: a tag and 8 bytes. */
const MAX_FIXED_BYTES = 9;

const NULL_TAG = 0x00;
const INT32_TAG = 0x01;
const FLOAT64_TAG = 0x02;
const INT64_TAG = 0x03;
const BIG_DECIMAL_TAG = 0x04;
const TEXT_TAG = 0x05;
const FALSE_TAG = 0x06;
const TRUE_TAG = 0x07;
/** "00" to "ff" as ASCII byte pairs. */
const HEX_PAIRS = Uint8Array.from({ length: 512 }, (_, i) => '0123456789abcdef'.charCodeAt(i & 1 ? (i >> 1) & 0xf : i >> 5));
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The canonical encoding, built in one growing buffer. */
class CanonicalBytes {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;
  /** Room kept free for the values other than text (MAX_FIXED_BYTES each). */
  private fixedRoom = 0;

  /** Empties the buffer for `values` values, reserving room for the fixed-size ones. */
  begin(values: number): void {
    this.length = 0;
    this.fixedRoom = values * MAX_FIXED_BYTES;
    this.reserve(this.fixedRoom);
  }

  /** Appends one value at `at` (where a compiled hasher got to); returns where it ended. */
  valueAt(value: CellValue | undefined, at: number): number {
    this.length = at;
    this.value(value);
    return this.length;
  }

  /** Appends one value (within the room `begin` reserved; text reserves its own). */
  value(value: CellValue | undefined): void {
    if (typeof value === 'number') {
      if ((value | 0) === value) {
        this.bytes[this.length] = INT32_TAG;
        this.view.setInt32(this.length + 1, value, true);
        this.length += 5;
      } else {
        this.bytes[this.length] = FLOAT64_TAG;
        this.view.setFloat64(this.length + 1, value, true);
        this.length += 9;
      }
    } else if (typeof value === 'bigint') {
      if (value >= INT64_MIN && value <= INT64_MAX) {
        this.bytes[this.length] = INT64_TAG;
        this.view.setBigInt64(this.length + 1, value, true);
        this.length += 9;
      } else {
        this.text(BIG_DECIMAL_TAG, value.toString());
      }
    } else if (typeof value === 'string') {
      this.text(TEXT_TAG, value);
    } else if (typeof value === 'boolean') {
      this.bytes[this.length++] = value ? TRUE_TAG : FALSE_TAG;
    } else {
      this.bytes[this.length++] = NULL_TAG;
    }
  }

  /** Tag, UTF-8 byte length, UTF-8 bytes. */
  private text(tag: number, text: string): void {
    // Keeps the room for the fixed-size values that may follow.
    this.reserve(5 + text.length * 3 + this.fixedRoom);
    const start = this.length + 5;
    const written = utf8.encodeInto(text, this.bytes.subarray(start)).written;
    this.bytes[this.length] = tag;
    this.view.setUint32(this.length + 1, written, true);
    this.length = start + written;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

const utf8 = new TextEncoder();
const canonical = new CanonicalBytes();
const digest = new Int32Array(4);
const hex = Buffer.alloc(32);
