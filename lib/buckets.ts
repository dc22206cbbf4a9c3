/**
 * The ingestion and processed buckets: existing ones by name, or new ones that are encrypted,
 * private, TLS-only, versioned, access-logged and kept when the stack is deleted.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketSettings } from './config/pipeline-config';

/** Old versions of overwritten objects (join state, re-processed batches) are kept this long. */
const NONCURRENT_VERSION_DAYS = 90;
const ACCESS_LOG_DAYS = 365;

export interface PipelineBucketsProps {
  readonly ingestion: BucketSettings;
  readonly processed: BucketSettings;
}

export class PipelineBuckets extends Construct {
  readonly ingestion: s3.IBucket;
  readonly processed: s3.IBucket;
  /** Created only when the stack creates a data bucket. */
  readonly accessLogs?: s3.Bucket;

  constructor(scope: Construct, id: string, props: PipelineBucketsProps) {
    super(scope, id);
    if (props.ingestion.bucketName === undefined || props.processed.bucketName === undefined) {
      this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
        ...securedBucketProps(),
        lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_DAYS) }],
      });
    }
    this.ingestion = this.dataBucket('Ingestion', props.ingestion.bucketName);
    this.processed = this.dataBucket('Processed', props.processed.bucketName);
  }

  /**
   * Only `writers` (the transform's role, and any operator roles given for replays) may
   * create or delete objects under `folders` of the processed prefix: whatever else an
   * account's policies allow, nobody else can put a batch or manifest the loader would
   * load. A bucket the stack did not create gets no policy (see docs/DEPLOY.md).
   */
  restrictProcessedWriters(prefix: string, folders: readonly string[], writers: readonly string[]): void {
    if (!(this.processed instanceof s3.Bucket)) return;
    this.processed.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThePipelineWritesBatches',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: folders.map((folder) => this.processed.arnForObjects(`${prefix}${folder}/*`)),
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...writers] } },
      }),
    );
  }

  private dataBucket(id: string, existingName: string | undefined): s3.IBucket {
    if (existingName !== undefined) return s3.Bucket.fromBucketName(this, id, existingName);
    return new s3.Bucket(this, id, {
      ...securedBucketProps(),
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}

function securedBucketProps(): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}
