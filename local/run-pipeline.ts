/**
 * One local run: transform every ingestion object not yet processed, then load every
 * pending batch, with the same core code the Lambdas run. Returns the figures for the
 * summary and the report.
 */
import { type IngestionKey, ProcessedLayout, parseIngestionKey } from '../lambdas/core/layout';
import { loadPendingBatches, type LoadSummary } from '../lambdas/core/load';
import type { Log, Metrics, ObjectStore, ParameterStore } from '../lambdas/core/ports';
import { SOURCE_TABLE_NAMES } from '../lambdas/core/schema';
import { holderName, transformObject, type TransformSummary } from '../lambdas/core/transform';
import type { WarehouseSchemas } from '../lambdas/core/warehouse';
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

export interface FailedObject {
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
  return { transformed, failedObjects, load, timingsMs: { transform: transformMs, load: performance.now() - loadStarted } };
}

/**
 * Every ingestion object in the order an ingestion job would have landed them: by
 * watermark, then table, then sequence. (Correctness does not depend on the order.)
 */
async function ingestionObjects(store: ObjectStore, log: Log): Promise<IngestionKey[]> {
  const keys: IngestionKey[] = [];
  for await (const { key } of store.list('')) {
    try {
      keys.push(parseIngestionKey(key));
    } catch (error) {
      log.warn('not an ingestion object; ignored', { key, reason: (error as Error).message });
    }
  }
  const tableRank = (key: IngestionKey) => SOURCE_TABLE_NAMES.indexOf(key.table);
  return keys.sort(
    (a, b) => a.watermark.localeCompare(b.watermark) || tableRank(a) - tableRank(b) || a.sequence - b.sequence,
  );
}
