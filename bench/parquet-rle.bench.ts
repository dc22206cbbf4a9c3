/**
 * RLE / bit-packing comparison (`npx tsx bench/parquet-rle.bench.ts`): the Parquet writer's
 * own encoder (lambdas/core/parquet/rle.ts) against hyparquet-writer's, on the transform
 * benchmark's data. The fact_sales_order file is written as the transform writes it, its
 * integer columns read back and dictionary-encoded per row group exactly as column-chunk.ts
 * does; then both encoders encode those same index arrays, alternating, and the bytes and
 * the best time of each are printed (the last line is JSON). lambdas/core/parquet/README.md
 * records the figures. BENCH_ROWS overrides the row count, BENCH_RUNS the rounds.
 */
import { Readable } from 'node:stream';
import { ByteWriter } from 'hyparquet-writer';
import { writeRleBitPackedHybrid } from '../lambdas/core/parquet/hyparquet-writer-internals';
import { readIngestionObject } from '../lambdas/core/objects';
import { bitWidth, intDictionary } from '../lambdas/core/parquet/dictionary';
import { readParquetColumns } from '../lambdas/core/parquet/reader';
import { encodeRleBitPacked } from '../lambdas/core/parquet/rle';
import { DEFAULT_ROW_GROUP_SIZE } from '../lambdas/core/parquet/writer';
import { silentLog } from '../lambdas/core/ports';
import { SOURCE_TABLES } from '../lambdas/core/schema/source-tables';
import { BatchOutput } from '../lambdas/core/transform/batch-output';
import { createRemodeller } from '../lambdas/core/transform/remodellers';
import { generateSalesOrderLines } from '../local/generator';

const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface RleInput {
  readonly indexes: Int32Array;
  readonly width: number;
}

/** The dictionary index arrays the writer RLE-encodes for the benchmark's fact file. */
async function rleInputs(): Promise<RleInput[]> {
  const output = new BatchOutput();
  const remodeller = createRemodeller('sales_order', { sourceKey: 'bench', sequence: 1, output, state: new Map(), log: silentLog });
  const lines = Readable.from(generateSalesOrderLines({ seed: 42, rows: ROWS }));
  for await (const batch of readIngestionObject(lines, { objectKey: 'bench', table: SOURCE_TABLES.sales_order, gzip: false })) {
    for (const parsed of batch.rows) remodeller.accept(parsed.row);
  }
  const file = await readParquetColumns(output.finish('fact_sales_order', {}));
  const inputs: RleInput[] = [];
  for (const values of file.columns.values()) {
    const wide = typeof values[0] === 'bigint';
    if (typeof values[0] !== 'number' && !wide) continue;
    for (let start = 0; start < values.length; start += DEFAULT_ROW_GROUP_SIZE) {
      const group = values.slice(start, start + DEFAULT_ROW_GROUP_SIZE);
      const words = wide ? new Int32Array(BigInt64Array.from(group as bigint[]).buffer) : Int32Array.from(group as number[]);
      const dictionary = intDictionary(words, group.length, wide ? 2 : 1);
      if (dictionary) inputs.push({ indexes: dictionary.indexes, width: bitWidth(dictionary.size - 1) });
    }
  }
  return inputs;
}

function ours(input: RleInput): number {
  return encodeRleBitPacked(input.indexes, 0, input.indexes.length, input.width).length;
}

function hyparquetWriters(input: RleInput): number {
  // Sized as ours sizes its output, so that neither pays for growing a buffer.
  const writer = new ByteWriter(Math.ceil(input.indexes.length / 8) * (input.width + 8) + 16);
  return writeRleBitPackedHybrid(writer, input.indexes, input.width);
}

function timed(encode: (input: RleInput) => number, inputs: readonly RleInput[]): { ms: number; bytes: number } {
  const started = performance.now();
  let bytes = 0;
  for (const input of inputs) bytes += encode(input);
  return { ms: performance.now() - started, bytes };
}

const inputs = await rleInputs();
const best = { ours: Infinity, hyparquetWriter: Infinity };
let bytes = { ours: 0, hyparquetWriter: 0 };
for (let run = 0; run < RUNS; run++) {
  const a = timed(ours, inputs);
  const b = timed(hyparquetWriters, inputs);
  best.ours = Math.min(best.ours, a.ms);
  best.hyparquetWriter = Math.min(best.hyparquetWriter, b.ms);
  bytes = { ours: a.bytes, hyparquetWriter: b.bytes };
}
const values = inputs.reduce((sum, input) => sum + input.indexes.length, 0);
console.log(`${inputs.length} dictionary-encoded column chunks, ${values.toLocaleString('en')} indexes`);
console.log(`ours            : ${best.ours.toFixed(2)} ms, ${bytes.ours} bytes`);
console.log(`hyparquet-writer: ${best.hyparquetWriter.toFixed(2)} ms, ${bytes.hyparquetWriter} bytes`);
console.log(
  JSON.stringify({
    benchmark: 'parquet-rle',
    rows: ROWS,
    chunks: inputs.length,
    values,
    oursMs: Number(best.ours.toFixed(2)),
    hyparquetWriterMs: Number(best.hyparquetWriter.toFixed(2)),
    oursBytes: bytes.ours,
    hyparquetWriterBytes: bytes.hyparquetWriter,
  }),
);
