/**
 * A loader interrupted mid-batch (connection killed, database unreachable, time budget
 * spent) leaves nothing partial, loses no position, and the next run loads each batch
 * exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBatch } from '../../lambdas/core/load/load-batch';
import { prepareSession } from '../../lambdas/core/load/session';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { DEFAULT_SCHEMAS } from '../../lambdas/core/warehouse/names';
import { RecordingLog } from '../support/recorders';
import { TableLock } from './support/blocking';
import { LoadTestEnvironment } from './support/warehouse';
import { day, dims, facts } from './support/rows';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
  await env.load(); // creates the schema, so tables can be locked
});
afterEach(() => env.stop());

const salesRows = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => facts.salesOrder({ sales_order_id: from + i, created_date: day('2024-10-01') + (i % 30) }));

describe('a connection killed in the middle of a batch', () => {
  it('leaves nothing of the batch behind, and a re-run loads it exactly once', async () => {
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: salesRows(500) } });
    const lock = await TableLock.take(env.url, 'fact_sales_order');
    const deps = env.deps();
    const run = env.load(deps);
    const outcome = run.then(
      () => 'completed',
      (error: Error) => error,
    );
    try {
      const pid = await lock.waitingLoader();
      // By now the loader has claimed the ledger row, written dim_date and placeholders,
      // and waits to insert the facts.
      await lock.terminate(pid);
    } finally {
      await lock.release();
    }
    const error = await outcome;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/terminat/i);
    expect(deps.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
    // The failure names the batch it stopped in.
    expect(deps.log.at('error')).toContainEqual(
      expect.objectContaining({
        message: 'load run failed; the next run carries on from the ledger',
        attributes: expect.objectContaining({ batch: 'sales_order/0000000001' }),
      }),
    );

    // The staff batch committed before the kill; of the sales batch, nothing.
    expect(await env.query('SELECT source_table FROM etl_control.loaded_batch')).toEqual([{ source_table: 'staff' }]);
    expect(await env.count('fact_sales_order')).toBe(0);
    expect(await env.count('dim_date')).toBe(0);
    expect(await env.query('SELECT count(*)::int AS n FROM dim_staff')).toEqual([{ n: 1 }]);

    const rerun = await env.load();
    expect(rerun.batchesLoaded).toBe(1);
    expect(await env.count('fact_sales_order')).toBe(500);
    expect(await env.query("SELECT count(*)::int AS n FROM etl_control.loaded_batch WHERE source_table = 'sales_order'")).toEqual([
      { n: 1 },
    ]);
    expect((await env.load()).batchesLoaded).toBe(0);
    expect(await env.count('fact_sales_order')).toBe(500);
  });
});

describe('an unreachable database', () => {
  it('is a clear, thrown error (for the scheduler to retry) that loses no position', async () => {
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
    const unreachable = async () => {
      const client = newPostgresClient({ host: '127.0.0.1', port: 1, user: 'x', password: 'never-logged', database: 'x' });
      await client.connect();
      return client;
    };
    const deps = env.deps({ connect: unreachable });
    await expect(env.load(deps)).rejects.toThrow(/ECONNREFUSED/);
    expect(deps.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
    expect(JSON.stringify(deps.log.entries)).not.toContain('never-logged');
    expect((await env.load()).batchesLoaded).toBe(1);
  });
});

describe('two loaders at once', () => {
  it('the second skips while the first holds the run, and every batch loads once', async () => {
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: salesRows(100) } });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 2, tables: { fact_sales_order: salesRows(100, 101) } });
    const lock = await TableLock.take(env.url, 'fact_sales_order');
    const first = env.load();
    let second: Awaited<ReturnType<LoadTestEnvironment['load']>>;
    try {
      await lock.waitingLoader();
      second = await env.load();
    } finally {
      await lock.release();
    }
    expect(second.outcome).toBe('skipped');
    expect(second.batchesLoaded).toBe(0);
    expect(second.log.at('info').map((e) => e.message)).toContain('another loader is running; skipping this run');
    const done = await first;
    expect(done.batchesLoaded).toBe(2);
    expect(await env.count('fact_sales_order')).toBe(200);
  });

  it('started together, load every batch exactly once between them', async () => {
    for (let sequence = 1; sequence <= 4; sequence++) {
      await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence, tables: { fact_sales_order: salesRows(50, sequence * 100) } });
    }
    const runs = await Promise.all([env.load(), env.load(), env.load()]);
    expect(runs.reduce((n, run) => n + run.batchesLoaded, 0)).toBe(4);
    expect(await env.count('fact_sales_order')).toBe(200);
    expect(await env.query('SELECT count(*)::int AS n FROM etl_control.loaded_batch')).toEqual([{ n: 4 }]);
  });

  it('even without the run lock, the ledger row claimed in the transaction stops a batch loading twice', async () => {
    const manifest = await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: salesRows(100) } });
    const batch = { sourceTable: 'sales_order' as const, sequence: 1, manifestKey: env.layout.manifest('sales_order', 1), manifest };
    const [a, b] = await Promise.all([env.connect(), env.connect()]);
    await Promise.all([prepareSession(a), prepareSession(b)]);
    const context = (client: typeof a) => ({
      client,
      store: env.store,
      schemas: DEFAULT_SCHEMAS,
      deadline: Date.now() + 60_000,
      now: Date.now,
      log: new RecordingLog(),
    });
    const lock = await TableLock.take(env.url, 'fact_sales_order');
    try {
      const first = loadBatch(context(a), batch);
      await lock.waitingLoader(); // a holds the claim and waits on the facts
      const second = loadBatch(context(b), batch); // b's claim waits on a's
      await new Promise((resolve) => setTimeout(resolve, 200));
      await lock.release();
      const outcomes = (await Promise.all([first, second])).map((r) => r.outcome);
      expect(outcomes).toEqual(['loaded', 'already-loaded']);
    } finally {
      await a.end();
      await b.end();
    }
    expect(await env.count('fact_sales_order')).toBe(100);
  });
});

describe('the time budget', () => {
  it('stops between batches when it runs out, reports what is pending, and the next run carries on', async () => {
    const transformedAt = new Date(Date.now() - 3_600_000).toISOString();
    for (let sequence = 1; sequence <= 3; sequence++) {
      await env.bucket.writeBatch({
        sourceTable: 'sales_order',
        sequence,
        transformedAt,
        tables: { fact_sales_order: salesRows(10, sequence * 100) },
      });
    }
    // A clock that jumps ten minutes each time a batch finishes; the budget is five.
    let clock = Date.now();
    const log = new RecordingLog();
    const info = log.info.bind(log);
    log.info = (message, attributes) => {
      info(message, attributes);
      if (message === 'batch loaded') clock += 600_000;
    };
    const run = await env.load({ log, now: () => clock }, { deadline: clock + 300_000 });
    expect(run.outcome).toBe('deadline');
    expect(run.batchesLoaded).toBe(1);
    expect(run.pendingBatches).toBe(2);
    // Transformed an hour before the clock started, ten minutes ago by the jumped clock.
    expect(run.oldestPendingBatchAgeSeconds).toBeGreaterThanOrEqual(4200);
    expect(run.metrics.total(LoadMetric.PendingBatches)).toBe(2);
    expect(run.metrics.total(LoadMetric.OldestPendingBatchAge)).toBe(run.oldestPendingBatchAgeSeconds);
    expect(run.metrics.total(LoadMetric.LoadSucceeded)).toBe(1);

    const next = await env.load();
    expect(next.outcome).toBe('completed');
    expect(next.batchesLoaded).toBe(2);
    expect(await env.count('fact_sales_order')).toBe(30);
  });

  it('can be unlimited, for local runs', async () => {
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: salesRows(10) } });
    const run = await env.load({}, { deadline: Number.POSITIVE_INFINITY });
    expect(run).toMatchObject({ outcome: 'completed', batchesLoaded: 1 });
  });

  it('cancels a batch that would outlast it, rolling it back cleanly to load next run', async () => {
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: salesRows(100) } });
    const lock = await TableLock.take(env.url, 'fact_sales_order');
    let run: Awaited<ReturnType<LoadTestEnvironment['load']>>;
    try {
      // The loader waits on the lock until its statement timeout (the budget) cancels it.
      run = await env.load({}, { deadline: Date.now() + 2_000 });
    } finally {
      await lock.release();
    }
    expect(run.outcome).toBe('deadline');
    expect(run.batchesLoaded).toBe(0);
    expect(run.batchesFailed).toEqual([]);
    expect(run.pendingBatches).toBe(1);
    expect(run.log.at('warn').map((e) => e.message)).toContain('time budget reached; stopping');
    expect(await env.count('dim_date')).toBe(0);
    expect(await env.query('SELECT count(*)::int AS n FROM etl_control.loaded_batch')).toEqual([{ n: 0 }]);

    expect((await env.load()).batchesLoaded).toBe(1);
    expect(await env.count('fact_sales_order')).toBe(100);
  });
});
