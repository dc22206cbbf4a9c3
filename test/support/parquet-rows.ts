/** Reads a Parquet file back into row objects, with the exact reader the loader uses. */
import { readParquetColumns } from '../../lambdas/core/parquet/reader';
import type { CellValue } from '../../lambdas/core/schema/column-types';

export type Row = Record<string, CellValue>;

export async function parquetRows(bytes: Uint8Array): Promise<Row[]> {
  const { rowCount, columns } = await readParquetColumns(bytes);
  return Array.from({ length: rowCount }, (_, i) => Object.fromEntries([...columns].map(([name, values]) => [name, values[i] ?? null])));
}
