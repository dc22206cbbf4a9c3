/**
 * The load Lambda and what drives it: an EventBridge Scheduler schedule, Lambda's
 * asynchronous retries (Scheduler invokes Lambda asynchronously), and one dead-letter queue
 * for both schedule deliveries and runs that failed every attempt.
 */
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DbSslMode, LogLevel, VpcPlacement } from './config/pipeline-config';
import type { ParsedSchedule } from './config/validators';
import { BUNDLED_CA_FILE, BUNDLED_CA_PATH, LAMBDA_RUNTIME_CA_PATH } from './config/ca-bundle';
import { type LambdaPlacement, lambdaPlacement } from './lambda-placement';
import { acknowledgeWildcardResources } from './nag';
import { scheduledInvocation } from './scheduled-invocation';
import { PipelineFunction } from './pipeline-function';
import { ENV } from '../lambdas/environment';

/** What the loader reads in the processed bucket: complete batches and their manifests. */
const LOAD_PROCESSED_FOLDERS = ['batches', 'manifests'] as const;
/** A failed run is retried about 1 and 2 minutes later; the next scheduled run retries anyway. */
const LOAD_RETRY_ATTEMPTS = 2;
/** Older runs are superseded by the next scheduled one. */
const LOAD_MAX_EVENT_AGE = Duration.hours(1);
/** Scheduler's retries of a delivery the Lambda service refused. */
const SCHEDULE_MAX_EVENT_AGE = Duration.hours(1);

export interface LoadStageProps {
  readonly processedBucket: s3.IBucket;
  readonly processedPrefix: string;
  readonly secret: secretsmanager.ISecret;
  readonly ssl: DbSslMode;
  /** WAREHOUSE_SCHEMA: where the star schema lives. */
  readonly warehouseSchema: string;
  /** A PEM file to bundle as DB_CA_BUNDLE; without it, the Lambda runtime's bundle. */
  readonly caBundle?: string;
  readonly vpc?: VpcPlacement;
  readonly schedule: ParsedSchedule;
  readonly timeout: Duration;
  readonly memoryMb: number;
  readonly logLevel: LogLevel;
}

export class LoadStage extends Construct {
  readonly lambda: PipelineFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  readonly scheduleRole: iam.Role;
  /** The security group the stack created for the load Lambda, when it created one. */
  readonly createdSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: LoadStageProps) {
    super(scope, id);
    let placement: LambdaPlacement | undefined;
    if (props.vpc) {
      placement = lambdaPlacement(this, props.vpc, {
        description: 'totesys load Lambda: allow it into the warehouse database security group',
        egress: { databasePort: props.vpc.warehousePort, databaseName: 'the warehouse (Postgres)' },
      });
      this.createdSecurityGroup = placement.createdSecurityGroup;
    }

    this.lambda = new PipelineFunction(this, 'Lambda', {
      entry: 'lambdas/load/handler.ts',
      description: 'totesys load: processed Parquet batches into the Postgres warehouse',
      serviceName: 'totesys-load',
      memorySize: props.memoryMb,
      timeout: props.timeout,
      // One run at a time: a retry or a slow run never overlaps the next scheduled one.
      reservedConcurrentExecutions: 1,
      logLevel: props.logLevel,
      environment: {
        [ENV.processedBucket]: props.processedBucket.bucketName,
        [ENV.processedPrefix]: props.processedPrefix,
        [ENV.warehouseSecretArn]: props.secret.secretArn,
        [ENV.warehouseSsl]: props.ssl,
        [ENV.warehouseSchema]: props.warehouseSchema,
        // Trusted next to Node's public roots when dbSsl=require (lambdas/adapters/pg/connect.ts).
        [ENV.warehouseCaBundle]: props.caBundle ? BUNDLED_CA_PATH : LAMBDA_RUNTIME_CA_PATH,
        // Since Node.js 20 Lambda no longer trusts the Amazon RDS certificate authorities by
        // default; this bundle of the runtime restores them, so verified TLS to RDS works.
        [ENV.nodeExtraCaCerts]: LAMBDA_RUNTIME_CA_PATH,
      },
      vpc: placement,
      ...(props.caBundle ? { bundledFiles: [{ source: props.caBundle, name: BUNDLED_CA_FILE }] } : {}),
    });
    this.grantAccess(props);

    const scheduled = scheduledInvocation(this, {
      name: 'load',
      function: this.lambda.function,
      expression: props.schedule.expression,
      retryAttempts: LOAD_RETRY_ATTEMPTS,
      maxEventAge: LOAD_MAX_EVENT_AGE,
      scheduleMaxEventAge: SCHEDULE_MAX_EVENT_AGE,
    });
    this.deadLetterQueue = scheduled.deadLetterQueue;
    this.scheduleRole = scheduled.scheduleRole;
    this.schedule = scheduled.schedule;
  }

  private grantAccess(props: LoadStageProps): void {
    const role = this.lambda.role;
    const readable = LOAD_PROCESSED_FOLDERS.map((folder) => props.processedBucket.arnForObjects(`${props.processedPrefix}${folder}/*`));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: readable }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.processedBucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': LOAD_PROCESSED_FOLDERS.map((folder) => `${props.processedPrefix}${folder}/*`) },
        },
      }),
    );
    props.secret.grantRead(role);

    acknowledgeWildcardResources(
      role,
      readable,
      'The loader reads every complete batch, whose keys it finds by listing; reads are scoped to the batches and manifests folders of the processed prefix.',
    );
  }
}
