/**
 * The freshness lag: seconds from the ingest run that read a batch's rows (the manifest's
 * sourceReadAt) to the load that committed it, per source table, with the run's maximum
 * in its summary. Batches without sourceReadAt (objects from other jobs) report none.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { dims, facts } from './support/rows';
import { LoadTestEnvironment } from './support/warehouse';

// The lag is between two instants: the machine's zone must not matter.
process.env.TZ = 'Pacific/Kiritimati';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

const COMMITTED_AT = Date.parse('2024-11-14T12:00:00.000Z');

describe('the freshness lag', () => {
  it("is reported per source table when a batch commits, from its sourceReadAt to the loader's clock", async () => {
    await env.bucket.writeBatch({
      sourceTable: 'staff',
      sequence: 1,
      sourceReadAt: '2024-11-14T11:50:00.000Z',
      tables: { dim_staff: [dims.staff()] },
    });
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      // An offset other than Z names the same instant: 11:47:29.500Z.
      sourceReadAt: '2024-11-14T13:47:29.500+02:00',
      tables: { fact_sales_order: [facts.salesOrder()] },
    });

    const run = await env.load({ now: () => COMMITTED_AT });

    expect(run.batchesLoaded).toBe(2);
    expect(run.metrics.points.filter((point) => point.name === LoadMetric.FreshnessLag)).toEqual(
      expect.arrayContaining([
        { name: 'FreshnessLag', value: 600, unit: 'Seconds', dimensions: { table: 'staff' } },
        { name: 'FreshnessLag', value: 750.5, unit: 'Seconds', dimensions: { table: 'sales_order' } },
      ]),
    );
    expect(run.metrics.points.filter((point) => point.name === LoadMetric.FreshnessLag)).toHaveLength(2);
    expect(run.freshnessLagMaxSeconds).toBe(750.5);
    expect(run.log.at('info')).toContainEqual(
      expect.objectContaining({
        message: 'batch loaded',
        attributes: expect.objectContaining({
          batch: 'sales_order/0000000001',
          sourceReadAt: '2024-11-14T13:47:29.500+02:00',
          freshnessLagSeconds: 750.5,
        }),
      }),
    );
    expect(run.log.at('info')).toContainEqual(
      expect.objectContaining({ message: 'load run finished', attributes: expect.objectContaining({ freshnessLagMaxSeconds: 750.5 }) }),
    );
  });

  it('is not reported for a batch without sourceReadAt, nor for one that fails to load', async () => {
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
    // A manifest whose file is missing: the batch fails and stays pending.
    await env.bucket.writeManifest({ sourceTable: 'sales_order', sequence: 1, sourceReadAt: '2024-11-14T11:50:00.000Z', tables: {} }, [
      { table: 'fact_sales_order', key: env.layout.batchFile('sales_order', 1, 'fact_sales_order'), rows: 1 },
    ]);

    const run = await env.load({ now: () => COMMITTED_AT });

    expect(run.batchesLoaded).toBe(1);
    expect(run.batchesFailed).toHaveLength(1);
    expect(run.metrics.points.filter((point) => point.name === LoadMetric.FreshnessLag)).toEqual([]);
    expect(run).not.toHaveProperty('freshnessLagMaxSeconds');
  });

  it("is never negative when the loader's clock is behind the ingest host's", async () => {
    await env.bucket.writeBatch({
      sourceTable: 'staff',
      sequence: 1,
      sourceReadAt: '2024-11-14T12:00:02.000Z',
      tables: { dim_staff: [dims.staff()] },
    });
    const run = await env.load({ now: () => COMMITTED_AT });
    expect(run.metrics.points.find((point) => point.name === LoadMetric.FreshnessLag)?.value).toBe(0);
  });
});
