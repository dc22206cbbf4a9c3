/**
 * The transform against fake AWS: real S3ObjectStore and SsmParameterStore adapters over
 * in-memory S3 and SSM (aws-sdk-client-mock), recording Log and Metrics.
 */
import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { SsmParameterStore } from '../../../lambdas/adapters/aws/ssm-parameter-store';
import { type BatchManifest, ProcessedLayout, ingestionKey } from '../../../lambdas/core/layout';
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';
import { type TransformDeps, type TransformRequest, transformObject } from '../../../lambdas/core/transform/transform-object';
import { FakeS3 } from '../../support/s3-mock';
import { FakeSsm } from '../../support/ssm-mock';
import { type Row, parquetRows } from '../../support/parquet-rows';
import { RecordingLog, RecordingMetrics } from '../../support/recorders';

export const INGESTION_BUCKET = 'totesys-ingestion';
export const PROCESSED_BUCKET = 'totesys-processed';
const PROCESSED_PREFIX = 'processed/';
const PARAMETER_PATH = '/totesys/transform';

export class TransformHarness {
  readonly s3 = new FakeS3();
  readonly ssm = new FakeSsm();
  readonly layout = new ProcessedLayout(PROCESSED_PREFIX);
  log = new RecordingLog();
  metrics = new RecordingMetrics();
  private now = Date.UTC(2024, 10, 14, 12, 0, 0);

  reset(): void {
    this.s3.reset();
    this.ssm.reset();
    this.log = new RecordingLog();
    this.metrics = new RecordingMetrics();
  }

  deps(overrides: Partial<TransformDeps> = {}): TransformDeps {
    return {
      ingestion: new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), INGESTION_BUCKET),
      processed: new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), PROCESSED_BUCKET),
      layout: this.layout,
      parameters: new SsmParameterStore(new SSMClient({ region: 'eu-west-2' })),
      sequenceParameterPath: PARAMETER_PATH,
      log: this.log,
      metrics: this.metrics,
      clock: () => (this.now += 5),
      ...overrides,
    };
  }

  /** Puts an ingestion object of JSON Lines (objects are JSON.stringified, strings kept raw). */
  ingest(
    table: SourceTableName,
    sequence: number,
    lines: readonly (string | Record<string, unknown>)[],
    options: { gzip?: boolean; watermark?: string; prefix?: string; metadata?: Record<string, string> } = {},
  ): { key: string; etag: string } {
    const key = `${options.prefix ?? ''}${ingestionKey(table, sequence, options.watermark ?? '20241114T093012345', options.gzip)}`;
    const text = `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`;
    const body = options.gzip ? gzipSync(text) : text;
    const object = this.s3.put(INGESTION_BUCKET, key, body, undefined, options.metadata);
    return { key, etag: object.etag.replace(/"/g, '') };
  }

  transform(object: TransformRequest, overrides: Partial<TransformDeps> = {}) {
    return transformObject(this.deps(overrides), object);
  }

  manifest(table: SourceTableName, sequence: number): BatchManifest | undefined {
    const text = this.s3.text(PROCESSED_BUCKET, this.layout.manifest(table, sequence));
    return text === undefined ? undefined : (JSON.parse(text) as BatchManifest);
  }

  /** The rows of one warehouse table in a batch (read with the exact reader). */
  async rows(table: SourceTableName, sequence: number, warehouseTable: string): Promise<Row[] | undefined> {
    const object = this.s3.get(PROCESSED_BUCKET, this.layout.batchFile(table, sequence, warehouseTable as never));
    return object && parquetRows(object.body);
  }

  parquet(table: SourceTableName, sequence: number, warehouseTable: string): Uint8Array | undefined {
    return this.s3.get(PROCESSED_BUCKET, this.layout.batchFile(table, sequence, warehouseTable as never))?.body;
  }

  lastSequence(table: SourceTableName): string | undefined {
    return this.ssm.parameters.get(`${PARAMETER_PATH}/${table}/last-processed-sequence`);
  }

  /** What the transform published (the lock's lease left out). */
  processedKeys(): string[] {
    return this.s3.publishedKeys(PROCESSED_BUCKET);
  }
}
