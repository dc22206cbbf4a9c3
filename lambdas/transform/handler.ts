/**
 * The Transform Lambda: for each object an S3 event reports, run the core transform
 * (lambdas/core/transform) against S3 and SSM. Thin on purpose: parse the event, build the
 * adapters once per container, report, and throw on any failure so Lambda's async retries
 * and the DLQ take over (re-delivery is safe: a processed object is skipped). An operator's
 * replay event (replay-event.ts) transforms its object again even if already processed.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SsmParameterStore } from '../adapters/aws/ssm-parameter-store';
import { createLogger, createMetrics, logPort, metricsPort, recordFailure } from '../adapters/powertools';
import { ProcessedLayout } from '../core/layout';
import { TransformMetric } from '../core/metric-names';
import { holderName, type TransformDeps, transformObject, type TransformSummary } from '../core/transform';
import { readTransformConfig } from './config';
import { isForcedReplay } from '../adapters/aws/replay-event';
import { type IngestionSource, triageRecord } from '../adapters/aws/s3-event';
import { type ErrorKind, PipelineError, errorKind } from '../core/errors';

const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'totesys-transform';
const logger = createLogger(SERVICE_NAME);
const metrics = createMetrics(SERVICE_NAME);

interface Container {
  readonly deps: TransformDeps;
  readonly source: IngestionSource;
}

let container: Container | undefined;

/** Built on the first invocation (so a configuration error fails that invocation clearly). */
function containerOnce(): Container {
  if (container) return container;
  const config = readTransformConfig(process.env);
  const s3 = new S3Client({});
  container = {
    source: { bucket: config.ingestionBucket, prefix: config.ingestionPrefix },
    deps: {
      // Only the configured bucket: an event naming another is never followed.
      ingestion: new S3ObjectStore(s3, config.ingestionBucket),
      processed: new S3ObjectStore(s3, config.processedBucket),
      layout: new ProcessedLayout(config.processedPrefix),
      parameters: new SsmParameterStore(new SSMClient({})),
      sequenceParameterPath: config.sequenceParameterPath,
      log: logPort(logger),
      metrics: metricsPort(metrics),
      // Names this execution environment's log stream to whoever waits for its lock.
      lockHolder: holderName(`transform Lambda (log stream ${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'unknown'})`),
    },
  };
  return container;
}

export class TransformFailedError extends PipelineError {
  /** The failures' kind when they share one. */
  get kind(): ErrorKind {
    const [first, ...others] = new Set(this.failures.map((failure) => errorKind(failure.error)));
    return first !== undefined && others.length === 0 ? first : 'internal';
  }
  constructor(
    readonly failures: readonly { readonly key: string; readonly error: unknown }[],
    total: number,
  ) {
    super(
      `transform failed for ${failures.length} of ${total} object(s): ` +
        failures.map(({ key, error }) => `${key}: ${(error as Error)?.message ?? String(error)}`).join('; '),
      { cause: failures[0]?.error },
    );
    this.name = 'TransformFailedError';
  }
}

export interface TransformHandlerResult {
  readonly objects: readonly TransformSummary[];
}

export async function handler(event: S3Event, context: Context): Promise<TransformHandlerResult> {
  logger.addContext(context);
  try {
    const { deps, source } = containerOnce();
    const records: unknown[] = Array.isArray(event?.Records) ? event.Records : [];
    if (records.length === 0) {
      // The console's test event (s3:TestEvent) and anything that is not an S3 notification.
      logger.warn('event holds no S3 records; nothing to do', { eventType: eventType(event) });
    }
    // `ops replay --stack`: rebuild even an already-published batch (see replay-event.ts).
    const force = isForcedReplay(event);
    if (force)
      logger.info('operator replay: transforming again even if the batch is published', { requestedAt: event.totesysReplay.requestedAt });
    const summaries: TransformSummary[] = [];
    const failures: { key: string; error: unknown }[] = [];
    for (const [index, record] of records.entries()) {
      const triage = triageRecord(record as S3EventRecord, source);
      if (triage.kind === 'ignored') {
        logger.warn('ignoring S3 event record', { record: index, reason: triage.reason, bucket: triage.bucket, key: triage.key });
        deps.metrics.record(TransformMetric.RecordsIgnored, 1, 'Count');
        continue;
      }
      if (triage.kind === 'malformed') {
        logger.error('S3 event record cannot be read', { record: index, reason: triage.reason, key: triage.key });
        failures.push({ key: triage.key, error: new Error(triage.reason) });
        continue;
      }
      const { object } = triage;
      try {
        summaries.push(await transformObject(deps, { key: object.key, etag: object.etag, force }));
      } catch (error) {
        // transformObject has logged the details; carry on so one bad object does not hold up the others.
        failures.push({ key: object.key, error });
      }
    }
    if (failures.length > 0) throw new TransformFailedError(failures, records.length);
    return { objects: summaries };
  } catch (error) {
    // Each object's failure is already logged in detail by transformObject.
    logger.error('transform invocation failed', {
      kind: recordFailure(metrics, error),
      ...(error instanceof TransformFailedError ? { failedKeys: error.failures.map((failure) => failure.key) } : { error: error as Error }),
    });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}

/** `s3:TestEvent` for the console's test event; otherwise what the event says it is, if anything. */
function eventType(event: unknown): string | undefined {
  const fields = (event ?? {}) as { Event?: unknown; 'detail-type'?: unknown };
  const type = fields.Event ?? fields['detail-type'];
  return typeof type === 'string' ? type.slice(0, 100) : undefined;
}
