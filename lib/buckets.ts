/**
 * The ingestion and processed buckets: existing ones by name, or new ones that are encrypted,
 * private, TLS-only, versioned, access-logged and kept when the stack is deleted.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
