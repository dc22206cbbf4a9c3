/**
 * The load run: every complete processed batch not yet in the ledger, loaded in order,
 * each in its own transaction, until none are left or the time budget runs out.
 *
 * One run at a time: the run holds a session advisory lock, and a second loader that
 * cannot take it skips (logging why). The ledger row claimed inside each batch's
 * transaction is a second guard, so even without the lock no batch loads twice.
 */
import type { ProcessedLayout } from '../layout';
import { LoadMetric, TABLE_DIMENSION } from '../metric-names';
import type { Log, Metrics, ObjectStore } from '../ports';
import type { DimensionTableName, WarehouseTableName } from '../schema/warehouse-tables';
import { migrate as migrateSchema } from '../warehouse/migrations';
import { ADVISORY_LOCK_NAMESPACE, DEFAULT_SCHEMAS, LOADER_LOCK, type WarehouseSchemas } from '../warehouse/names';
import { countPlaceholders } from '../warehouse/status';
import { batchId } from './batch-id';
import { BatchLoadError, DeadlineReachedError, describeDatabaseError, isDataRejection } from './errors';
import { type BatchLoadResult, type RowCounts, loadBatch } from './load-batch';
import { PendingBatches } from './pending-batches';
import { prepareSession } from './session';
import type { DatabaseClient } from '../sql-client';

/** A connected client the run owns and ends (the port in ../sql-client.ts). */
export type { DatabaseClient };

export interface LoaderDependencies {
  /** Opens a new connection to the warehouse. */
  readonly connect: () => Promise<DatabaseClient>;
  /** The processed bucket. */
  readonly store: ObjectStore;
  readonly layout: ProcessedLayout;
  readonly log: Log;
  readonly metrics: Metrics;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export interface LoadOptions {
  /**
   * Epoch ms by which the run must have stopped, with its last batch committed or rolled
   * back (Lambda: now + remaining time − a margin). `Infinity` for no limit (local mode).
   */
  readonly deadline: number;
  readonly schemas?: WarehouseSchemas;
  /** Apply pending schema migrations first (default true). */
  readonly migrate?: boolean;
}

interface FailedBatch {
  readonly batch: string;
  readonly objectKey?: string;
  readonly error: string;
}

export interface LoadSummary {
  /**
   * `completed`: nothing pending is left that could load (failed batches aside);
   * `deadline`: stopped at the time budget, the rest loads next run;
   * `skipped`: another loader holds the run lock;
   * `not-configured`: the Lambda found no warehouse to connect to yet (lambdas/load/not-configured.ts).
   */
  readonly outcome: 'completed' | 'deadline' | 'skipped' | 'not-configured';
  readonly batchesLoaded: number;
  readonly batchesFailed: readonly FailedBatch[];
  readonly rowsRead: RowCounts;
  readonly rowsWritten: RowCounts;
  readonly placeholdersCreated: number;
  readonly placeholdersOutstanding: Partial<Record<DimensionTableName, number>>;
  /** Batches still to load (including failed ones). */
  readonly pendingBatches: number;
  /** Seconds since the oldest pending batch was transformed; 0 when none is pending. */
  readonly oldestPendingBatchAgeSeconds: number;
  /** The same for batches this run did not attempt (failed ones excluded); 0 when none. */
  readonly oldestUnattemptedBatchAgeSeconds: number;
  /**
   * The largest freshness lag of the batches this run loaded (seconds from the ingest run's
   * read of the source to the commit); absent when none carried `sourceReadAt`.
   */
  readonly freshnessLagMaxSeconds?: number;
  readonly durationMs: number;
}

export async function loadPendingBatches(deps: LoaderDependencies, options: LoadOptions): Promise<LoadSummary> {
  const now = deps.now ?? Date.now;
  const schemas = options.schemas ?? DEFAULT_SCHEMAS;
  const { log, metrics } = deps;
  const started = now();
  // The batch being loaded when the run stops, so the failure names it.
  const progress: { batch?: string } = {};
  let client: DatabaseClient | undefined;
  try {
    client = await deps.connect();
    // A session the server ends between queries surfaces as an 'error' event, which would
    // crash the process without a listener; the next query reports the failure instead.
    client.on('error', (error: Error) => log.warn('database connection lost', { error: error.message }));
    await prepareSession(client);
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
      ADVISORY_LOCK_NAMESPACE,
      LOADER_LOCK,
    ]);
    if (!rows[0]?.locked) {
      log.info('another loader is running; skipping this run');
      return emptySummary('skipped', now() - started);
    }
    if (options.migrate ?? true) await migrateSchema(client, { schemas, log });
    const summary = await loadInOrder(client, deps, options.deadline, schemas, now, started, progress);
    report(summary, deps);
    return summary;
  } catch (error) {
    metrics.record(LoadMetric.LoadSucceeded, 0, 'Count');
    log.error('load run failed; the next run carries on from the ledger', {
      error: describe(error),
      ...(progress.batch === undefined ? {} : { batch: progress.batch }),
    });
    throw error;
  } finally {
    // Ending the session also releases the run lock.
    await client?.end().catch(() => {});
  }
}

async function loadInOrder(
  client: DatabaseClient,
  deps: LoaderDependencies,
  deadline: number,
  schemas: WarehouseSchemas,
  now: () => number,
  started: number,
  progress: { batch?: string },
): Promise<LoadSummary> {
  const { log } = deps;
  const pending = await PendingBatches.find(client, deps.store, deps.layout, schemas);
  log.info('pending batches found', { pending: pending.size });
  const rowsRead: RowCounts = {};
  const rowsWritten: RowCounts = {};
  const failed: FailedBatch[] = [];
  const failedTransformedAt: number[] = [];
  let loaded = 0;
  let freshnessLagMax: number | undefined;
  let placeholdersCreated = 0;
  let outcome: LoadSummary['outcome'] = 'completed';

  for (;;) {
    if (now() >= deadline) {
      if (pending.size > 0) {
        outcome = 'deadline';
        log.warn('time budget reached; stopping', { pending: pending.size });
      }
      break;
    }
    const batch = await pending.next();
    if (!batch) break;
    const id = batchId(batch.sourceTable, batch.sequence);
    if (batch.error) {
      failed.push(failure(batch.error));
      log.error('batch failed', { batch: id, error: batch.error.message });
      continue;
    }
    let result: BatchLoadResult;
    progress.batch = id;
    try {
      result = await loadBatch({ client, store: deps.store, schemas, deadline, now, log }, { ...batch, manifest: batch.manifest });
    } catch (caught) {
      // A value the warehouse rejects outside a file (the ledger row) is still this batch's fault.
      const error = isDataRejection(caught)
        ? new BatchLoadError(id, `rejected by the warehouse: ${describeDatabaseError(caught)}`, batch.manifestKey)
        : caught;
      if (error instanceof BatchLoadError) {
        progress.batch = undefined;
        failed.push(failure(error));
        failedTransformedAt.push(Date.parse(batch.manifest.transformedAt));
        log.error('batch failed; it stays pending and is retried next run', { batch: id, error: error.message });
        continue;
      }
      if (error instanceof DeadlineReachedError) {
        progress.batch = undefined;
        pending.putBack(batch);
        outcome = 'deadline';
        log.warn('time budget reached; stopping', { batch: id, note: error.message });
        break;
      }
      throw error;
    }
    progress.batch = undefined;
    if (result.outcome === 'already-loaded') {
      log.info('batch already loaded by another loader', { batch: id });
      continue;
    }
    loaded++;
    const freshnessLagSeconds = freshnessLag(batch.manifest.sourceReadAt, now());
    if (freshnessLagSeconds !== undefined) {
      deps.metrics.record(LoadMetric.FreshnessLag, freshnessLagSeconds, 'Seconds', { [TABLE_DIMENSION]: batch.sourceTable });
      freshnessLagMax = Math.max(freshnessLagMax ?? 0, freshnessLagSeconds);
    }
    addCounts(rowsRead, result.rowsRead);
    addCounts(rowsWritten, result.rowsWritten);
    const created = Object.values(result.placeholdersCreated).reduce<number>((a, b) => a + (b ?? 0), 0);
    placeholdersCreated += created;
    log.info('batch loaded', {
      batch: id,
      rowsRead: result.rowsRead,
      rowsWritten: result.rowsWritten,
      placeholdersCreated: result.placeholdersCreated,
      ...(freshnessLagSeconds === undefined ? {} : { sourceReadAt: batch.manifest.sourceReadAt, freshnessLagSeconds }),
      ...(result.datesDerived > 0 ? { datesDerived: result.datesDerived } : {}),
      durationMs: Math.round(result.durationMs),
    });
    if (result.datesDerived > 0) {
      log.warn('facts referenced dates their batch did not carry; dim_date rows derived', { batch: id, dates: result.datesDerived });
    }
  }

  const oldestQueued = await pending.oldestTransformedAt();
  const oldest = Math.min(oldestQueued ?? Infinity, ...failedTransformedAt);
  const ageSeconds = (since: number) => (Number.isFinite(since) ? Math.max(0, Math.round((now() - since) / 1000)) : 0);
  return {
    outcome,
    batchesLoaded: loaded,
    batchesFailed: failed,
    rowsRead,
    rowsWritten,
    placeholdersCreated,
    placeholdersOutstanding: await countPlaceholders(client, schemas),
    pendingBatches: pending.size + failed.length,
    oldestPendingBatchAgeSeconds: ageSeconds(oldest),
    oldestUnattemptedBatchAgeSeconds: ageSeconds(oldestQueued ?? Infinity),
    ...(freshnessLagMax === undefined ? {} : { freshnessLagMaxSeconds: freshnessLagMax }),
    durationMs: now() - started,
  };
}

/**
 * Seconds from when the batch's source was read to `committedAt` (epoch ms), to the
 * millisecond; undefined when the manifest has no `sourceReadAt`. Never negative: a clock
 * behind the ingest host's reports 0, not a lag from the future.
 */
function freshnessLag(sourceReadAt: string | undefined, committedAt: number): number | undefined {
  if (sourceReadAt === undefined) return undefined;
  return Math.max(0, committedAt - Date.parse(sourceReadAt)) / 1000;
}

function report(summary: LoadSummary, { log, metrics }: LoaderDependencies): void {
  metrics.record(LoadMetric.BatchesLoaded, summary.batchesLoaded, 'Count');
  metrics.record(LoadMetric.BatchesFailed, summary.batchesFailed.length, 'Count');
  for (const [table, rows] of Object.entries(summary.rowsWritten)) {
    metrics.record(LoadMetric.RowsLoaded, rows ?? 0, 'Count', { [TABLE_DIMENSION]: table });
  }
  for (const [table, count] of Object.entries(summary.placeholdersOutstanding)) {
    metrics.record(LoadMetric.PlaceholdersOutstanding, count ?? 0, 'Count', { [TABLE_DIMENSION]: table });
  }
  metrics.record(LoadMetric.PendingBatches, summary.pendingBatches, 'Count');
  metrics.record(LoadMetric.OldestPendingBatchAge, summary.oldestPendingBatchAgeSeconds, 'Seconds');
  metrics.record(LoadMetric.OldestUnattemptedBatchAge, summary.oldestUnattemptedBatchAgeSeconds, 'Seconds');
  metrics.record(LoadMetric.Duration, summary.durationMs, 'Milliseconds');
  metrics.record(LoadMetric.LoadSucceeded, summary.batchesFailed.length === 0 ? 1 : 0, 'Count');
  const placeholdersOutstanding = Object.values(summary.placeholdersOutstanding).reduce<number>((a, b) => a + (b ?? 0), 0);
  const attributes = { ...summary, placeholdersOutstandingTotal: placeholdersOutstanding };
  if (summary.batchesFailed.length > 0) log.error('load run finished with failed batches', attributes);
  else log.info('load run finished', attributes);
}

export function emptySummary(outcome: LoadSummary['outcome'], durationMs: number): LoadSummary {
  return {
    outcome,
    batchesLoaded: 0,
    batchesFailed: [],
    rowsRead: {},
    rowsWritten: {},
    placeholdersCreated: 0,
    placeholdersOutstanding: {},
    pendingBatches: 0,
    oldestPendingBatchAgeSeconds: 0,
    oldestUnattemptedBatchAgeSeconds: 0,
    durationMs,
  };
}

function failure(error: BatchLoadError): FailedBatch {
  return { batch: error.batch, objectKey: error.objectKey, error: error.message };
}

function addCounts(total: RowCounts, add: RowCounts): void {
  for (const [table, rows] of Object.entries(add) as [WarehouseTableName, number][]) {
    total[table] = (total[table] ?? 0) + rows;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
