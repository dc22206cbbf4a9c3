import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../lambdas/core/ports';
import { warehouseStatus } from '../../lambdas/core/warehouse/status';
import { CURRENT_SCHEMA_VERSION } from '../../lambdas/core/warehouse/migrations';
import { LoadTestEnvironment } from './support/warehouse';
import { dims, facts } from './support/rows';

const env = new LoadTestEnvironment();
beforeAll(() => env.start());
afterAll(() => env.stop());

/** The store, remembering where each listing of the staff manifests started. */
function recordingStore(): { store: ObjectStore; staffStarts: (string | undefined)[] } {
  const staffStarts: (string | undefined)[] = [];
  const store: ObjectStore = {
    getStream: (key) => env.store.getStream(key),
    get: (key) => env.store.get(key),
    getBytes: (key) => env.store.getBytes(key),
    head: (key) => env.store.head(key),
    put: (key, body, options) => env.store.put(key, body, options),
    putIf: (key, body, condition, options) => env.store.putIf(key, body, condition, options),
    list: (prefix, startAfter) => {
      if (prefix === env.layout.manifestsPrefix('staff')) staffStarts.push(startAfter);
      return env.store.list(prefix, startAfter);
    },
  };
  return { store, staffStarts };
}

const staffBatch = (sequence: number) =>
  env.bucket.writeBatch({ sourceTable: 'staff', sequence, tables: { dim_staff: [dims.staff({ staff_id: sequence })] } });

describe('finding pending batches', () => {
  it('lists each table from after its last contiguously loaded batch, so a late batch is still found', async () => {
    for (const sequence of [1, 2, 3, 5]) await staffBatch(sequence);
    const first = recordingStore();
    expect((await env.load({ store: first.store })).batchesLoaded).toBe(4);
    expect(first.staffStarts).toEqual([undefined]);

    // 4 is missing, so listing restarts after 3: batch 4, arriving late, is found.
    await staffBatch(4);
    const second = recordingStore();
    const run = await env.load({ store: second.store });
    expect(run.batchesLoaded).toBe(1);
    expect(second.staffStarts).toEqual([env.layout.manifest('staff', 3)]);

    const third = recordingStore();
    expect((await env.load({ store: third.store })).batchesLoaded).toBe(0);
    expect(third.staffStarts).toEqual([env.layout.manifest('staff', 5)]);
  });
});

describe('the warehouse status', () => {
  it('reports placeholders outstanding, batches and last sequence per source table, and rows per table', async () => {
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 1,
      tables: { fact_sales_order: [facts.salesOrder({ sales_staff_id: 1, counterparty_id: 8 })] },
    });
    await env.load();
    const client = await env.connect();
    try {
      const status = await warehouseStatus(client);
      expect(status.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
      expect(status.placeholdersOutstanding).toEqual({
        dim_staff: 0,
        dim_location: 1,
        dim_currency: 1,
        dim_design: 1,
        dim_counterparty: 1,
        dim_payment_type: 0,
        dim_transaction: 0,
      });
      expect(status.placeholdersTotal).toBe(4);
      expect(status.sourceTables.staff).toMatchObject({ batchesLoaded: 5, lastLoadedSequence: 5 });
      expect(status.sourceTables.sales_order).toMatchObject({ batchesLoaded: 1, lastLoadedSequence: 1 });
      expect(status.sourceTables.payment).toEqual({ batchesLoaded: 0, lastLoadedSequence: 0, lastLoadedAt: null });
      expect(status.sourceTables.staff.lastLoadedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(status.rows).toMatchObject({ dim_staff: 5, fact_sales_order: 1, dim_date: 3, fact_payment: 0 });
    } finally {
      await client.end();
    }
  });
});
