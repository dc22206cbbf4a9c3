/**
 * DuckDB as an independent oracle: it reads the Parquet files we write with its own
 * reader, so logical types and values are checked by someone else's code.
 */
import { DuckDBInstance } from '@duckdb/node-api';

export async function duckdbQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
