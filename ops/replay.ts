/**
 * `replay --table T --from N [--to M]`: run the transform again over the ingestion objects
 * of one table in a sequence range, in sequence order, with the same core code the
 * Lambda runs.
 *
 * Where it runs: locally (`--local`) in this process, holding the transform lock like any
 * transform, so it is safe beside `npm start`. On a stack (`--stack`) each object is sent
 * to the deployed transform as an asynchronous operator replay event
 * (lambdas/adapters/aws/replay-event.ts): it queues behind the function's reserved
 * concurrency, runs with the function's own role, retries and dead-letter queue, and this
 * command reports it as queued, not as done.
 *
 * The transform skips an object whose committed manifest records the object's ETag (a
 * re-delivery). A replay must transform it again, so it asks for `force`: the transform
 * rebuilds the batch and writes a new manifest with the ETag of the bytes it read. Nothing
 * else changes: batch keys are deterministic and overwritten, join state only moves
 * forward, and the SSM sequence only rises.
 *
 * Idempotent in the warehouse: a batch the ledger holds as loaded is not loaded again, and
 * a batch not yet loaded loads once on the next run (facts are de-duplicated by version,
 * dimensions never go back to an older version). So a replay repairs what never made it
 * (an object whose transform failed or was never triggered, a batch whose files were
 * damaged before loading) and is harmless everywhere else.
 */
import type { DatabaseClient } from '../lambdas/core/load';
import { type Log, noMetrics, silentLog } from '../lambdas/core/ports';
import type { SourceTableName, WarehouseTableName } from '../lambdas/core/schema';
import { holderName, transformObject } from '../lambdas/core/transform';
import { operatorReplayEvent } from '../lambdas/adapters/aws/replay-event';
import type { PipelineAccess } from './pipeline-access';
import { type IngestionObjectInfo, type LoadedSequences, listIngestionObjects, readLoadedSequences } from './pipeline-listing';
import { type SequenceRange, missingUpTo } from './sequence-ranges';
import { type DeployedFunction, invokeAsync } from './transform-invoke';
import { PipelineError } from '../lambdas/core/errors';

export interface ReplayRequest {
  readonly table: SourceTableName;
  readonly from: number;
  /** Inclusive; defaults to the last sequence in the ingestion bucket. */
  readonly to?: number;
  /** List what would be replayed; change nothing. */
  readonly dryRun?: boolean;
}

interface ReplayedObject {
  readonly sequence: number;
  readonly key: string;
  /** Whether a batch was committed for this sequence before the replay. */
  readonly wasCommitted: boolean;
  /** Whether the ledger holds the batch as loaded (then it is not loaded again); null when the warehouse could not be read. */
  readonly loaded: boolean | null;
  /** `queued`: accepted by the deployed transform, which runs it asynchronously. */
  readonly outcome: 'processed' | 'queued' | 'failed' | 'would-process' | 'refused';
  readonly rowsIn?: number;
  readonly rowsRejected?: number;
  readonly rowsOut?: Readonly<Partial<Record<WarehouseTableName, number>>>;
  readonly error?: string;
}

export interface ReplayResult {
  readonly table: SourceTableName;
  readonly from: number;
  readonly to: number;
  readonly objects: readonly ReplayedObject[];
  /** Sequences in the range with no ingestion object (nothing to replay for them). */
  readonly missing: readonly SequenceRange[];
  /** Why the ledger could not be read, when it could not. */
  readonly warehouseError?: string;
  /** The deployed transform function the objects were queued to (`--stack`); absent when transformed here. */
  readonly queuedTo?: string;
}

/** How a local replay's transforms name themselves to a transform waiting for the lock. */
const OPS_REPLAY = holderName('ops replay');

export class ReplayRangeError extends PipelineError {
  readonly kind = 'bad-input';
  override readonly name = 'ReplayRangeError';
}

/** The deployed transform: `replay --stack` queues each object to it rather than transforming here. */
export interface RemoteTransform extends DeployedFunction {
  /** The ingestion bucket, named in the S3-shaped events. */
  readonly ingestionBucket: string;
}

export interface ReplayOptions {
  /**
   * When given, each object is sent to the deployed transform as an asynchronous operator
   * replay event; otherwise it is transformed in this process (under the transform lock).
   */
  readonly remote?: RemoteTransform;
  /** For the replay events' timestamps; defaults to the system clock. */
  readonly now?: () => number;
  readonly log?: Log;
  /** Called before each object, for progress lines. */
  readonly onObject?: (object: IngestionObjectInfo, index: number, total: number) => void;
}

export async function replayTransform(access: PipelineAccess, request: ReplayRequest, options: ReplayOptions = {}): Promise<ReplayResult> {
  const { table, from } = request;
  const { objects: all } = await listIngestionObjects(access, table);
  if (request.to !== undefined && request.to < from) throw new ReplayRangeError(`--to ${request.to} is below --from ${from}`);
  const to = request.to ?? Math.max(from, all.at(-1)?.sequence ?? from);
  const inRange = all.filter((object) => object.sequence >= from && object.sequence <= to);
  if (inRange.length === 0) {
    const range = request.to === undefined ? `from sequence ${from} on` : `with sequences ${from}-${to}`;
    throw new ReplayRangeError(
      all.length === 0
        ? `no ingestion objects of ${table} in the ingestion bucket`
        : `no ingestion objects of ${table} ${range} (the bucket holds ${all[0]!.sequence}-${all.at(-1)!.sequence})`,
    );
  }
  const present = new Set(inRange.map((object) => object.sequence));
  const missing = missingUpTo(to, present).flatMap((range) =>
    range.to < from ? [] : [{ from: Math.max(range.from, from), to: range.to }],
  );
  const duplicated = new Set(inRange.filter((o, i) => i > 0 && inRange[i - 1]!.sequence === o.sequence).map((o) => o.sequence));

  const ledger = await readLedger(access, table);
  const log = options.log ?? silentLog;
  const results: ReplayedObject[] = [];
  for (const [index, object] of inRange.entries()) {
    options.onObject?.(object, index, inRange.length);
    const manifestKey = access.layout.manifest(table, object.sequence);
    const base = {
      sequence: object.sequence,
      key: object.key,
      wasCommitted: (await access.processed.head(manifestKey)) !== undefined,
      loaded: 'error' in ledger ? null : ledger.loaded.has(object.sequence),
    };
    if (duplicated.has(object.sequence)) {
      // Both objects would write the same batch keys: which one wins is the operator's call.
      results.push({
        ...base,
        outcome: 'refused',
        error: `sequence ${object.sequence} is landed under more than one key; remove the wrong object first`,
      });
      continue;
    }
    if (request.dryRun) {
      results.push({ ...base, outcome: 'would-process' });
      continue;
    }
    if (options.remote) {
      try {
        const event = operatorReplayEvent(
          { bucket: options.remote.ingestionBucket, key: object.key, etag: object.etag, size: object.size },
          new Date((options.now ?? Date.now)()),
        );
        await invokeAsync(options.remote, event);
        results.push({ ...base, outcome: 'queued' });
      } catch (error) {
        results.push({ ...base, outcome: 'failed', error: `not queued: ${(error as Error).message ?? String(error)}` });
      }
      continue;
    }
    try {
      const summary = await transformObject(
        {
          ingestion: access.ingestion,
          processed: access.processed,
          layout: access.layout,
          parameters: access.parameters,
          sequenceParameterPath: access.sequenceParameterPath,
          log,
          metrics: noMetrics,
          lockHolder: OPS_REPLAY,
        },
        { key: object.key, etag: object.etag, force: true },
      );
      results.push({
        ...base,
        outcome: 'processed',
        rowsIn: summary.rowsIn,
        rowsRejected: summary.rowsRejected,
        rowsOut: summary.rowsOut,
      });
    } catch (error) {
      results.push({ ...base, outcome: 'failed', error: (error as Error).message ?? String(error) });
    }
  }
  return {
    table,
    from,
    to,
    objects: results,
    missing,
    ...('error' in ledger ? { warehouseError: ledger.error } : {}),
    ...(options.remote && !request.dryRun ? { queuedTo: options.remote.functionName } : {}),
  };
}

async function readLedger(access: PipelineAccess, table: SourceTableName): Promise<{ loaded: LoadedSequences } | { error: string }> {
  let client: DatabaseClient | undefined;
  try {
    client = await access.connect();
    const { loaded } = await readLoadedSequences(client, access);
    return { loaded: loaded.get(table)! };
  } catch (error) {
    return { error: (error as Error).message ?? String(error) };
  } finally {
    await client?.end().catch(() => {});
  }
}
