/**
 * A fresh warehouse database per test file, and what the tests need around it: loader
 * dependencies over a mocked S3, connections that read values back exactly, and a
 * snapshot of every table for before/after comparisons.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { ProcessedLayout } from '../../../lambdas/core/layout';
import type { LoadOptions, LoaderDependencies, LoadSummary } from '../../../lambdas/core/load/loader';
import { loadPendingBatches } from '../../../lambdas/core/load/loader';
import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_NAMES, type WarehouseTableName } from '../../../lambdas/core/schema/warehouse-tables';
import { type TestDatabase, createTestDatabase } from '../../support/database';
import { FakeS3 } from '../../support/s3-mock';
import { RecordingLog, RecordingMetrics } from '../../support/recorders';
import { ProcessedBucket } from './processed-bucket';
import type { Row } from './rows';
import { type PostgresClient, newPostgresClient } from '../../../lambdas/adapters/pg/connect';

export const BUCKET = 'totesys-processed';

export class LoadTestEnvironment {
  readonly s3 = new FakeS3();
  readonly store = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), BUCKET);
  readonly layout = new ProcessedLayout('processed/');
  readonly bucket = new ProcessedBucket(this.store, this.layout);
  private database: TestDatabase | undefined;

  get url(): string {
    return this.database!.url;
  }

  async start(): Promise<void> {
    this.database = await createTestDatabase();
  }

  async stop(): Promise<void> {
    this.s3.restore();
    await this.database?.drop();
  }

  /** A new connected client that reads dates, times and numerics as the server's text. */
  connect = async (): Promise<PostgresClient> => {
    const client = newPostgresClient(this.url);
    await client.connect();
    return client;
  };

  deps(overrides: Partial<LoaderDependencies> = {}): LoaderDependencies & { log: RecordingLog; metrics: RecordingMetrics } {
    return {
      connect: this.connect,
      store: this.store,
      layout: this.layout,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      ...overrides,
    } as LoaderDependencies & { log: RecordingLog; metrics: RecordingMetrics };
  }

  /** One loader run with a generous budget. */
  async load(
    overrides: Partial<LoaderDependencies> = {},
    options: Partial<LoadOptions> = {},
  ): Promise<LoadSummary & { log: RecordingLog; metrics: RecordingMetrics }> {
    const deps = this.deps(overrides);
    const summary = await loadPendingBatches(deps, { deadline: Date.now() + 60_000, ...options });
    return { ...summary, log: deps.log, metrics: deps.metrics };
  }

  async query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    const client = await this.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Every row of a warehouse table in key order (facts by natural key, then surrogate key). */
  async rows(table: WarehouseTableName): Promise<Row[]> {
    const definition = WAREHOUSE_TABLES[table];
    const order = definition.kind === 'fact' ? `${definition.naturalKey}, ${definition.surrogateKey}` : definition.primaryKey;
    return this.query(`SELECT * FROM public.${table} ORDER BY ${order}`);
  }

  async count(table: WarehouseTableName): Promise<number> {
    const [row] = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${table}`);
    return row!.n;
  }

  /** All 11 tables and the ledger: equal snapshots mean nothing changed, not even loaded_at. */
  async snapshot(): Promise<Record<string, Row[]>> {
    const snapshot: Record<string, Row[]> = {};
    for (const table of WAREHOUSE_TABLE_NAMES) snapshot[table] = await this.rows(table);
    snapshot.ledger = await this.query('SELECT * FROM etl_control.loaded_batch ORDER BY source_table, sequence');
    return snapshot;
  }
}
