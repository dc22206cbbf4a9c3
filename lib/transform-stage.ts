/**
 * The transform Lambda and what drives it: S3 ObjectCreated notifications for ingestion
 * objects, one invocation at a time, Lambda's asynchronous retries, and an SQS dead-letter
 * destination for events that still fail.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LogLevel } from './config/pipeline-config';
import { deadLetterQueue } from './dead-letter-queue';
import { acknowledgeWildcardResources } from './nag';
import { PipelineFunction } from './pipeline-function';
import { ENV } from '../lambdas/environment';

/** Ingestion objects are JSON Lines, optionally gzipped (CONTRACT.md §2). */
const INGESTION_SUFFIXES = ['.jsonl', '.jsonl.gz'] as const;
/** Everything the transform writes in the processed bucket, and reads back. */
export const TRANSFORM_PROCESSED_FOLDERS = ['batches', 'manifests', 'rejected', 'state'] as const;

/**
 * Lambda retries a failed asynchronous event at most twice, about 1 and then 2 minutes
 * later; that is the longest wait the platform offers. Events that still fail go to the
 * dead-letter queue, from which an operator redrives them after fixing the cause.
 */
const TRANSFORM_RETRY_ATTEMPTS = 2;
/** The platform maximum: with one invocation at a time, a burst of objects waits in the queue. */
const TRANSFORM_MAX_EVENT_AGE = Duration.hours(6);
const TRANSFORM_MEMORY_MB = 1024;
const TRANSFORM_TIMEOUT = Duration.minutes(5);

export interface TransformStageProps {
  readonly ingestionBucket: s3.IBucket;
  readonly ingestionPrefix: string;
  readonly processedBucket: s3.IBucket;
  readonly processedPrefix: string;
  readonly sequenceParameterPath: string;
  readonly logLevel: LogLevel;
}

export class TransformStage extends Construct {
  readonly lambda: PipelineFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: TransformStageProps) {
    super(scope, id);
    this.lambda = new PipelineFunction(this, 'Lambda', {
      entry: 'lambdas/transform/handler.ts',
      description: 'totesys transform: ingestion JSON Lines to star-schema Parquet',
      serviceName: 'totesys-transform',
      memorySize: TRANSFORM_MEMORY_MB,
      timeout: TRANSFORM_TIMEOUT,
      // One at a time: the join state in S3 and the per-table sequence in SSM are never raced.
      reservedConcurrentExecutions: 1,
      logLevel: props.logLevel,
      environment: {
        // The only bucket and prefix whose objects it reads; any other event record is ignored.
        [ENV.ingestionBucket]: props.ingestionBucket.bucketName,
        [ENV.ingestionPrefix]: props.ingestionPrefix,
        [ENV.processedBucket]: props.processedBucket.bucketName,
        [ENV.processedPrefix]: props.processedPrefix,
        [ENV.sequenceParameterPath]: props.sequenceParameterPath,
      },
    });
    this.grantAccess(props);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');
    this.lambda.function.configureAsyncInvoke({
      retryAttempts: TRANSFORM_RETRY_ATTEMPTS,
      maxEventAge: TRANSFORM_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    for (const suffix of INGESTION_SUFFIXES) {
      props.ingestionBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new LambdaDestination(this.lambda.function), {
        prefix: props.ingestionPrefix || undefined,
        suffix,
      });
    }
  }

  private grantAccess(props: TransformStageProps): void {
    const role = this.lambda.role;
    const ingestionObjects = props.ingestionBucket.arnForObjects(`${props.ingestionPrefix}*`);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [ingestionObjects] }));
    // Listing the ingestion prefix makes S3 answer a read of a deleted object with 404, not
    // 403, so the transform can tell "deleted after the event" from "access denied".
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.ingestionBucket.bucketArn],
        ...(props.ingestionPrefix ? { conditions: { StringLike: { 's3:prefix': [`${props.ingestionPrefix}*`] } } } : {}),
      }),
    );

    const processedObjects = TRANSFORM_PROCESSED_FOLDERS.map((folder) =>
      props.processedBucket.arnForObjects(`${props.processedPrefix}${folder}/*`),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: processedObjects }));
    // Without list permission S3 answers a read of a missing key with 403 instead of 404, and
    // the transform must tell "no manifest / no state yet" from a real failure.
    // Only its own folders: S3 evaluates a missing-key read against s3:ListBucket with the
    // requested key as s3:prefix, so this still turns "no manifest yet" into a 404.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.processedBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': TRANSFORM_PROCESSED_FOLDERS.map((folder) => `${props.processedPrefix}${folder}/*`) } },
      }),
    );

    const sequenceParameters = Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${props.sequenceParameterPath.slice(1)}/*`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [sequenceParameters] }));

    acknowledgeWildcardResources(
      role,
      [ingestionObjects],
      'The transform reads whichever ingestion object triggered it; keys are only known at run time, so reads are scoped to the ingestion prefix.',
    );
    acknowledgeWildcardResources(
      role,
      processedObjects,
      'Batch, manifest, rejected-row and state keys are derived per object at run time; access is scoped to exactly these four folders of the processed prefix.',
    );
    acknowledgeWildcardResources(
      role,
      [sequenceParameters],
      'One sequence parameter per source table, created on first use; access is scoped to the configured sequence parameter path.',
    );
  }
}
