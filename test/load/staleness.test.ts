/**
 * What the warehouse-stale alarm watches: OldestUnattemptedBatchAge, the age of the oldest
 * batch a run did not get to. A batch that keeps failing is attempted every run, so it
 * shows in BatchesFailed and OldestPendingBatchAge (dashboard) but not here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { LoadTestEnvironment } from './support/warehouse';
import { dims, facts } from './support/rows';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

const twoHoursAgo = () => new Date(Date.now() - 2 * 3_600_000).toISOString();

describe('the age of the oldest batch not yet attempted', () => {
  it('is 0 while one batch keeps failing and the others load', async () => {
    // staff/1 names a file that is not there: it fails every run.
    await env.bucket.writeManifest({ sourceTable: 'staff', sequence: 1, transformedAt: twoHoursAgo(), tables: {} }, [
      { table: 'dim_staff', key: env.layout.batchFile('staff', 1, 'dim_staff'), rows: 1 },
    ]);
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: [facts.salesOrder()] } });
    for (let run = 0; run < 2; run++) {
      const summary = await env.load();
      expect(summary.batchesFailed.map((f) => f.batch)).toEqual(['staff/0000000001']);
      expect(summary.metrics.total(LoadMetric.BatchesFailed)).toBe(1);
      expect(summary.metrics.total(LoadMetric.OldestPendingBatchAge)).toBeGreaterThanOrEqual(7200);
      expect(summary.metrics.total(LoadMetric.OldestUnattemptedBatchAge)).toBe(0);
      await env.bucket.writeBatch({
        sourceTable: 'address',
        sequence: run + 1,
        tables: { dim_location: [dims.location({ location_id: run + 1 })] },
      });
    }
    expect(await env.count('dim_location')).toBe(1);
  });

  it('is the waiting time of the batches a run left for lack of time', async () => {
    for (let sequence = 1; sequence <= 3; sequence++) {
      await env.bucket.writeBatch({
        sourceTable: 'staff',
        sequence,
        transformedAt: twoHoursAgo(),
        tables: { dim_staff: [dims.staff({ staff_id: sequence })] },
      });
    }
    // A clock that jumps ten minutes each time a batch finishes; the budget is five.
    let clock = Date.now();
    const log = env.deps().log;
    const info = log.info.bind(log);
    log.info = (message, attributes) => {
      info(message, attributes);
      if (message === 'batch loaded') clock += 600_000;
    };
    const run = await env.load({ log, now: () => clock }, { deadline: clock + 300_000 });
    expect(run.outcome).toBe('deadline');
    expect(run.batchesFailed).toEqual([]);
    expect(run.oldestUnattemptedBatchAgeSeconds).toBeGreaterThanOrEqual(7800);
    expect(run.metrics.total(LoadMetric.OldestUnattemptedBatchAge)).toBe(run.oldestUnattemptedBatchAgeSeconds);
  });
});
