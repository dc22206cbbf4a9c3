/**
 * Ingest benchmark (`npm run bench:ingest`): a sales_order table of N rows (default
 * 1,000,000) extracted by the ingest stage into one .jsonl.gz object, against
 * `COPY (SELECT row_to_json(t) FROM sales_order t) TO STDOUT` piped through gzip at the
 * same level, in the same run (a cost reference: it encodes timestamps and numerics its
 * own way).
 *
 * Goals: ratio (ingest rows/s over reference rows/s) ≥ 0.5; the ingest process's peak
 * RSS < 300 MB. Postgres is embedded (or DATABASE_URL); buckets and parameters are local
 * directories. Each timed phase runs in a child process, bundled as the Lambdas are
 * (lambda-bundle.ts). The last line is JSON.
 *
 * BENCH_ROWS overrides the row count.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_TABLES } from '../lambdas/core/schema/source-tables';
import { type RunningPostgres, startEmbeddedPostgres } from '../local/embedded-postgres';
import { sourceTableDdl } from '../local/source/source-ddl';
import { GZIP_LEVEL } from './ingest/phases-constants';
import { newPostgresClient } from '../lambdas/adapters/pg/connect';
import { bundleLikeLambda, runBundle } from './lambda-bundle';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const GOAL_RATIO = 0.5;
const GOAL_PEAK_RSS_MB = 300;

const work = await mkdtemp(join(tmpdir(), 'totesys-bench-ingest-'));
const phasesBundle = await bundleLikeLambda(join(import.meta.dirname, 'ingest', 'phases.ts'), work);
let postgres: RunningPostgres | undefined;
const serverUrl =
  process.env.DATABASE_URL ??
  (postgres = await startEmbeddedPostgres({ dataDir: await mkdtemp(join(tmpdir(), 'totesys-bench-pg-')), ephemeral: true })).url;
const database = `bench_ingest_${randomBytes(4).toString('hex')}`;
const target = new URL(serverUrl);
target.pathname = `/${database}`;
const url = target.toString();

async function sql(connectionString: string, text: string): Promise<void> {
  const client = newPostgresClient(connectionString);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function phase(name: 'ingest' | 'reference', dir: string): Record<string, number> {
  return runBundle<Record<string, number>>(phasesBundle, [name, url, dir]);
}

try {
  await sql(serverUrl, `CREATE DATABASE ${database}`);
  for (const statement of sourceTableDdl(SOURCE_TABLES.sales_order)) await sql(url, statement);
  // Realistic values: prices to the cent, millisecond timestamps, dates a week ahead.
  await sql(
    url,
    `INSERT INTO sales_order
     SELECT i, 1 + i % 10, 1 + i % 20, 1 + i % 20, 1000 + (i::bigint * 7919) % 99000, ((i::bigint * 104729) % 99900 + 100) / 100.0, 1 + i % 3,
            to_char(date '2022-11-03' + (i % 700), 'YYYY-MM-DD'), to_char(date '2022-11-05' + (i % 700), 'YYYY-MM-DD'), 1 + i % 30,
            timestamp '2022-11-03 14:20:51.563' + i * interval '1.237 second',
            timestamp '2022-11-03 14:20:51.563' + i * interval '1.237 second'
     FROM generate_series(1, ${ROWS}) AS i`,
  );
  await sql(url, 'VACUUM ANALYZE sales_order');
  console.error(`sales_order: ${ROWS} rows; running the reference, then the ingest stage`);

  const reference = phase('reference', work);
  const ingest = phase('ingest', work);
  const rowsPerSec = Math.round(ROWS / ingest.seconds!);
  const referenceRowsPerSec = Math.round(ROWS / reference.seconds!);
  const ratio = Math.round((rowsPerSec / referenceRowsPerSec) * 100) / 100;
  const result = {
    rows: ROWS,
    gzipLevel: GZIP_LEVEL,
    seconds: Math.round(ingest.seconds! * 100) / 100,
    referenceSeconds: Math.round(reference.seconds! * 100) / 100,
    rowsPerSec,
    referenceRowsPerSec,
    ratio,
    peakRssMb: ingest.peakRssMb,
    referencePeakRssMb: reference.peakRssMb,
    objectBytes: ingest.bytes,
    referenceBytes: reference.bytes,
    goals: { ratio: GOAL_RATIO, peakRssMb: GOAL_PEAK_RSS_MB },
    met: ratio >= GOAL_RATIO && ingest.peakRssMb! < GOAL_PEAK_RSS_MB,
  };
  if (ingest.rows !== ROWS) throw new Error(`the object holds ${ingest.rows} rows, expected ${ROWS}`);
  console.log(JSON.stringify(result));
} finally {
  await sql(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
  await postgres?.stop();
  await rm(work, { recursive: true, force: true });
}
