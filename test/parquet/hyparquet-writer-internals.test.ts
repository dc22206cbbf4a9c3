/**
 * Contract of what the Parquet encoder takes from hyparquet-writer's internal files
 * (lambdas/core/parquet/hyparquet-writer-internals.ts) and of the ByteWriter fields
 * GrowableByteWriter overrides. An upgrade that breaks any of them fails here, on a tiny
 * input, with the reason in the test name.
 */
import { type FileMetaData, parquetMetadata, snappyUncompress } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { ByteWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { GrowableByteWriter } from '../../lambdas/core/parquet/growable-byte-writer';
import {
  snappyCompress,
  writeMetadata,
  writePageHeader,
  writeRleBitPackedHybrid,
} from '../../lambdas/core/parquet/hyparquet-writer-internals';

const MAGIC = 0x31524150; // 'PAR1' little-endian

const FOOTER: FileMetaData = {
  version: 2,
  created_by: 'contract-test',
  schema: [
    { name: 'root', num_children: 2 },
    { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'amount', type: 'INT64', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', precision: 12, scale: 2 },
  ],
  num_rows: 0n,
  row_groups: [],
  metadata_length: 0,
  key_value_metadata: [{ key: 'rows', value: '0' }],
};

/** An empty Parquet file: magic, footer, footer length, magic. */
function emptyFile(writer: ByteWriter): ArrayBuffer {
  writer.appendUint32(MAGIC);
  const start = writer.offset;
  writeMetadata(writer, FOOTER);
  writer.appendUint32(writer.offset - start);
  writer.appendUint32(MAGIC);
  return writer.getBuffer();
}

describe('hyparquet-writer internals the encoder depends on', () => {
  it('snappyCompress writes raw Snappy that hyparquet decompresses to the same bytes, compressing repeats', () => {
    const repetitive = Uint8Array.from({ length: 300_000 }, (_, i) => (i % 7) * 31);
    const noise = Uint8Array.from({ length: 100_000 }, (_, i) => (Math.imul(i, 2654435761) >>> 24) & 0xff);
    for (const input of [new Uint8Array(0), Uint8Array.of(42), repetitive, noise]) {
      const compressed = snappyCompress(input);
      const output = new Uint8Array(input.length);
      snappyUncompress(compressed, output);
      expect(output).toEqual(input);
    }
    expect(snappyCompress(repetitive).length).toBeLessThan(repetitive.length / 10);
  });

  it('still exports writePageHeader, writeMetadata and writeRleBitPackedHybrid (the RLE benchmark) as functions', () => {
    expect(typeof writePageHeader).toBe('function');
    expect(typeof writeMetadata).toBe('function');
    expect(typeof writeRleBitPackedHybrid).toBe('function');
  });

  it('writeMetadata writes a footer hyparquet reads back: schema, decimal annotation, key-value metadata', () => {
    const metadata = parquetMetadata(emptyFile(new ByteWriter()));
    expect(metadata.schema.map((element) => element.name)).toEqual(['root', 'id', 'amount']);
    expect(metadata.schema[2]).toMatchObject({
      type: 'INT64',
      repetition_type: 'OPTIONAL',
      converted_type: 'DECIMAL',
      precision: 12,
      scale: 2,
    });
    expect(metadata.num_rows).toBe(0n);
    expect(metadata.key_value_metadata).toEqual([{ key: 'rows', value: '0' }]);
  });

  it('writePageHeader writes a DATA_PAGE_V2 header hyparquet decodes to the same fields', () => {
    const writer = new ByteWriter();
    writePageHeader(writer, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: 40,
      compressed_page_size: 30,
      data_page_header_v2: {
        num_values: 5,
        num_nulls: 1,
        num_rows: 5,
        encoding: 'RLE_DICTIONARY',
        definition_levels_byte_length: 4,
        repetition_levels_byte_length: 0,
        is_compressed: false,
      },
    });
    const header = parquetHeader({ view: new DataView(writer.getBuffer()), offset: 0 });
    expect(header).toMatchObject({
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: 40,
      compressed_page_size: 30,
      data_page_header_v2: { num_values: 5, num_nulls: 1, num_rows: 5, encoding: 'RLE_DICTIONARY', is_compressed: false },
    });
  });

  it('writePageHeader writes a DICTIONARY_PAGE header hyparquet decodes to the same fields', () => {
    const writer = new ByteWriter();
    writePageHeader(writer, {
      type: 'DICTIONARY_PAGE',
      uncompressed_page_size: 12,
      compressed_page_size: 12,
      dictionary_page_header: { num_values: 3, encoding: 'PLAIN' },
    });
    const header = parquetHeader({ view: new DataView(writer.getBuffer()), offset: 0 });
    expect(header).toMatchObject({ type: 'DICTIONARY_PAGE', dictionary_page_header: { num_values: 3, encoding: 'PLAIN' } });
  });

  it('GrowableByteWriter (a ByteWriter subclass over its buffer, view and ensure) writes the same bytes', () => {
    const plain = new Uint8Array(emptyFile(new ByteWriter()));
    const growable = new GrowableByteWriter();
    growable.appendUint32(MAGIC);
    const start = growable.offset;
    writeMetadata(growable, FOOTER);
    growable.appendUint32(growable.offset - start);
    growable.appendUint32(MAGIC);
    expect(Array.from(growable.takeBytes())).toEqual(Array.from(plain));
  });
});
