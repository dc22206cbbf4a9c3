/**
 * The real Transform Lambda handler, invoked with S3 event notifications as Lambda would:
 * one container at a time (a new one after a simulated timeout, as Lambda resets the
 * runtime then), its S3 and SSM clients answered by the mocks.
 */
import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import { vi } from 'vitest';
import type { TransformHandlerResult } from '../../../lambdas/transform/handler';

export const INGESTION_BUCKET = 'totesys-ingestion';
export const PROCESSED_BUCKET = 'totesys-processed';
export const PROCESSED_PREFIX = 'processed/';
const SEQUENCE_PARAMETER_PATH = '/totesys/transform';

const LAMBDA_ENV = {
  INGESTION_BUCKET,
  INGESTION_PREFIX: '',
  PROCESSED_BUCKET,
  PROCESSED_PREFIX,
  SEQUENCE_PARAMETER_PATH,
  POWERTOOLS_METRICS_NAMESPACE: 'TotesysElt',
  AWS_REGION: 'eu-west-2',
} as const;

/** An object to announce: its key (not yet URL-encoded) and ETag, as S3 reports them. */
export interface Delivery {
  readonly key: string;
  readonly etag: string;
}

export type InvocationOutcome =
  | { readonly ok: true; readonly result: TransformHandlerResult }
  | { readonly ok: false; readonly error: Error };

type Handler = (event: S3Event, context: Context) => Promise<TransformHandlerResult>;

const context = {
  functionName: 'totesys-transform',
  awsRequestId: 'fault-test',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:totesys-transform',
  getRemainingTimeInMillis: () => 300_000,
} as unknown as Context;

/** S3 form-encodes event keys (space as `+`). */
function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

function s3Record(delivery: Delivery, bucket = INGESTION_BUCKET): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    eventName: 'ObjectCreated:Put',
    s3: { bucket: { name: bucket }, object: { key: encodeEventKey(delivery.key), eTag: delivery.etag, size: 1 } },
  } as unknown as S3EventRecord;
}

export class TransformLambda {
  private handler: Handler | undefined;

  /** A fresh container: the handler module evaluated anew with the Lambda's environment. */
  async newContainer(): Promise<void> {
    for (const [name, value] of Object.entries(LAMBDA_ENV)) vi.stubEnv(name, value);
    vi.resetModules();
    this.handler = (await import('../../../lambdas/transform/handler')).handler;
  }

  /** One invocation for an event holding these objects (one record each). */
  async invoke(...deliveries: Delivery[]): Promise<InvocationOutcome> {
    if (!this.handler) await this.newContainer();
    try {
      return { ok: true, result: await this.handler!({ Records: deliveries.map((d) => s3Record(d)) }, context) };
    } catch (error) {
      return { ok: false, error: error as Error };
    }
  }
}
