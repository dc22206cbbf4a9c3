/**
 * The deployable pipeline: buckets, the transform and load Lambdas with their triggers,
 * retries and dead-letter queues, the warehouse secret, alerting and a dashboard.
 * Environment-agnostic: no lookups, so it synthesizes offline without credentials.
 */
import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlertTopic } from './alert-topic';
import { createPipelineAlarms } from './alarms';
import { PipelineBuckets } from './buckets';
import type { PipelineConfig } from './config/pipeline-config';
import { checkSettingsAgainstStack } from './config/stack-checks';
import { PipelineDashboard } from './dashboard';
import { IngestStage } from './ingest-stage';
import { LoadStage } from './load-stage';
import { acknowledge, giveLogGroup } from './nag';
import { TRANSFORM_PROCESSED_FOLDERS, TransformStage } from './transform-stage';
import { warehouseSecret } from './warehouse-secret';

export interface PipelineStackProps extends StackProps {
  readonly config: PipelineConfig;
}

export class PipelineStack extends Stack {
  readonly buckets: PipelineBuckets;
  readonly transform: TransformStage;
  readonly load: LoadStage;
  /** Only with a source database secret (`-c sourceDbSecret=…`). */
  readonly ingest?: IngestStage;
  readonly alerts: AlertTopic;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    Tags.of(this).add('Project', 'totesys-elt');

    checkSettingsAgainstStack(this, config);
    this.buckets = new PipelineBuckets(this, 'Buckets', { ingestion: config.ingestion, processed: config.processed });

    this.transform = new TransformStage(this, 'Transform', {
      ingestionBucket: this.buckets.ingestion,
      ingestionPrefix: config.ingestion.prefix,
      processedBucket: this.buckets.processed,
      processedPrefix: config.processed.prefix,
      sequenceParameterPath: config.sequenceParameterPath,
      logLevel: config.logLevel,
    });

    this.buckets.restrictProcessedWriters(config.processed.prefix, TRANSFORM_PROCESSED_FOLDERS, [
      this.transform.lambda.role.roleArn,
      ...config.processed.writerRoleArns,
    ]);

    const secret = warehouseSecret(this, 'WarehouseSecret', config.warehouse.secret);
    this.load = new LoadStage(this, 'Load', {
      processedBucket: this.buckets.processed,
      processedPrefix: config.processed.prefix,
      secret,
      ssl: config.warehouse.ssl,
      warehouseSchema: config.warehouse.schema,
      caBundle: config.warehouse.caBundle,
      vpc: config.warehouse.vpc,
      schedule: config.loadSchedule,
      timeout: Duration.seconds(config.load.timeoutSeconds),
      memoryMb: config.load.memoryMb,
      logLevel: config.logLevel,
    });

    if (config.ingest) {
      this.ingest = new IngestStage(this, 'Ingest', {
        settings: config.ingest,
        ingestionBucket: this.buckets.ingestion,
        ingestionPrefix: config.ingestion.prefix,
        processedBucket: this.buckets.processed,
        processedPrefix: config.processed.prefix,
        vpc: config.warehouse.vpc,
        logLevel: config.logLevel,
      });
    }

    this.alerts = new AlertTopic(this, 'Alerts', { emails: config.alertEmails, alarmNamePrefix: this.stackName });
    if (config.alertEmails.length === 0) {
      Validations.of(this).addWarning(
        'totesys:NoAlertEmails',
        'No alertEmails given: alarms publish to the alert topic but nobody is subscribed. Deploy with -c alertEmails=you@example.com.',
      );
    }
    createPipelineAlarms(this.alerts, this.transform, this.load, config);
    this.ingest?.addAlarms(this.alerts, config.alarms.failurePeriods);
    new PipelineDashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-pipeline`,
      transform: this.transform,
      load: this.load,
      alarms: this.alerts.alarms,
      freshnessMinutes: config.alarms.freshnessMinutes,
    });

    this.acknowledgeBucketNotificationsHandler();
    this.outputs(secret.secretArn);
  }

  /**
   * S3 notifications are configured by CDK's own custom resource (a singleton Lambda
   * created at the stack root), whose role and runtime are CDK's, not ours.
   */
  private acknowledgeBucketNotificationsHandler(): void {
    const handler = this.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) return;
    giveLogGroup(handler);
    acknowledge(
      handler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketNotificationsHandler custom resource only writes its own logs; its role is defined by aws-cdk-lib.",
    );
  }

  private outputs(secretArn: string): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('IngestionBucketName', this.buckets.ingestion.bucketName, 'Where ingestion objects land');
    output('ProcessedBucketName', this.buckets.processed.bucketName, 'Where the transform writes Parquet batches');
    output('WarehouseSecretArn', secretArn, 'Warehouse connection secret: fill it in (see DEPLOY.md)');
    output('AlertTopicArn', this.alerts.topic.topicArn, 'Alarm notifications');
    output('TransformFunctionName', this.transform.lambda.function.functionName, 'Transform Lambda');
    output('LoadFunctionName', this.load.lambda.function.functionName, 'Load Lambda');
    output('TransformDeadLetterQueueUrl', this.transform.deadLetterQueue.queueUrl, 'Failed transform events');
    output('LoadDeadLetterQueueUrl', this.load.deadLetterQueue.queueUrl, 'Failed load runs');
    if (this.ingest) {
      output('IngestFunctionName', this.ingest.lambda.function.functionName, 'Ingest Lambda');
      output('IngestDeadLetterQueueUrl', this.ingest.deadLetterQueue.queueUrl, 'Failed ingest runs');
      if (this.ingest.createdSecurityGroup) {
        output(
          'IngestSecurityGroupId',
          this.ingest.createdSecurityGroup.securityGroupId,
          'Allow this security group into the source database on its port',
        );
      }
    }
    if (this.load.createdSecurityGroup) {
      output(
        'LoadSecurityGroupId',
        this.load.createdSecurityGroup.securityGroupId,
        'Allow this security group into the warehouse database on its port',
      );
    }
  }
}
