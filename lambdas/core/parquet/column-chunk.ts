/**
 * Encodes one column of one row group (a column chunk) from its typed buffer: data pages
 * v2 (definition levels for nullable columns, values PLAIN or RLE_DICTIONARY), Snappy
 * where it pays (page-compression.ts), and the chunk's metadata with statistics. What hyparquet-writer does for any JS values,
 * done here for the four physical types our tables use, straight from typed arrays: the
 * plain values of a fixed-width column are its array's bytes.
 */
import type { ColumnChunk, Encoding, SchemaElement, Statistics } from 'hyparquet';
import type { Writer } from 'hyparquet-writer';
import { writePageHeader } from './hyparquet-writer-internals';
import type { ColumnBuffer } from './column-buffers';
import { type IntDictionary, bitWidth, intDictionary } from './dictionary';
import type { PageCompression } from './page-compression';
import { encodeRleBitPacked } from './rle';

export interface ChunkOptions {
  /** Min/max are computed for numeric and boolean columns; null counts always. */
  readonly statistics: boolean;
  /** Try dictionary encoding (integer columns only). */
  readonly dictionary: boolean;
}

/** Data pages are cut at about this many bytes of values. */
const PAGE_BYTES = 1024 * 1024;

// The plain encoding of a fixed-width column is its typed array's bytes only on a
// little-endian machine (every platform Lambda and Node run on in practice).
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('the Parquet writer needs a little-endian platform');
}

export function writeColumnChunk(
  out: Writer,
  element: SchemaElement,
  column: ColumnBuffer,
  options: ChunkOptions,
  compression: PageCompression,
): ColumnChunk {
  const chunkStart = out.offset;
  const rows = column.length;
  const present = presentValues(column);
  const dictionary = options.dictionary ? dictionaryOf(present) : undefined;
  let uncompressedBytes = 0;
  let dictionaryPageOffset: bigint | undefined;
  if (dictionary) {
    dictionaryPageOffset = BigInt(out.offset);
    uncompressedBytes += writeDictionaryPage(out, dictionary, compression);
  }
  const dataPageOffset = BigInt(out.offset);
  const encoding: Encoding = dictionary ? 'RLE_DICTIONARY' : 'PLAIN';
  let valueIndex = 0;
  for (const [start, end] of pageRanges(column, present)) {
    let nulls = 0;
    let levels = NO_BYTES;
    if (column.defined) {
      levels = encodeRleBitPacked(column.defined, start, end, 1);
      for (let i = start; i < end; i++) nulls += 1 - column.defined[i]!;
    }
    const count = end - start - nulls;
    const values = dictionary ? dictionaryIndexes(dictionary, valueIndex, count) : plainValues(present, valueIndex, count);
    valueIndex += count;
    const compressed = compression.page(values);
    const stored = compressed ?? values;
    const headerStart = out.offset;
    writePageHeader(out, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levels.length + values.length,
      compressed_page_size: levels.length + stored.length,
      data_page_header_v2: {
        num_values: end - start,
        num_nulls: nulls,
        num_rows: end - start,
        encoding,
        definition_levels_byte_length: levels.length,
        repetition_levels_byte_length: 0,
        is_compressed: compressed !== undefined,
      },
    });
    uncompressedBytes += out.offset - headerStart + levels.length + values.length;
    out.appendBytes(levels);
    out.appendBytes(stored);
  }
  return {
    file_offset: BigInt(chunkStart),
    meta_data: {
      type: column.kind,
      encodings: dictionary ? ['PLAIN', 'RLE', 'RLE_DICTIONARY'] : ['PLAIN', 'RLE'],
      path_in_schema: [element.name],
      codec: 'SNAPPY',
      num_values: BigInt(rows),
      total_uncompressed_size: BigInt(uncompressedBytes),
      total_compressed_size: BigInt(out.offset - chunkStart),
      data_page_offset: dataPageOffset,
      dictionary_page_offset: dictionaryPageOffset,
      statistics: statisticsOf(dictionary ? dictionaryValues(dictionary, present) : present, column, element, options.statistics),
    },
  };
}

/** A column's present (non-null) values, in their physical form. */
type PresentValues =
  | { readonly kind: 'INT32'; readonly words: Int32Array }
  | { readonly kind: 'INT64'; readonly values: BigInt64Array; readonly words: Int32Array }
  | { readonly kind: 'BYTE_ARRAY'; readonly bytes: Uint8Array; readonly ends: Int32Array; readonly count: number }
  | { readonly kind: 'BOOLEAN'; readonly bits: Uint8Array };

function presentValues(column: ColumnBuffer): PresentValues {
  const { defined, length } = column;
  const keep = <T extends Int32Array | BigInt64Array | Uint8Array>(values: T): T => {
    if (!defined || column.nulls === 0) return values.subarray(0, length) as T;
    const kept = new (values.constructor as new (length: number) => T)(length - column.nulls);
    let k = 0;
    for (let i = 0; i < length; i++) if (defined[i] === 1) kept[k++] = values[i]!;
    return kept;
  };
  switch (column.kind) {
    case 'INT32':
      return { kind: 'INT32', words: keep(column.values) };
    case 'INT64': {
      const values = keep(column.values);
      return { kind: 'INT64', values, words: new Int32Array(values.buffer, values.byteOffset, values.length * 2) };
    }
    case 'BOOLEAN':
      return { kind: 'BOOLEAN', bits: keep(column.values) };
    case 'BYTE_ARRAY': {
      // Null entries repeat the previous end and add no bytes: dropping them is enough.
      const ends = keep(column.ends);
      return { kind: 'BYTE_ARRAY', bytes: column.bytes, ends, count: ends.length };
    }
  }
}

function dictionaryOf(present: PresentValues): IntDictionary | undefined {
  if (present.kind === 'INT32') return intDictionary(present.words, present.words.length, 1);
  if (present.kind === 'INT64') return intDictionary(present.words, present.values.length, 2);
  return undefined;
}

/**
 * The dictionary's distinct values as present values: min and max over them are those of
 * the column, found in a few hundred values rather than a row group's.
 */
function dictionaryValues(dictionary: IntDictionary, present: PresentValues): PresentValues {
  const { words } = dictionary;
  if (present.kind === 'INT64') return { kind: 'INT64', values: new BigInt64Array(words.buffer, words.byteOffset, dictionary.size), words };
  return { kind: 'INT32', words };
}

function writeDictionaryPage(out: Writer, dictionary: IntDictionary, compression: PageCompression): number {
  const values = new Uint8Array(dictionary.words.buffer, dictionary.words.byteOffset, dictionary.words.byteLength);
  const compressed = compression.dictionaryPage(values);
  const headerStart = out.offset;
  writePageHeader(out, {
    type: 'DICTIONARY_PAGE',
    uncompressed_page_size: values.length,
    compressed_page_size: compressed.length,
    dictionary_page_header: { num_values: dictionary.size, encoding: 'PLAIN' },
  });
  const headerBytes = out.offset - headerStart;
  out.appendBytes(compressed);
  return headerBytes + values.length;
}

/** Rows [start, end) of each data page: whole rows, about PAGE_BYTES of values each. */
function pageRanges(column: ColumnBuffer, present: PresentValues): [number, number][] {
  const rows = column.length;
  let valueBytes: number;
  if (present.kind === 'BYTE_ARRAY') valueBytes = column.kind === 'BYTE_ARRAY' ? column.byteLength : 0;
  else if (present.kind === 'BOOLEAN') valueBytes = rows / 8;
  else valueBytes = present.words.byteLength;
  const pages = Math.max(1, Math.ceil(valueBytes / PAGE_BYTES));
  const rowsPerPage = Math.ceil(rows / pages);
  const ranges: [number, number][] = [];
  for (let start = 0; start < rows || ranges.length === 0; start += rowsPerPage) {
    ranges.push([start, Math.min(rows, start + rowsPerPage)]);
  }
  return ranges;
}

/** PLAIN values `[first, first + count)` of the present values. */
function plainValues(present: PresentValues, first: number, count: number): Uint8Array {
  switch (present.kind) {
    case 'INT32':
    case 'INT64': {
      const width = present.kind === 'INT32' ? 4 : 8;
      return new Uint8Array(present.words.buffer, present.words.byteOffset + first * width, count * width);
    }
    case 'BOOLEAN': {
      const packed = new Uint8Array(Math.ceil(count / 8));
      for (let i = 0; i < count; i++) packed[i >> 3]! |= present.bits[first + i]! << (i & 7);
      return packed;
    }
    case 'BYTE_ARRAY': {
      // The buffer already holds them in PLAIN layout (length prefix, then bytes).
      const { bytes, ends } = present;
      const startByte = first === 0 ? 0 : ends[first - 1]!;
      const endByte = count === 0 ? startByte : ends[first + count - 1]!;
      return bytes.subarray(startByte, endByte);
    }
  }
}

/** RLE_DICTIONARY page values: the bit width, then the indexes RLE/bit-packed. */
function dictionaryIndexes(dictionary: IntDictionary, first: number, count: number): Uint8Array {
  const width = bitWidth(dictionary.size - 1);
  const indexes = encodeRleBitPacked(dictionary.indexes, first, first + count, width);
  const page = new Uint8Array(1 + indexes.length);
  page[0] = width;
  page.set(indexes, 1);
  return page;
}

const NO_BYTES: Uint8Array = new Uint8Array(0);

function statisticsOf(present: PresentValues, column: ColumnBuffer, element: SchemaElement, minMax: boolean): Statistics {
  const null_count = BigInt(column.nulls);
  if (!minMax) return { null_count };
  switch (present.kind) {
    case 'INT32': {
      const { words } = present;
      if (words.length === 0) return { null_count };
      let min = words[0]!;
      let max = min;
      for (let i = 1; i < words.length; i++) {
        const value = words[i]!;
        if (value < min) min = value;
        else if (value > max) max = value;
      }
      // DECIMAL statistics are unscaled integers, which hyparquet-writer takes as bigints.
      return element.converted_type === 'DECIMAL'
        ? { null_count, min_value: BigInt(min), max_value: BigInt(max) }
        : { null_count, min_value: min, max_value: max };
    }
    case 'INT64': {
      // Compared as (signed high word, unsigned low word): reading a BigInt64Array element
      // allocates a bigint, which made this loop a few per cent of a fact transform.
      const { values, words } = present;
      if (values.length === 0) return { null_count };
      let min = 0;
      let max = 0;
      for (let i = 1; i < values.length; i++) {
        const high = words[2 * i + 1]!;
        const low = words[2 * i]! >>> 0;
        const minHigh = words[2 * min + 1]!;
        const maxHigh = words[2 * max + 1]!;
        if (high < minHigh || (high === minHigh && low < words[2 * min]! >>> 0)) min = i;
        else if (high > maxHigh || (high === maxHigh && low > words[2 * max]! >>> 0)) max = i;
      }
      return { null_count, min_value: values[min]!, max_value: values[max]! };
    }
    case 'BOOLEAN': {
      const { bits } = present;
      if (bits.length === 0) return { null_count };
      return { null_count, min_value: !bits.includes(0), max_value: bits.includes(1) };
    }
    case 'BYTE_ARRAY':
      // Text min/max (truncated, UTF-8 ordered) would serve no reader of these files.
      return { null_count };
  }
}
