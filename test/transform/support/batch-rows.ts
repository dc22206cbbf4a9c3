/** Reads a BatchOutput's Parquet files back into row objects (via the exact reader). */
import type { BatchOutput } from '../../../lambdas/core/transform/batch-output';
import { readParquetColumns } from '../../../lambdas/core/parquet/reader';
import type { CellValue } from '../../../lambdas/core/schema/column-types';

export type Row = Record<string, CellValue>;

export async function parquetRows(bytes: Uint8Array): Promise<Row[]> {
  const { rowCount, columns } = await readParquetColumns(bytes);
  return Array.from({ length: rowCount }, (_, i) =>
    Object.fromEntries([...columns].map(([name, values]) => [name, values[i] ?? null])),
  );
}

export async function batchRows(output: BatchOutput): Promise<Record<string, Row[]>> {
  const result: Record<string, Row[]> = {};
  for (const table of output.tables()) result[table] = await parquetRows(output.finish(table, {}));
  return result;
}
