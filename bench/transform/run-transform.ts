/**
 * Child process of the transform benchmark: transforms one ingestion object with the
 * real core over local stores and prints its own duration and peak RSS as JSON.
 * The object's ETag is read before timing and passed in, as the Lambda passes the one its
 * S3 event carries (otherwise the local store would hash the whole object inside the run).
 * Usage: run-transform.ts <ingestion dir> <processed dir> <object key>
 */
import { join } from 'node:path';
import { ProcessedLayout } from '../../lambdas/core/layout';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';

const [ingestionDir, processedDir, key] = process.argv.slice(2) as [string, string, string];
const ingestion = new FileObjectStore(ingestionDir);
const etag = (await ingestion.head(key))?.etag;
const started = performance.now();
const summary = await transformObject(
  {
    ingestion,
    processed: new FileObjectStore(processedDir),
    layout: new ProcessedLayout(),
    parameters: new FileParameterStore(join(processedDir, '..', 'parameters.json')),
    sequenceParameterPath: '/bench/transform',
    log: silentLog,
    metrics: noMetrics,
  },
  { key, etag },
);
const durationMs = performance.now() - started;
console.log(
  JSON.stringify({
    durationMs,
    rowsIn: summary.rowsIn,
    rowsOut: summary.rowsOut.fact_sales_order ?? 0,
    rowsRejected: summary.rowsRejected,
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
