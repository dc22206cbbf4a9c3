/**
 * Reading a batch's Parquet file one row group at a time, column by column, with exact
 * values (the same conventions as core/parquet/reader.ts: DECIMAL as the unscaled
 * integer, DATE as days, TIME as milliseconds). Memory stays bounded by one row group
 * however large the file, which is what lets a big first load fit in a Lambda.
 */
import { type FileMetaData, type SchemaElement, parquetMetadata, parquetScan } from 'hyparquet';

export interface RowGroupColumns {
  readonly rowStart: number;
  readonly rowCount: number;
  /** Column name → that row group's values (typed arrays for non-null numbers). */
  readonly columns: ReadonlyMap<string, ArrayLike<unknown>>;
}

export interface ParquetFile {
  readonly metadata: FileMetaData;
  readonly rowCount: number;
  /** The top-level columns (leaves of a flat schema). */
  readonly schema: readonly SchemaElement[];
  readonly keyValueMetadata: Readonly<Record<string, string>>;
  rowGroups(columnNames: readonly string[]): AsyncGenerator<RowGroupColumns>;
}

/** Parses the footer; throws hyparquet's error for bytes that are not Parquet. */
export function openParquetFile(bytes: Uint8Array): ParquetFile {
  const file = toArrayBuffer(bytes);
  const metadata = parquetMetadata(file);
  return {
    metadata,
    rowCount: Number(metadata.num_rows),
    schema: metadata.schema.slice(1),
    keyValueMetadata: Object.fromEntries((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? ''])),
    rowGroups: (columnNames) => readRowGroups(file, metadata, columnNames),
  };
}

async function* readRowGroups(
  file: ArrayBuffer,
  metadata: FileMetaData,
  columnNames: readonly string[],
): AsyncGenerator<RowGroupColumns> {
  // Without DECIMAL annotations hyparquet hands back the raw unscaled integers instead
  // of binary floats; dates stay day numbers.
  const exact: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((element) =>
      element.converted_type === 'DECIMAL' ? { ...element, converted_type: undefined, logical_type: undefined } : element,
    ),
  };
  const scan = await parquetScan({
    file,
    metadata: exact,
    columns: [...columnNames],
    parsers: { dateFromDays: (days: number) => days },
  });
  for (const { rowStart, rowEnd } of scan.ranges) {
    const columns = new Map<string, ArrayLike<unknown>>();
    for (const column of columnNames) {
      columns.set(column, await scan.readColumn({ column, rowStart, rowEnd }));
    }
    yield { rowStart, rowCount: rowEnd - rowStart, columns };
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}
