/**
 * One timed phase of the ingest benchmark, run in its own process so its peak RSS is its
 * own: `ingest URL DIR` (the ingest stage: sales_order → one .jsonl.gz object) or
 * `reference URL DIR` (`COPY (SELECT row_to_json(t) FROM sales_order t) TO STDOUT`
 * through gzip at the same level). Prints one JSON line.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { to as copyTo } from 'pg-copy-streams';
import { PgSourceDatabase } from '../../lambdas/adapters/pg/totesys-source';
import { ExtractLayout } from '../../lambdas/core/extract/extract-layout';
import { runExtract } from '../../lambdas/core/extract/run-extract';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { FileExtractStore } from '../../local/adapters/file-extract-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';

import { GZIP_LEVEL } from './phases-constants';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const [phase, url, dir] = process.argv.slice(2) as [string, string, string];

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

if (phase === 'reference') {
  const client = newPostgresClient(url);
  await client.connect();
  const file = join(dir, 'reference.jsonl.gz');
  const started = performance.now();
  await pipeline(
    client.query(copyTo('COPY (SELECT row_to_json(t) FROM sales_order t) TO STDOUT')),
    createGzip({ level: GZIP_LEVEL }),
    createWriteStream(file),
  );
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  console.log(JSON.stringify({ seconds, bytes: (await stat(file)).size, peakRssMb: peakRssMb() }));
} else if (phase === 'ingest') {
  const parsed = new URL(url);
  const ingestion = new FileExtractStore(join(dir, 'ingestion'), join(dir, 'ingestion-metadata'));
  const started = performance.now();
  const summary = await runExtract(
    {
      source: new PgSourceDatabase({ config: { connectionString: url }, description: parsed.host, secrets: [] }),
      ingestion,
      state: new FileExtractStore(join(dir, 'processed'), join(dir, 'processed-metadata')),
      parameters: new FileParameterStore(join(dir, 'parameters.json')),
      layout: new ExtractLayout({ parameterPath: '/bench/ingest' }),
      log: silentLog,
      metrics: noMetrics,
      gzipLevel: GZIP_LEVEL,
    },
    { tables: ['sales_order'] },
  );
  const seconds = (performance.now() - started) / 1000;
  if (summary.status !== 'done' || summary.failures.length > 0 || summary.tables[0]?.outcome !== 'written') {
    throw new Error(`ingest phase did not write its object: ${JSON.stringify(summary)}`);
  }
  const table = summary.tables[0]!;
  console.log(
    JSON.stringify({ seconds, rows: table.rows, bytes: (await stat(join(dir, 'ingestion', table.key!))).size, peakRssMb: peakRssMb() }),
  );
} else {
  throw new Error(`unknown phase ${phase}`);
}
