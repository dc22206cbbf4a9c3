/**
 * Streams rows of one warehouse table into a Parquet file held in memory. Rows are
 * buffered column by column in typed arrays (column-buffers.ts) and encoded a row group
 * at a time (column-chunk.ts), so memory stays bounded by the row group size plus the
 * encoded output, which grows in place (growable-byte-writer.ts). hyparquet-writer
 * supplies the Thrift page headers and file metadata; values, RLE/bit-packing and
 * dictionaries are encoded here, from typed arrays.
 */
import type { ColumnChunk, RowGroup, SchemaElement } from 'hyparquet';
import { writeMetadata } from './hyparquet-writer-internals';
import { snappyCompress } from './snappy';
import { VERSION_HASH_COLUMN, type WarehouseTableDefinition } from '../schema/warehouse-tables';
import { GrowableByteWriter } from './growable-byte-writer';
import {
  type Appender,
  type ColumnBuffer,
  DirectRows,
  type PhysicalKind,
  type WriterValue,
  columnBuffer,
  compileAppender,
} from './column-buffers';

export type { DirectRows, WriterValue } from './column-buffers';
import { type ChunkOptions, writeColumnChunk } from './column-chunk';
import { PageCompression } from './page-compression';
import { parquetSchema } from './schema';

export const DEFAULT_ROW_GROUP_SIZE = 100_000;

const MAGIC = 0x31524150; // "PAR1"

/** Each table's compiled appender: one per process, warm from one file to the next. */
const appenders = new WeakMap<WarehouseTableDefinition, Appender>();

function appenderFor(table: WarehouseTableDefinition, columns: readonly ColumnBuffer[]): Appender {
  let appender = appenders.get(table);
  if (appender === undefined) {
    appender = compileAppender(columns);
    appenders.set(table, appender);
  }
  return appender;
}

export class ParquetTableWriter {
  readonly table: WarehouseTableDefinition;
  private readonly schema: SchemaElement[];
  private readonly output = new GrowableByteWriter();
  private readonly rowGroupSize: number;
  private readonly columns: ColumnBuffer[];
  private readonly appendToColumns: Appender;
  private readonly chunkOptions: ChunkOptions[];
  private readonly compression: PageCompression[];
  private readonly rowGroups: RowGroup[] = [];
  private buffered = 0;
  private direct: DirectRows | undefined;
  private written = 0;

  constructor(table: WarehouseTableDefinition, options: { rowGroupSize?: number } = {}) {
    this.table = table;
    this.rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
    this.schema = parquetSchema(table);
    const leaves = this.schema.slice(1);
    this.columns = table.columns.map((column, i) => columnBuffer(column, i, leaves[i]!.type as PhysicalKind));
    this.appendToColumns = appenderFor(table, this.columns);
    // A version hash is unique random hex: a dictionary never pays and its min/max say
    // nothing, so neither is attempted.
    this.chunkOptions = table.columns.map((column) => ({
      statistics: column.name !== VERSION_HASH_COLUMN,
      dictionary: column.name !== VERSION_HASH_COLUMN,
    }));
    this.compression = table.columns.map(() => new PageCompression(snappyCompress));
    this.output.appendUint32(MAGIC);
  }

  get rowCount(): number {
    return this.written + this.buffered;
  }

  /** Appends one row: values in the table's column order (copied: the caller may reuse the array). */
  append(row: readonly WriterValue[]): void {
    this.appendToColumns(this.columns, row);
    this.rowAppended();
  }

  /**
   * The column buffers, for code compiled for this table that writes whole rows into them
   * (column-buffers.ts DirectRows); rows written either way may be mixed.
   */
  directRows(): DirectRows {
    this.direct ??= new DirectRows(this.columns, () => this.rowAppended());
    return this.direct;
  }

  private rowAppended(): void {
    if (++this.buffered >= this.rowGroupSize) this.flush();
  }

  /** Finishes the file with key-value metadata and returns its bytes. */
  finish(metadata: Readonly<Record<string, string>>): Uint8Array {
    this.flush();
    writeMetadata(this.output, {
      version: 2,
      created_by: 'totesys-elt',
      schema: this.schema,
      num_rows: BigInt(this.written),
      row_groups: this.rowGroups,
      metadata_length: 0,
      key_value_metadata: Object.entries({ ...metadata, rows: String(this.written) }).map(([key, value]) => ({
        key,
        value,
      })),
    });
    this.output.appendUint32(MAGIC);
    return this.output.takeBytes();
  }

  /** Encodes the buffered rows as one row group. */
  private flush(): void {
    if (this.buffered === 0) return;
    const start = this.output.offset;
    const leaves = this.schema.slice(1);
    const chunks: ColumnChunk[] = this.columns.map((column, i) =>
      writeColumnChunk(this.output, leaves[i]!, column, this.chunkOptions[i]!, this.compression[i]!),
    );
    this.rowGroups.push({
      columns: chunks,
      total_byte_size: chunks.reduce((sum, chunk) => sum + (chunk.meta_data?.total_uncompressed_size ?? 0n), 0n),
      num_rows: BigInt(this.buffered),
      total_compressed_size: BigInt(this.output.offset - start),
    });
    for (const column of this.columns) column.clear();
    this.written += this.buffered;
    this.buffered = 0;
  }
}
