/**
 * Local mode honours the warehouse schema setting too (`npm start -- --warehouse-schema S`,
 * e.g. with --database-url into an existing warehouse): the load, the read-back and the
 * report all use that schema, and nothing is created in `public`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { warehouseSchemas } from '../../lambdas/core/warehouse/names';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { UsageError, parseLocalOptions } from '../../local/cli-options';
import { IngestionObjectWriter, generateDataset, snapshot } from '../../local/generator';
import { summarise } from '../../local/report/summarise';
import { runPipeline } from '../../local/run-pipeline';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { withClient } from './support';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'totesys-local-schema-'));
});
afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('local mode with --warehouse-schema', () => {
  it('loads into and reports from that schema', async () => {
    const options = parseLocalOptions(['--database-url', db.url, '--warehouse-schema', 'analytics']);
    expect(options).toMatchObject({ warehouseSchema: 'analytics' });
    const schemas = warehouseSchemas('analytics');
    const ingestion = new FileObjectStore(join(dir, 'ingestion'));
    await new IngestionObjectWriter(ingestion).write(snapshot(generateDataset({ seed: 3, scale: 0.01 })));
    const result = await runPipeline({
      ingestion,
      processed: new FileObjectStore(join(dir, 'processed')),
      parameters: new FileParameterStore(join(dir, 'parameters.json')),
      databaseUrl: db.url,
      schemas,
      log: silentLog,
      metrics: noMetrics,
      progress: () => {},
    });
    expect(result.load.batchesFailed).toEqual([]);
    const summary = await summarise(result, db.url, new Date().toISOString(), schemas);
    expect(summary.warehouseTables.find((t) => t.table === 'fact_sales_order')!.rowsInWarehouse).toBeGreaterThan(0);
    expect(summary.salesByMonth.length).toBeGreaterThan(0);
    const [tables] = await withClient(
      db.url,
      async (client) =>
        (
          await client.query(
            "SELECT count(*) FILTER (WHERE table_schema = 'analytics')::int AS analytics, count(*) FILTER (WHERE table_schema = 'public')::int AS public FROM information_schema.tables",
          )
        ).rows,
    );
    // The 11 star-schema tables and the 3 current-version views.
    expect(tables).toEqual({ analytics: 14, public: 0 });
  });

  it('refuses a schema name that is not a plain one', () => {
    expect(() => parseLocalOptions(['--warehouse-schema', 'my schema'])).toThrow(UsageError);
    expect(() => parseLocalOptions(['--warehouse-schema', 'my schema'])).toThrow(
      /--warehouse-schema: "my schema" is not a plain schema name/,
    );
  });
});
