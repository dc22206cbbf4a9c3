/**
 * The optional ingest Lambda (on with `-c sourceDbSecret=…`): reads the totesys database
 * into the ingestion bucket on an EventBridge Scheduler schedule, one run at a time, with
 * Lambda's asynchronous retries, a dead-letter queue and alarms like the other stages.
 * It runs in the load Lambda's VPC settings (the source is usually as private as the
 * warehouse) and may only: write under the ingestion prefix (and read back what it wrote,
 * to adopt a crashed run's object), use `extract/` in the processed bucket (fingerprints,
 * lease), its own SSM path, and read its secret.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlertTopic } from './alert-topic';
import type { IngestSettings, LogLevel, VpcPlacement } from './config/pipeline-config';
import { type LambdaPlacement, lambdaPlacement } from './lambda-placement';
import { acknowledgeWildcardResources } from './nag';
import { scheduledInvocation } from './scheduled-invocation';
import { PipelineFunction } from './pipeline-function';
import { FIVE_MINUTES } from './pipeline-metrics';
import { ENV, LAMBDA_RUNTIME_CA_PATH } from '../lambdas/environment';

const INGEST_TIMEOUT = Duration.minutes(10);
const INGEST_MEMORY_MB = 1024;
/** A failed run is retried by Lambda; the next scheduled run retries anyway. */
const INGEST_RETRY_ATTEMPTS = 2;
const INGEST_MAX_EVENT_AGE = Duration.minutes(30);
/** Where the ingest Lambda keeps fingerprints and its lease in the processed bucket. */
const INGEST_PROCESSED_FOLDER = 'extract';

export interface IngestStageProps {
  readonly settings: IngestSettings;
  readonly ingestionBucket: s3.IBucket;
  readonly ingestionPrefix: string;
  readonly processedBucket: s3.IBucket;
  readonly processedPrefix: string;
  readonly vpc?: VpcPlacement;
  readonly logLevel: LogLevel;
}

export class IngestStage extends Construct {
  readonly lambda: PipelineFunction;
  readonly secret: secretsmanager.ISecret;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly scheduleRole: iam.Role;
  readonly createdSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: IngestStageProps) {
    super(scope, id);
    const { settings } = props;
    const existing = settings.secret;
    this.secret =
      'arn' in existing
        ? secretsmanager.Secret.fromSecretCompleteArn(this, 'SourceSecret', existing.arn)
        : secretsmanager.Secret.fromSecretNameV2(this, 'SourceSecret', existing.name);

    let placement: LambdaPlacement | undefined;
    if (props.vpc) {
      placement = lambdaPlacement(this, props.vpc, {
        description: 'totesys ingest Lambda: allow it into the source database security group',
        egress: 'all',
      });
      this.createdSecurityGroup = placement.createdSecurityGroup;
    }

    this.lambda = new PipelineFunction(this, 'Lambda', {
      entry: 'lambdas/ingest/handler.ts',
      description: 'totesys ingest: changed rows of the totesys database into the ingestion bucket',
      serviceName: 'totesys-ingest',
      memorySize: INGEST_MEMORY_MB,
      timeout: INGEST_TIMEOUT,
      // One run at a time (the lease object guards the same across retries and overlaps).
      reservedConcurrentExecutions: 1,
      logLevel: props.logLevel,
      environment: {
        [ENV.ingestionBucket]: props.ingestionBucket.bucketName,
        [ENV.ingestionPrefix]: props.ingestionPrefix,
        [ENV.processedBucket]: props.processedBucket.bucketName,
        [ENV.processedPrefix]: props.processedPrefix,
        [ENV.ingestParameterPath]: settings.parameterPath,
        [ENV.sourceSecretArn]: this.secret.secretArn,
        [ENV.sourceSsl]: settings.ssl,
        [ENV.nodeExtraCaCerts]: LAMBDA_RUNTIME_CA_PATH,
      },
      vpc: placement,
    });
    this.grantAccess(props);

    const scheduled = scheduledInvocation(this, {
      name: 'ingest',
      function: this.lambda.function,
      expression: settings.schedule.expression,
      retryAttempts: INGEST_RETRY_ATTEMPTS,
      maxEventAge: INGEST_MAX_EVENT_AGE,
      scheduleMaxEventAge: INGEST_MAX_EVENT_AGE,
    });
    this.deadLetterQueue = scheduled.deadLetterQueue;
    this.scheduleRole = scheduled.scheduleRole;
    this.schedule = scheduled.schedule;
  }

  /** Alarms like the other stages': repeated failures, dead letters, dropped events. */
  addAlarms(alerts: AlertTopic, failurePeriods: number): void {
    const atLeastOnce = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const quiet = cloudwatch.TreatMissingData.NOT_BREACHING;
    const see = 'See "Alarms" in docs/DEPLOY.md.';
    alerts.alarm('IngestFailures', {
      name: 'ingest-failures',
      alarmDescription: `The ingest Lambda failed in each of the last ${failurePeriods} five-minute periods: the source is not being read (database unreachable, secret, a table that fails). Its log names the table and the error; state is unchanged, so the next good run catches up. ${see}`,
      metric: this.lambda.function.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: atLeastOnce,
      evaluationPeriods: failurePeriods,
      datapointsToAlarm: failurePeriods,
      treatMissingData: quiet,
    });
    alerts.alarm('IngestDeadLetters', {
      name: 'ingest-dead-letters',
      alarmDescription: `The ingest dead-letter queue holds runs that failed every attempt. Fix the cause and purge it: the next run extracts everything pending. ${see}`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: atLeastOnce,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    });
    alerts.alarm('IngestDroppedEvents', {
      name: 'ingest-dropped-events',
      alarmDescription: `Lambda gave up on asynchronous events of the ingest Lambda (retries exhausted or too old); they were sent to its dead-letter queue. ${see}`,
      metric: this.lambda.function.metric('AsyncEventsDropped', { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: atLeastOnce,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    });
  }

  private grantAccess(props: IngestStageProps): void {
    const role = this.lambda.role;
    const ingestionObjects = props.ingestionBucket.arnForObjects(`${props.ingestionPrefix}*`);
    // Put (and the multipart calls it covers), abort a failed multipart upload, and read
    // back an object's metadata to adopt it (HeadObject needs s3:GetObject).
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'], resources: [ingestionObjects] }),
    );
    const extractObjects = props.processedBucket.arnForObjects(`${props.processedPrefix}${INGEST_PROCESSED_FOLDER}/*`);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [extractObjects] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.ingestionBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${props.ingestionPrefix}*`] } },
      }),
    );
    // Without list permission S3 answers a read of a missing fingerprint or lease with 403, not 404.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.processedBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${props.processedPrefix}${INGEST_PROCESSED_FOLDER}/*`] } },
      }),
    );
    const parameters = Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${props.settings.parameterPath.slice(1)}/*`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [parameters] }));
    this.secret.grantRead(role);

    acknowledgeWildcardResources(
      role,
      [ingestionObjects],
      'Ingestion keys carry a sequence and a watermark known only at run time; writes are scoped to the ingestion prefix, where the transform reads.',
    );
    acknowledgeWildcardResources(
      role,
      [extractObjects],
      'One fingerprint object per source table and the run lease, named at run time; access is scoped to the extract/ folder of the processed prefix.',
    );
    acknowledgeWildcardResources(
      role,
      [parameters],
      'One state parameter per source table, created on first use; access is scoped to the configured ingest parameter path.',
    );
  }
}
