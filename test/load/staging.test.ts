/**
 * Values a file decodes to that no warehouse column formatter takes (a file the checks let
 * through but whose pages hold something else): a decode error naming row and column, which
 * the loader turns into its batch's failure, and the connection carries on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';
import type { ParquetFile, RowGroupColumns } from '../../lambdas/core/parquet/reader';
import { DIMENSION_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { FileDecodeError, copyIntoStaging } from '../../lambdas/core/load/staging';
import { type TestDatabase, createTestDatabase } from '../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** A decoded file as the reader hands it over: one row group of the given columns. */
function decodedFile(columns: Record<string, unknown[]>, rowCount: number): ParquetFile {
  async function* rowGroups(): AsyncGenerator<RowGroupColumns> {
    yield { rowStart: 0, rowCount, columns: new Map(Object.entries(columns)) };
  }
  return { metadata: {} as ParquetFile['metadata'], rowCount, schema: [], keyValueMetadata: {}, rowGroups };
}

it('a value its column formatter cannot take fails as a decode error naming row and column; the session carries on', async () => {
  const client = newPostgresClient(db.url);
  await client.connect();
  try {
    await client.query('BEGIN');
    const file = decodedFile(
      {
        currency_id: [1, 2],
        currency_code: ['GBP', Symbol('not text')],
        currency_name: ['British Pound', 'Euro'],
        source_version: ['1', '1'],
      },
      2,
    );
    const copying = copyIntoStaging(client, DIMENSION_TABLES.dim_currency, file);
    await expect(copying).rejects.toBeInstanceOf(FileDecodeError);
    await expect(copying).rejects.toThrow(/^cannot be decoded: row 2, column "currency_code": /);
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  } finally {
    await client.end();
  }
});
