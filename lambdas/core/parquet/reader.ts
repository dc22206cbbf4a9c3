/**
 * Reads a Parquet file written by ParquetTableWriter back into exact typed values
 * (see CellValue): DECIMAL as unscaled bigint, DATE as days, TIME as milliseconds.
 * hyparquet would otherwise turn DECIMAL into a binary float and DATE into a Date.
 */
import { type FileMetaData, type SchemaElement, parquetMetadata, parquetRead } from 'hyparquet';
import type { CellValue } from '../schema/column-types';

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

export async function readParquetColumns(bytes: Uint8Array): Promise<ParquetColumns> {
  const file = toArrayBuffer(bytes);
  const metadata = parquetMetadata(file);
  // Strip DECIMAL annotations so the reader hands back the raw unscaled integers.
  const rawMetadata: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((element) =>
      element.converted_type === 'DECIMAL'
        ? { ...element, converted_type: undefined, logical_type: undefined }
        : element,
    ),
  };
  const leaves = metadata.schema.slice(1);
  let rows: unknown[][] = [];
  await parquetRead({
    file,
    metadata: rawMetadata,
    parsers: { dateFromDays: (days: number) => days },
    onComplete: (result: unknown[][]) => {
      rows = result;
    },
  });
  const columns = new Map<string, CellValue[]>();
  leaves.forEach((element, index) => {
    const decimal = element.converted_type === 'DECIMAL';
    columns.set(
      element.name,
      rows.map((row) => normalise(row[index], decimal)),
    );
  });
  return {
    rowCount: Number(metadata.num_rows),
    columns,
    schema: metadata.schema,
    metadata: Object.fromEntries((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? ''])),
  };
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
