/**
 * Transform benchmark (`npm run bench:transform`): a generated 1,000,000-row sales_order
 * ingestion object → fact_sales_order Parquet with the real transform core, against DuckDB
 * doing the same conversion in the same run (the reference).
 *
 * Goals: at least one third of DuckDB's throughput on every core, at least DuckDB's on one
 * core (equal cores: the transform uses one, and a 1024 MB Lambda has less than one vCPU);
 * peak RSS under 250 MB. Each side runs
 * in its own child process, so each peak RSS is its own. The last line printed is a JSON
 * object. BENCH_ROWS overrides the row count; BENCH_RUNS the runs per side (default 3,
 * interleaved; the best of each side is kept: a shared machine's speed can drift by tens of per
 * cent between runs, and the best run is the one least disturbed).
 * The transform runs as Lambda runs it: bundled with the Lambdas' settings (lambda-bundle.ts).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ingestionKey } from '../lambdas/core/layout';
import { generateSalesOrderLines } from '../local/generator';
import { bundleLikeLambda, runBundle } from './lambda-bundle';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_RATIO = 1 / 3;
const GOAL_RATIO_ONE_THREAD = 1;
const GOAL_RSS_MB = 250;

interface ChildResult {
  readonly durationMs: number;
  readonly peakRssMb: number;
  readonly [field: string]: number;
}

/** The reference's child (DuckDB is native code: how its script is loaded does not matter). */
function runDuckdb(args: readonly string[]): ChildResult {
  const script = 'run-duckdb.ts';
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'transform', script), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`${script} failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

function best(results: readonly ChildResult[]): ChildResult {
  return results.reduce((a, b) => (b.durationMs < a.durationMs ? b : a));
}

const work = await mkdtemp(join(tmpdir(), 'totesys-bench-transform-'));
try {
  const key = ingestionKey('sales_order', 1, '20241114T093012345');
  const input = join(work, 'ingestion', key);
  await mkdir(dirname(input), { recursive: true });
  process.stdout.write(`generating ${ROWS.toLocaleString('en')} sales_order rows… `);
  const file = createWriteStream(input);
  for (const chunk of generateSalesOrderLines({ seed: 42, rows: ROWS })) {
    if (!file.write(chunk)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
  console.log('done');

  const transformBundle = await bundleLikeLambda(join(import.meta.dirname, 'transform', 'run-transform.ts'), work);
  const ours: ChildResult[] = [];
  const reference: ChildResult[] = [];
  const referenceOneThread: ChildResult[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    await rm(join(work, 'processed'), { recursive: true, force: true });
    await rm(join(work, 'parameters.json'), { force: true });
    ours.push(runBundle<ChildResult>(transformBundle, [join(work, 'ingestion'), join(work, 'processed'), key]));
    reference.push(runDuckdb([input, join(work, 'duckdb.parquet')]));
    referenceOneThread.push(runDuckdb([input, join(work, 'duckdb-1.parquet'), '1']));
  }
  const transform = best(ours);
  const duckdb = best(reference);
  const duckdbOneThread = best(referenceOneThread);
  if (transform.rowsOut !== ROWS || duckdb.rows !== ROWS || duckdbOneThread.rows !== ROWS) {
    throw new Error(
      `row counts differ: transform ${transform.rowsOut}, DuckDB ${duckdb.rows} and ${duckdbOneThread.rows}, expected ${ROWS}`,
    );
  }
  const peakRssMb = Math.max(...ours.map((r) => r.peakRssMb));
  const rowsPerSec = ROWS / (transform.durationMs / 1000);
  const referenceRowsPerSec = ROWS / (duckdb.durationMs / 1000);
  const ratio = rowsPerSec / referenceRowsPerSec;
  const referenceOneThreadRowsPerSec = ROWS / (duckdbOneThread.durationMs / 1000);
  const ratioOneThread = rowsPerSec / referenceOneThreadRowsPerSec;
  console.log(
    `transform : ${Math.round(rowsPerSec).toLocaleString('en')} rows/s (${(transform.durationMs / 1000).toFixed(2)} s), peak RSS ${peakRssMb.toFixed(0)} MB`,
  );
  console.log(`DuckDB    : ${Math.round(referenceRowsPerSec).toLocaleString('en')} rows/s (${(duckdb.durationMs / 1000).toFixed(2)} s)`);
  console.log(
    `DuckDB 1t : ${Math.round(referenceOneThreadRowsPerSec).toLocaleString('en')} rows/s (${(duckdbOneThread.durationMs / 1000).toFixed(2)} s, one thread)`,
  );
  console.log(`ratio     : ${ratio.toFixed(3)} (goal ≥ ${GOAL_RATIO.toFixed(3)}) ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}`);
  console.log(
    `ratio 1t  : ${ratioOneThread.toFixed(3)} (goal ≥ ${GOAL_RATIO_ONE_THREAD.toFixed(3)}) ${ratioOneThread >= GOAL_RATIO_ONE_THREAD ? 'met' : 'NOT met'}`,
  );
  console.log(`peak RSS  : ${peakRssMb.toFixed(0)} MB (goal < ${GOAL_RSS_MB} MB) ${peakRssMb < GOAL_RSS_MB ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      benchmark: 'transform',
      rows: ROWS,
      rowsPerSec: Math.round(rowsPerSec),
      referenceRowsPerSec: Math.round(referenceRowsPerSec),
      ratio: Number(ratio.toFixed(4)),
      referenceOneThreadRowsPerSec: Math.round(referenceOneThreadRowsPerSec),
      ratioOneThread: Number(ratioOneThread.toFixed(4)),
      peakRssMb: Number(peakRssMb.toFixed(1)),
      duckdbPeakRssMb: Number(duckdb.peakRssMb.toFixed(1)),
      goalRatio: Number(GOAL_RATIO.toFixed(4)),
      goalRatioOneThread: GOAL_RATIO_ONE_THREAD,
      goalPeakRssMb: GOAL_RSS_MB,
    }),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
