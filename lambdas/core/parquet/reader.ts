/**
 * The project's one exact Parquet read, for files written by ParquetTableWriter: values
 * come back as CellValue conventions (DECIMAL as the unscaled integer, DATE as days, TIME
 * as milliseconds). hyparquet would otherwise turn DECIMAL into a binary float and DATE
 * into a Date.
 *
 * `openParquetFile` reads one row group at a time, column by column, so memory stays
 * bounded by one row group however large the file (what lets a big first load fit in a
 * Lambda); `readParquetColumns` reads a whole (small) file through it.
 */
import { type FileMetaData, type SchemaElement, parquetMetadata, parquetScan } from 'hyparquet';
import type { CellValue } from '../schema/column-types';

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

export interface ParquetColumns {
  readonly rowCount: number;
  /** Column name → values, in file order. */
  readonly columns: ReadonlyMap<string, CellValue[]>;
  readonly schema: readonly SchemaElement[];
  readonly metadata: Readonly<Record<string, string>>;
}

export function readParquetMetadata(bytes: Uint8Array): FileMetaData {
  return parquetMetadata(toArrayBuffer(bytes));
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

/** Every column of a file, whole, as exact values (null for a missing value). */
export async function readParquetColumns(bytes: Uint8Array): Promise<ParquetColumns> {
  const file = openParquetFile(bytes);
  const leaves = file.schema;
  const columns = new Map<string, CellValue[]>(leaves.map((element) => [element.name, []]));
  for await (const group of file.rowGroups(leaves.map((element) => element.name))) {
    for (const element of leaves) {
      const decimal = element.converted_type === 'DECIMAL';
      const target = columns.get(element.name) ?? [];
      for (const value of Array.from(group.columns.get(element.name) ?? [])) target.push(normalise(value, decimal));
    }
  }
  return { rowCount: file.rowCount, columns, schema: file.metadata.schema, metadata: file.keyValueMetadata };
}

async function* readRowGroups(file: ArrayBuffer, metadata: FileMetaData, columnNames: readonly string[]): AsyncGenerator<RowGroupColumns> {
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

function normalise(value: unknown, decimal: boolean): CellValue {
  if (value === undefined || value === null) return null;
  if (decimal) return BigInt(value as number | bigint);
  return value as CellValue;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}
