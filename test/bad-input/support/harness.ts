/**
 * Bad input through the real transform path: an ingestion object put in a mocked S3 as
 * raw bytes, transformed by the core (real S3 and SSM adapters over FakeS3 and FakeSsm),
 * and what came out read back: the rejected rows as written to the processed bucket, and
 * the Parquet files with the exact reader.
 */
import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { connectPostgres } from '../../../lambdas/adapters/pg/connect';
import { S3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { SsmParameterStore } from '../../../lambdas/adapters/aws/ssm-parameter-store';
import type { RejectedRow } from '../../../lambdas/core/objects';
import { type BatchManifest, ProcessedLayout, ingestionKey } from '../../../lambdas/core/layout';
import { type LoadSummary, loadPendingBatches } from '../../../lambdas/core/load/loader';
import type { CellValue } from '../../../lambdas/core/schema/column-types';
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';
import type { WarehouseTableName } from '../../../lambdas/core/schema/warehouse-tables';
import { type TransformDeps, type TransformSummary, transformObject } from '../../../lambdas/core/transform/transform-object';
import { parquetRows } from '../../support/parquet-rows';
import { FakeS3 } from '../../support/s3-mock';
import { FakeSsm } from '../../support/ssm-mock';
import { RecordingLog, RecordingMetrics } from '../../support/recorders';

const INGESTION_BUCKET = 'totesys-ingestion';
const PROCESSED_BUCKET = 'totesys-processed';
const PROCESSED_PREFIX = 'processed/';
const PARAMETER_PATH = '/totesys/transform';
const WATERMARK = '20241114T093012345';

export type Row = Record<string, CellValue>;

export interface TransformOutcome {
  readonly key: string;
  readonly summary?: TransformSummary;
  readonly error?: Error;
}

export class BadInputHarness {
  readonly s3 = new FakeS3();
  readonly ssm = new FakeSsm();
  readonly layout = new ProcessedLayout(PROCESSED_PREFIX);
  readonly processed = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), PROCESSED_BUCKET);
  log = new RecordingLog();
  metrics = new RecordingMetrics();

  reset(): void {
    this.s3.reset();
    this.ssm.reset();
    this.log = new RecordingLog();
    this.metrics = new RecordingMetrics();
  }

  restore(): void {
    this.s3.restore();
    this.ssm.restore();
  }

  /** The key an object of `table` number `sequence` gets (optionally under a prefix). */
  key(table: SourceTableName, sequence: number, options: { gzip?: boolean; prefix?: string } = {}): string {
    return `${options.prefix ?? ''}${ingestionKey(table, sequence, WATERMARK, options.gzip)}`;
  }

  /** Lands `body` (bytes, or text encoded as UTF-8) under `key` and transforms it. */
  async transform(
    key: string,
    body: string | Uint8Array,
    options: { gzip?: boolean; deps?: Partial<TransformDeps> } = {},
  ): Promise<TransformOutcome> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const stored = this.s3.put(INGESTION_BUCKET, key, options.gzip ? gzipSync(bytes) : bytes);
    try {
      return { key, summary: await transformObject(this.deps(options.deps), { key, etag: stored.etag.replace(/"/g, '') }) };
    } catch (error) {
      return { key, error: error as Error };
    }
  }

  deps(overrides: Partial<TransformDeps> = {}): TransformDeps {
    return {
      ingestion: new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), INGESTION_BUCKET),
      processed: this.processed,
      layout: this.layout,
      parameters: new SsmParameterStore(new SSMClient({ region: 'eu-west-2' })),
      sequenceParameterPath: PARAMETER_PATH,
      log: this.log,
      metrics: this.metrics,
      ...overrides,
    };
  }

  /**
   * Loads every batch the transforms published into the warehouse at `databaseUrl` (the
   * core, as the Load Lambda runs it); throws unless each batch loaded.
   */
  async load(databaseUrl: string): Promise<LoadSummary> {
    const summary = await loadPendingBatches(
      {
        connect: () => connectPostgres(databaseUrl),
        store: this.processed,
        layout: this.layout,
        log: new RecordingLog(),
        metrics: new RecordingMetrics(),
      },
      { deadline: Date.now() + 60_000 },
    );
    if (summary.batchesFailed.length > 0) throw new Error(`load failed: ${JSON.stringify(summary)}`);
    return summary;
  }

  /** The rejected rows written for a batch, in order (none when there is no rejected object). */
  rejected(table: SourceTableName, sequence: number): RejectedRow[] {
    const text = this.s3.text(PROCESSED_BUCKET, this.layout.rejected(table, sequence));
    if (text === undefined) return [];
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as RejectedRow);
  }

  manifest(table: SourceTableName, sequence: number): BatchManifest | undefined {
    const text = this.s3.text(PROCESSED_BUCKET, this.layout.manifest(table, sequence));
    return text === undefined ? undefined : (JSON.parse(text) as BatchManifest);
  }

  /** A warehouse table's rows in a batch, read with the exact Parquet reader ([] when the batch has no such file). */
  async rows(table: SourceTableName, sequence: number, target: WarehouseTableName): Promise<Row[]> {
    const object = this.s3.get(PROCESSED_BUCKET, this.layout.batchFile(table, sequence, target));
    if (!object) return [];
    return parquetRows(object.body);
  }

  /** What the transform published (the lock's lease left out). */
  processedKeys(): string[] {
    return this.s3.publishedKeys(PROCESSED_BUCKET);
  }

  lastSequence(table: SourceTableName): string | undefined {
    return this.ssm.parameters.get(`${PARAMETER_PATH}/${table}/last-processed-sequence`);
  }
}
