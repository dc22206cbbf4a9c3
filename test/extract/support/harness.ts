/**
 * A real Postgres source (a fresh totesys-shaped database), the real S3 and SSM adapters
 * over in-memory fakes, and the real pg source adapter: runExtract exactly as the Lambda
 * wires it.
 */
import { gunzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import pg from 'pg';
import { S3ExtractStore } from '../../../lambdas/adapters/aws/s3-extract-store';
import { SsmParameterStore } from '../../../lambdas/adapters/aws/ssm-parameter-store';
import { PgSourceDatabase } from '../../../lambdas/adapters/pg/totesys-source';
import { ExtractLayout } from '../../../lambdas/core/extract/extract-layout';
import type { SourceDatabase } from '../../../lambdas/core/extract/ports';
import { type ExtractRunOptions, type ExtractRunSummary, runExtract } from '../../../lambdas/core/extract/run-extract';
import type { LogAttributes, Metrics } from '../../../lambdas/core/ports';
import { sourceDatabaseDdl } from '../../../local/source/source-ddl';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { FakeSsm } from '../../support/ssm-mock';
import { ConditionalS3 } from './conditional-s3';

export const INGESTION = 'ingestion-bucket';
export const PROCESSED = 'processed-bucket';
const PARAMETER_PATH = '/totesys/ingest';

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly attributes?: LogAttributes;
}

export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly dimensions?: Record<string, string>;
}

export class ExtractHarness {
  readonly s3 = new ConditionalS3();
  readonly ssm = new FakeSsm();
  readonly layout = new ExtractLayout({ ingestionPrefix: 'landing', parameterPath: PARAMETER_PATH });
  readonly logs: LogLine[] = [];
  readonly metricPoints: MetricPoint[] = [];
  readonly ingestion: S3ExtractStore;
  readonly processed = new S3ExtractStore(new S3Client({ region: 'eu-west-2' }), PROCESSED);
  private clients: pg.Client[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly source: SourceDatabase,
    partBytes?: number,
  ) {
    this.ingestion = new S3ExtractStore(new S3Client({ region: 'eu-west-2' }), INGESTION, partBytes);
  }

  static async create(options: { partBytes?: number } = {}): Promise<ExtractHarness> {
    const database = await createTestDatabase();
    const harness = new ExtractHarness(database, sourceAt(database.url), options.partBytes);
    await harness.sql(sourceDatabaseDdl().join(';\n'));
    return harness;
  }

  async dispose(): Promise<void> {
    for (const client of this.clients) await client.end().catch(() => {});
    this.s3.restore();
    this.ssm.restore();
    await this.database.drop();
  }

  /** A new connection to the source, closed by dispose (for transactions left open). */
  async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.database.url });
    await client.connect();
    this.clients.push(client);
    return client;
  }

  async sql(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.database.url });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  run(options: ExtractRunOptions = {}, source: SourceDatabase = this.source): Promise<ExtractRunSummary> {
    const metrics: Metrics = { record: (name, value, _unit, dimensions) => this.metricPoints.push({ name, value, dimensions }) };
    return runExtract(
      {
        source,
        ingestion: this.ingestion,
        state: this.processed,
        parameters: new SsmParameterStore(new SSMClient({ region: 'eu-west-2' })),
        layout: this.layout,
        log: {
          debug: (message, attributes) => this.logs.push({ level: 'debug', message, attributes }),
          info: (message, attributes) => this.logs.push({ level: 'info', message, attributes }),
          warn: (message, attributes) => this.logs.push({ level: 'warn', message, attributes }),
          error: (message, attributes) => this.logs.push({ level: 'error', message, attributes }),
        },
        metrics,
        gzipLevel: 6,
      },
      options,
    );
  }

  /** Keys under the ingestion prefix for `table`. */
  keys(table: string): string[] {
    return this.s3.keys(INGESTION, `landing/${table}/`);
  }

  /** The rows of an ingestion object, decoded (the key must exist). */
  lines(key: string): string[] {
    const object = this.s3.get(INGESTION, key);
    if (!object) throw new Error(`no object ${key}`);
    return gunzipSync(object.body)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
  }

  rows(key: string): Record<string, unknown>[] {
    return this.lines(key).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  state(table: string): { sequence: number; cursor?: { xmin: string; xmax: string } } | undefined {
    const text = this.ssm.parameters.get(`${PARAMETER_PATH}/${table}`);
    return text === undefined ? undefined : JSON.parse(text);
  }
}

export function sourceAt(url: string): SourceDatabase {
  const parsed = new URL(url);
  return new PgSourceDatabase({
    config: { connectionString: url },
    description: `${parsed.hostname}:${parsed.port}${parsed.pathname}`,
    secrets: [decodeURIComponent(parsed.password)],
  });
}

/** A run that completed (not "busy"); fails the test otherwise. */
export function done(summary: ExtractRunSummary): Extract<ExtractRunSummary, { status: 'done' }> {
  if (summary.status !== 'done') throw new Error(`expected a completed run, got ${JSON.stringify(summary)}`);
  return summary;
}

export async function insertSalesOrder(
  harness: ExtractHarness,
  id: number,
  overrides: { unitPrice?: string; lastUpdated?: string; createdAt?: string; units?: number } = {},
  client?: pg.Client,
): Promise<void> {
  const text = `INSERT INTO sales_order (sales_order_id, design_id, staff_id, counterparty_id, units_sold, unit_price, currency_id,
      agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id, created_at, last_updated)
    VALUES ($1, 3, 19, 8, $2, $3, 1, '2022-11-10', '2022-11-03', 8, $4, $5)`;
  const values = [
    id,
    overrides.units ?? 42_972,
    overrides.unitPrice ?? '3.94',
    overrides.createdAt ?? '2022-11-03 14:20:52.186',
    overrides.lastUpdated ?? '2022-11-03 14:20:52.186',
  ];
  if (client) await client.query(text, values);
  else await harness.sql(text, values);
}
