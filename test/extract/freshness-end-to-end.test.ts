/**
 * Freshness through all three stages as the Lambdas wire them (real adapters over the
 * in-memory S3 and SSM, a real Postgres source and warehouse): the ingest run's read time
 * travels as object metadata, then in the manifest, and the loader reports the lag from
 * it to the commit.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { connectPostgres } from '../../lambdas/adapters/pg/connect';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { S3ObjectStore } from '../../lambdas/adapters/aws/s3-object-store';
import { SsmParameterStore } from '../../lambdas/adapters/aws/ssm-parameter-store';
import { ProcessedLayout } from '../../lambdas/core/layout';
import { loadPendingBatches } from '../../lambdas/core/load/loader';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { RecordingLog, RecordingMetrics } from '../support/recorders';
import { ExtractHarness, INGESTION, PROCESSED, done, insertSalesOrder } from './support/harness';

process.env.TZ = 'Pacific/Kiritimati';

let h: ExtractHarness;
let warehouse: TestDatabase;

beforeEach(async () => {
  h = await ExtractHarness.create();
  warehouse = await createTestDatabase();
});

afterEach(async () => {
  await h.dispose();
  await warehouse.drop();
});

it('reports FreshnessLag from the ingest run that read a change to the load that committed it', async () => {
  await insertSalesOrder(h, 1);
  done(await h.run());
  const [key] = h.keys('sales_order');
  const readAt = (await h.ingestion.metadata(key!))!['source-read-at']!;

  const ingestion = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), INGESTION);
  const processed = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), PROCESSED);
  const layout = new ProcessedLayout('processed/');
  const transformed = await transformObject(
    {
      ingestion,
      processed,
      layout,
      parameters: new SsmParameterStore(new SSMClient({ region: 'eu-west-2' })),
      sequenceParameterPath: '/totesys/transform',
      log: silentLog,
      metrics: new RecordingMetrics(),
    },
    { key: key! },
  );
  expect(transformed.outcome).toBe('processed');

  // The load commits 7 minutes 3.25 seconds after the ingest run read the source.
  const committedAt = Date.parse(readAt) + 423_250;
  const metrics = new RecordingMetrics();
  const summary = await loadPendingBatches(
    {
      connect: () => connectPostgres(warehouse.url),
      store: processed,
      layout,
      log: new RecordingLog(),
      metrics,
      now: () => committedAt,
    },
    { deadline: Infinity },
  );

  expect(summary.batchesLoaded).toBe(1);
  expect(metrics.points.filter((point) => point.name === LoadMetric.FreshnessLag)).toEqual([
    { name: LoadMetric.FreshnessLag, value: 423.25, unit: 'Seconds', dimensions: { table: 'sales_order' } },
  ]);
  expect(summary.freshnessLagMaxSeconds).toBe(423.25);
});
