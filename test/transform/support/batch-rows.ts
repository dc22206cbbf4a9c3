/** Reads a BatchOutput's Parquet files back into row objects (via the exact reader). */
import type { BatchOutput } from '../../../lambdas/core/transform/batch-output';
import { type Row, parquetRows } from '../../support/parquet-rows';

export async function batchRows(output: BatchOutput): Promise<Record<string, Row[]>> {
  const result: Record<string, Row[]> = {};
  for (const table of output.tables()) result[table] = await parquetRows(output.finish(table, {}));
  return result;
}
