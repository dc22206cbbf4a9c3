/**
 * The timed phases of the load benchmark, each run in a child process of its own so its
 * peak RSS is its own: `load` (first load, re-run, replay), `copy` (the plain COPY) and `copy-unchecked`.
 * Prints one JSON line.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { ProcessedLayout } from '../../lambdas/core/layout';
import { loadPendingBatches } from '../../lambdas/core/load/loader';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { FACT_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const [phase, url, arg] = process.argv.slice(2) as [string, string, string];

const connect = async () => {
  const client = newPostgresClient(url);
  await client.connect();
  return client;
};

async function sql(text: string): Promise<void> {
  const client = await connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  await sql('CHECKPOINT');
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

async function loadPhase(root: string) {
  const deps = { connect, store: new FileObjectStore(root), layout: new ProcessedLayout(''), log: silentLog, metrics: noMetrics };
  const options = { deadline: Date.now() + 3_600_000 };
  const first = await timed(() => loadPendingBatches(deps, options));
  const rerun = await timed(() => loadPendingBatches(deps, options));
  await sql("DELETE FROM etl_control.loaded_batch WHERE source_table = 'sales_order' AND sequence = 2");
  const replay = await timed(() => loadPendingBatches(deps, options));
  return {
    firstMs: first.ms,
    firstRows: first.result.rowsWritten.fact_sales_order ?? 0,
    firstBatches: first.result.batchesLoaded,
    rerunMs: rerun.ms,
    rerunBatches: rerun.result.batchesLoaded,
    replayMs: replay.ms,
    replayBatches: replay.result.batchesLoaded,
    replayRowsWritten: replay.result.rowsWritten.fact_sales_order ?? 0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/**
 * `copy`: the plain COPY. `copy-unchecked`: the same with foreign-key triggers off
 * (session_replication_role = replica; needs a superuser, as the embedded Postgres is),
 * to show how much of either path the per-row foreign-key checks take.
 */
async function copyPhase(path: string, checkForeignKeys: boolean) {
  const names = FACT_TABLES.fact_sales_order.columns.map((c) => c.name).join(', ');
  const client = await connect();
  try {
    // source_batch and source_sequence are the NOT NULL columns the file does not carry.
    await client.query(
      "ALTER TABLE fact_sales_order ALTER COLUMN source_batch SET DEFAULT 'baseline', ALTER COLUMN source_sequence SET DEFAULT 1",
    );
    if (!checkForeignKeys) await client.query('SET session_replication_role = replica');
    await client.query('CHECKPOINT');
    const started = performance.now();
    const copy = client.query(copyFrom(`COPY fact_sales_order (${names}) FROM STDIN`));
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), copy);
    const ms = performance.now() - started;
    await client.query('ALTER TABLE fact_sales_order ALTER COLUMN source_batch DROP DEFAULT, ALTER COLUMN source_sequence DROP DEFAULT');
    return { ms, rows: copy.rowCount, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await client.end();
  }
}

const result = phase === 'load' ? await loadPhase(arg) : await copyPhase(arg, phase === 'copy');
console.log(JSON.stringify(result));
