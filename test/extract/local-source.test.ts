/**
 * The whole system locally: a generated totesys source database, changed between runs,
 * ingested by the ingest stage, transformed and loaded by the real code; the warehouse is
 * checked against expectations computed independently from the generator's history.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { simulateIngestion } from '../../local/generator';
import { ingestSource } from '../../local/ingest-source';
import { type PipelineResult, runPipeline } from '../../local/run-pipeline';
import { buildGeneratedSource } from '../../local/source/generated-source';
import { ensureSourceDatabase } from '../../local/source/source-database';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { expectedDimensions, expectedFacts, expectedSalesValue } from '../local-mode/expected-warehouse';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const SEED = 11;
const SCALE = 0.05;
const TICKS = 3;

let warehouse: TestDatabase;
let sourceName: string;
let sourceUrl: string;
let stateDir: string;
let client: pg.Client;
let first: PipelineResult;

async function ingestAndLoad(): Promise<PipelineResult> {
  await buildGeneratedSource({
    sourceUrl,
    recordPath: join(stateDir, 'source.json'),
    seed: SEED,
    scale: SCALE,
    ticks: TICKS,
    ingest: () => ingestSource({ sourceUrl, stateDir, log: silentLog, metrics: noMetrics }),
    progress: () => {},
  });
  return runPipeline({
    ingestion: new FileObjectStore(join(stateDir, 'ingestion')),
    processed: new FileObjectStore(join(stateDir, 'processed')),
    parameters: new FileParameterStore(join(stateDir, 'parameters.json')),
    databaseUrl: warehouse.url,
    log: silentLog,
    metrics: noMetrics,
    progress: () => {},
  });
}

async function lines(sql: string): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(sql);
  return rows.map((r) => r.line).sort();
}

beforeAll(async () => {
  warehouse = await createTestDatabase();
  sourceName = `source_${randomBytes(5).toString('hex')}`;
  sourceUrl = await ensureSourceDatabase(inject('databaseUrl'), sourceName);
  stateDir = await mkdtemp(join(tmpdir(), 'local-source-'));
  first = await ingestAndLoad();
  client = new pg.Client({ connectionString: warehouse.url });
  await client.connect();
}, 300_000);

afterAll(async () => {
  await client?.end();
  await warehouse?.drop();
  const server = newPostgresClient(inject('databaseUrl'));
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${sourceName} WITH (FORCE)`);
  await server.end();
});

describe('local mode from a source database', () => {
  const history = simulateIngestion({ seed: SEED, scale: SCALE, laterRuns: TICKS });

  it('ingests each run as objects the transform accepts, nothing rejected or failed', async () => {
    expect(first.failedObjects).toEqual([]);
    expect(first.load.batchesFailed).toEqual([]);
    expect(first.transformed.length).toBeGreaterThan(11);
    expect(first.transformed.every((t) => t.outcome === 'processed' && t.rowsRejected === 0)).toBe(true);
    const salesOrderKeys = await readdir(join(stateDir, 'ingestion', 'sales_order'));
    expect(salesOrderKeys.sort()[0]).toMatch(/^0000000001_\d{8}T\d{9}\.jsonl\.gz$/);
  });

  it('carries when the ingest run read the source to the loader: a freshness lag locally too', async () => {
    expect(first.load.freshnessLagMaxSeconds).toBeGreaterThanOrEqual(0);
  });

  it('holds every fact version exactly once and dimensions at the latest source values', async () => {
    const expected = expectedFacts(history);
    const sales = `SELECT concat_ws('|', sales_order_id, created_date, to_char(created_time, 'HH24:MI:SS.MS'), last_updated_date,
            to_char(last_updated_time, 'HH24:MI:SS.MS'), sales_staff_id, counterparty_id, units_sold, unit_price, currency_id,
            design_id, agreed_payment_date, agreed_delivery_date, agreed_delivery_location_id) AS line FROM fact_sales_order`;
    expect(await lines(sales)).toEqual([...expected.sales].sort());
    const payments = `SELECT concat_ws('|', payment_id, created_date, to_char(created_time, 'HH24:MI:SS.MS'), last_updated_date,
            to_char(last_updated_time, 'HH24:MI:SS.MS'), transaction_id, counterparty_id, payment_amount, currency_id,
            payment_type_id, paid, payment_date) AS line FROM fact_payment`;
    expect(await lines(payments)).toEqual([...expected.payments].sort());
    const dims = expectedDimensions(history);
    const staff = `SELECT concat_ws('|', staff_id, first_name, last_name, department_name, coalesce(location, '∅'), email_address) AS line FROM dim_staff`;
    expect(await lines(staff)).toEqual([...dims.dim_staff].sort());
    const { rows } = await client.query<{ total: string }>('SELECT sum(units_sold * unit_price)::text AS total FROM fact_sales_order');
    expect(rows[0]!.total).toBe(expectedSalesValue(history));
  });

  it('adds nothing when run again: no new object, no new row', async () => {
    const count = `SELECT (SELECT count(*) FROM fact_sales_order) + (SELECT count(*) FROM fact_payment) + (SELECT count(*) FROM fact_purchase_order) AS n`;
    const before = await client.query(count);
    const objectsBefore = first.transformed.length;
    const again = await ingestAndLoad();
    expect(again.transformed).toHaveLength(objectsBefore);
    expect(again.transformed.every((t) => t.outcome === 'skipped')).toBe(true);
    expect(again.load.batchesLoaded).toBe(0);
    expect((await client.query(count)).rows).toEqual(before.rows);
  });
});
