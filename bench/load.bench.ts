/**
 * Load benchmark (`npm run bench:load`): N fact_sales_order rows (default 1,000,000) from
 * Parquet into Postgres, against a plain COPY of the same rows into the same table with no
 * conflict handling (the physical limit here).
 *
 * Goals: first load ≥ 60% of the plain COPY rate; re-running an already-loaded batch
 * < 1% of its first load. Postgres is embedded (or DATABASE_URL); the processed bucket
 * is a local directory. Each timed phase runs in a child process so its peak RSS is its
 * own, bundled as the Lambdas are (lambda-bundle.ts). The last line printed is a JSON object.
 *
 * BENCH_ROWS overrides the row count.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessedLayout } from '../lambdas/core/layout';
import { loadPendingBatches } from '../lambdas/core/load/loader';
import { noMetrics, silentLog } from '../lambdas/core/ports';
import { FileObjectStore } from '../lambdas/adapters/file/file-object-store';
import { type RunningPostgres, startEmbeddedPostgres } from '../local/embedded-postgres';
import { writeDimensionBatches, writeFactBatch, writeFactCopyText } from './load/dataset';
import { newPostgresClient } from '../lambdas/adapters/pg/connect';
import { bundleLikeLambda, runBundle } from './lambda-bundle';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const GOAL_RATIO = 0.6;
const GOAL_RERUN = 0.01;

const work = await mkdtemp(join(tmpdir(), 'totesys-bench-load-'));
const phasesBundle = await bundleLikeLambda(join(import.meta.dirname, 'load', 'phases.ts'), work);
let postgres: RunningPostgres | undefined;
// Its own temporary directory: as root, Postgres runs as another user, who must own it.
const serverUrl =
  process.env.DATABASE_URL ??
  (postgres = await startEmbeddedPostgres({ dataDir: await mkdtemp(join(tmpdir(), 'totesys-bench-pg-')), ephemeral: true })).url;
const database = `bench_load_${randomBytes(4).toString('hex')}`;

async function sql(url: string, text: string): Promise<void> {
  const client = newPostgresClient(url);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function phase(name: 'load' | 'copy' | 'copy-unchecked', arg: string): Record<string, number> {
  return runBundle<Record<string, number>>(phasesBundle, [name, url, arg]);
}

const target = new URL(serverUrl);
target.pathname = `/${database}`;
const url = target.toString();

try {
  await sql(serverUrl, `CREATE DATABASE ${database}`);
  const root = join(work, 'processed');
  const store = new FileObjectStore(root);
  const layout = new ProcessedLayout('');
  const connect = async () => {
    const client = newPostgresClient(url);
    await client.connect();
    return client;
  };

  // Schema and every dimension row the facts reference, loaded before anything is timed.
  await writeDimensionBatches(store, layout);
  await loadPendingBatches({ connect, store, layout, log: silentLog, metrics: noMetrics }, { deadline: Date.now() + 600_000 });

  const started = performance.now();
  await writeFactBatch(store, layout, ROWS);
  const copyText = join(work, 'facts.copy');
  await writeFactCopyText(copyText, ROWS);
  console.log(
    `generated ${ROWS.toLocaleString('en-GB')} fact rows as Parquet and COPY text in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const copyBefore = phase('copy', copyText);
  await sql(url, 'TRUNCATE fact_sales_order RESTART IDENTITY');
  const load = phase('load', root);
  await sql(url, 'TRUNCATE fact_sales_order RESTART IDENTITY');
  const copyAfter = phase('copy', copyText);
  await sql(url, 'TRUNCATE fact_sales_order RESTART IDENTITY');
  const copyUnchecked = phase('copy-unchecked', copyText);
  if (load.firstRows !== ROWS || copyBefore.rows !== ROWS || copyAfter.rows !== ROWS || copyUnchecked.rows !== ROWS) {
    throw new Error(
      `row counts do not add up: loaded ${load.firstRows}, copied ${copyBefore.rows}, ${copyAfter.rows}, ${copyUnchecked.rows}`,
    );
  }
  if (load.rerunBatches !== 0 || load.replayRowsWritten !== 0) throw new Error('the re-run or replay wrote rows');

  // The faster of two plain COPYs (one before the loader, one after): the conservative baseline.
  const copyMs = Math.min(copyBefore.ms!, copyAfter.ms!);
  const rowsPerSec = Math.round(ROWS / (load.firstMs! / 1000));
  const copyRowsPerSec = Math.round(ROWS / (copyMs / 1000));
  const uncheckedCopyRowsPerSec = Math.round(ROWS / (copyUnchecked.ms! / 1000));
  const ratio = rowsPerSec / copyRowsPerSec;
  const rerunFraction = load.rerunMs! / load.firstMs!;
  const replayFraction = load.replayMs! / load.firstMs!;
  const peakRssMb = Math.round(load.peakRssMb!);
  const ok = (pass: boolean) => (pass ? 'meets goal' : 'MISSES goal');
  console.log(
    `first load:  ${(load.firstMs! / 1000).toFixed(2)} s, ${rowsPerSec.toLocaleString('en-GB')} rows/s (Parquet read, COPY to staging, dates, placeholders, insert, ledger, commit)`,
  );
  console.log(
    `plain COPY:  ${(copyMs / 1000).toFixed(2)} s, ${copyRowsPerSec.toLocaleString('en-GB')} rows/s (runs: ${(copyBefore.ms! / 1000).toFixed(2)} s, ${(copyAfter.ms! / 1000).toFixed(2)} s)`,
  );
  console.log(
    `COPY without foreign-key checks: ${(copyUnchecked.ms! / 1000).toFixed(2)} s, ${uncheckedCopyRowsPerSec.toLocaleString('en-GB')} rows/s (context: the 9 per-row FK checks dominate both paths)`,
  );
  console.log(`ratio:       ${(ratio * 100).toFixed(1)}% of plain COPY (goal ≥ ${GOAL_RATIO * 100}%: ${ok(ratio >= GOAL_RATIO)})`);
  console.log(
    `re-run:      ${load.rerunMs!.toFixed(0)} ms = ${(rerunFraction * 100).toFixed(2)}% of the first load (goal < ${GOAL_RERUN * 100}%: ${ok(rerunFraction < GOAL_RERUN)})`,
  );
  console.log(
    `replay:      ${(load.replayMs! / 1000).toFixed(2)} s = ${(replayFraction * 100).toFixed(1)}% (ledger row deleted: every row re-read and found present)`,
  );
  console.log(`peak RSS:    ${peakRssMb} MB (loader process)`);
  console.log(
    JSON.stringify({
      rows: ROWS,
      rowsPerSec,
      copyRowsPerSec,
      uncheckedCopyRowsPerSec,
      ratio: Number(ratio.toFixed(3)),
      rerunFraction: Number(rerunFraction.toFixed(5)),
      replayFraction: Number(replayFraction.toFixed(3)),
      peakRssMb,
      firstLoadMs: Math.round(load.firstMs!),
      copyMs: Math.round(copyMs),
      rerunMs: Math.round(load.rerunMs!),
      replayMs: Math.round(load.replayMs!),
    }),
  );
} finally {
  await sql(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
  await postgres?.stop();
  await rm(work, { recursive: true, force: true });
}
