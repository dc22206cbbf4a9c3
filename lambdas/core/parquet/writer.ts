/**
 * Streams rows of one warehouse table into a Parquet file held in memory. Rows are
 * buffered column by column and encoded a row group at a time, so memory stays bounded
 * by the row group size plus the (compressed) output.
 */
import { ParquetWriter } from 'hyparquet-writer';
import { snappyCompressor } from 'hysnappy';
import type { CellValue } from '../schema/column-types';
import { VERSION_HASH_COLUMN, type WarehouseTableDefinition } from '../schema/warehouse-tables';
import { ChunkedByteWriter } from './chunked-byte-writer';
import { parquetSchema } from './schema';

export const DEFAULT_ROW_GROUP_SIZE = 100_000;

/** WebAssembly Snappy: several times faster than hyparquet-writer's JavaScript one. */
let snappy: ((input: Uint8Array) => Uint8Array) | undefined;
function compressSnappy(input: Uint8Array): Uint8Array {
  snappy ??= snappyCompressor();
  return snappy(input);
}

export class ParquetTableWriter {
  readonly table: WarehouseTableDefinition;
  private readonly output = new ChunkedByteWriter();
  private readonly writer: ParquetWriter;
  private readonly rowGroupSize: number;
  private columns: CellValue[][];
  private buffered = 0;
  private written = 0;

  constructor(table: WarehouseTableDefinition, options: { rowGroupSize?: number } = {}) {
    this.table = table;
    this.rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    this.writer = new ParquetWriter({
      writer: this.output,
      schema: parquetSchema(table),
      codec: 'SNAPPY',
      compressors: { SNAPPY: compressSnappy },
      createdBy: 'totesys-elt',
    });
    this.columns = this.emptyColumns();
  }

  get rowCount(): number {
    return this.written + this.buffered;
  }

  /** Appends one row: values in the table's column order. */
  append(row: readonly CellValue[]): void {
    const columns = this.columns;
    for (let i = 0; i < columns.length; i++) columns[i]!.push(row[i] ?? null);
    if (++this.buffered >= this.rowGroupSize) this.flush();
  }

  /** Finishes the file with key-value metadata and returns its bytes. */
  finish(metadata: Readonly<Record<string, string>>): Uint8Array {
    this.flush();
    this.writer.kvMetadata = Object.entries({ ...metadata, rows: String(this.written) }).map(
      ([key, value]) => ({ key, value }),
    );
    this.writer.finish();
    return this.output.takeBytes();
  }

  private flush(): void {
    if (this.buffered === 0) return;
    this.writer.write({
      columnData: this.table.columns.map((column, i) => ({
        name: column.name,
        data: this.columns[i]!,
        nullable: column.nullable === true,
        // A version hash is unique random hex: a dictionary never pays and its min/max
        // say nothing, so skip trying both.
        ...(column.name === VERSION_HASH_COLUMN ? { encoding: 'PLAIN' as const, statistics: false } : {}),
      })),
      rowGroupSize: this.buffered,
    });
    this.written += this.buffered;
    this.buffered = 0;
    this.columns = this.emptyColumns();
  }

  private emptyColumns(): CellValue[][] {
    return this.table.columns.map(() => []);
  }
}
