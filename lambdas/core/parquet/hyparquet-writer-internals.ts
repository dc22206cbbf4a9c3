/**
 * The parts of hyparquet-writer's internal files (not its public entry point) the
 * Parquet encoder uses: the Thrift page header and the file footer (and, for tests, the
 * Snappy compressor ours is checked against). They are pinned here, in one module, so an
 * upgrade that moves or changes them fails one contract test
 * (test/parquet/hyparquet-writer-internals.test.ts) rather than the encoder at run time.
 * `ByteWriter` (public) is extended by growable-byte-writer.ts; the test pins the fields
 * that subclass relies on too.
 */
export { writePageHeader } from 'hyparquet-writer/src/datapage.js';
export { writeMetadata } from 'hyparquet-writer/src/metadata.js';
/** Only for test/parquet/snappy.test.ts: the reference our snappy.ts must match byte for byte. */
export { snappyCompress } from 'hyparquet-writer/src/snappy.js';
/** Only for bench/parquet-rle.bench.ts, which measures our RLE encoder against this one. */
export { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
