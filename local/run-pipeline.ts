/**
 * One local run: transform every ingestion object not yet processed, then load every
 * pending batch, with the same core code the Lambdas run. Returns the figures for the
 * summary and the report.
 */
import { type IngestionKey, ProcessedLayout, parseIngestionKey } from '../lambdas/core/layout';
import { loadPendingBatches, type LoadSummary } from '../lambdas/core/load';
import { PendingBatches } from '../lambdas/core/load/pending-batches';
import type { Log, Metrics, ObjectStore, ParameterStore } from '../lambdas/core/ports';
import { SOURCE_TABLE_NAMES } from '../lambdas/core/schema';
import { holderName, transformObject, type TransformSummary } from '../lambdas/core/transform';
import { DEFAULT_SCHEMAS, type WarehouseSchemas } from '../lambdas/core/warehouse';
import { connectPostgres } from '../lambdas/adapters/pg/connect';
import { LOCAL_SEQUENCE_PARAMETER_PATH } from '../lambdas/environment';

export const SEQUENCE_PARAMETER_PATH = LOCAL_SEQUENCE_PARAMETER_PATH;
/** How this run's transforms name themselves to an `ops replay` waiting for the lock. */
const NPM_START = holderName('npm start');

export interface PipelineEnvironment {
  readonly ingestion: ObjectStore;
  readonly processed: ObjectStore;
  readonly parameters: ParameterStore;
  readonly databaseUrl: string;
  /** Where the star schema goes (default: public). */
  readonly schemas?: WarehouseSchemas;
  readonly log: Log;
  readonly metrics: Metrics;
  readonly progress: (message: string) => void;
}

interface FailedObject {
  readonly key: string;
  readonly error: string;
}

export interface PipelineResult {
  readonly transformed: readonly TransformSummary[];
  readonly failedObjects: readonly FailedObject[];
  readonly load: LoadSummary;
  readonly timingsMs: { readonly transform: number; readonly load: number };
}

export async function runPipeline(env: PipelineEnvironment): Promise<PipelineResult> {
  const layout = new ProcessedLayout();
  const objects = await ingestionObjects(env.ingestion, env.log);
  const transformed: TransformSummary[] = [];
  const failedObjects: FailedObject[] = [];
  const transformStarted = performance.now();
  for (const [index, object] of objects.entries()) {
    env.progress(`transforming ${index + 1}/${objects.length}: ${object.key}`);
    try {
      transformed.push(
        await transformObject(
          {
            ingestion: env.ingestion,
            processed: env.processed,
            layout,
            parameters: env.parameters,
            sequenceParameterPath: SEQUENCE_PARAMETER_PATH,
            log: env.log,
            metrics: env.metrics,
            lockHolder: NPM_START,
          },
          { key: object.key },
        ),
      );
    } catch (error) {
      failedObjects.push({ key: object.key, error: (error as Error).message });
      env.log.error('ingestion object failed', { key: object.key, error: (error as Error).message });
    }
  }
  const transformMs = performance.now() - transformStarted;

  env.progress('loading processed batches into the warehouse');
  const loadStarted = performance.now();
  const load = await loadPendingBatches(
    {
      // The Lambda's connection options (exact types, connect timeout, keep-alive).
      connect: () => connectPostgres(env.databaseUrl),
      store: env.processed,
      layout,
      log: env.log,
      metrics: env.metrics,
    },
    // No Lambda timeout locally; a generous bound still stops a stuck run.
    { deadline: Date.now() + 6 * 60 * 60 * 1000, ...(env.schemas ? { schemas: env.schemas } : {}) },
  );
  // A skipped run reports nothing pending (it never looked); the summary and exit code need the real count.
  const loadResult = load.outcome === 'skipped' ? { ...load, pendingBatches: await countPendingBatches(env, layout) } : load;
  return { transformed, failedObjects, load: loadResult, timingsMs: { transform: transformMs, load: performance.now() - loadStarted } };
}

/** Batches with a manifest and no ledger row, as the loader would have found them. */
async function countPendingBatches(env: PipelineEnvironment, layout: ProcessedLayout): Promise<number> {
  const client = await connectPostgres(env.databaseUrl);
  try {
    return (await PendingBatches.find(client, env.processed, layout, env.schemas ?? DEFAULT_SCHEMAS)).size;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Every ingestion object, in the order the transform must see them: each table's objects
 * in sequence order (a table's versions are ordered by sequence, never by watermark), the
 * tables merged by the watermark of each one's next object, as an ingestion job lands them.
 * Only `<table>/<file>` at the top of the folder is an ingestion object, as the Lambda's
 * triage requires with no prefix: a copy in a sub-folder (say `archive/design/…`) is warned
 * about and ignored, or it would stand in for the real object.
 */
export async function ingestionObjects(store: ObjectStore, log: Log): Promise<IngestionKey[]> {
  const keys: IngestionKey[] = [];
  for await (const { key } of store.list('')) {
    if (!/^[^/]+\/[^/]+$/.test(key)) {
      log.warn('not an ingestion object (not <table>/<file> at the top of the folder); ignored', { key });
      continue;
    }
    try {
      keys.push(parseIngestionKey(key));
    } catch (error) {
      log.warn('not an ingestion object; ignored', { key, reason: (error as Error).message });
    }
  }
  return inLandingOrder(keys);
}

/** Each table's keys by sequence; across tables, the next key with the oldest watermark first (then table order). */
function inLandingOrder(keys: readonly IngestionKey[]): IngestionKey[] {
  const queues = SOURCE_TABLE_NAMES.map((table) =>
    keys.filter((key) => key.table === table).sort((a, b) => a.sequence - b.sequence),
  ).filter((queue) => queue.length > 0);
  const ordered: IngestionKey[] = [];
  while (queues.length > 0) {
    // SOURCE_TABLE_NAMES order breaks watermark ties: the first queue with the oldest head wins.
    let next = 0;
    for (let index = 1; index < queues.length; index++) {
      if (queues[index]![0]!.watermark < queues[next]![0]!.watermark) next = index;
    }
    ordered.push(queues[next]!.shift()!);
    if (queues[next]!.length === 0) queues.splice(next, 1);
  }
  return ordered;
}
