import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthPipeline } from './synth';

describe('buckets', () => {
  it('creates encrypted, private, versioned, access-logged data buckets kept on stack deletion', () => {
    const synthesized = synthPipeline();
    const { stack, template } = synthesized;
    const accessLogs = synthesized.logicalId(stack.buckets.accessLogs!);
    for (const [bucket, logPrefix] of [
      [stack.buckets.ingestion, 'ingestion/'],
      [stack.buckets.processed, 'processed/'],
    ] as const) {
      const resource = template.toJSON().Resources[synthesized.logicalId(bucket)];
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
      expect(resource.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogs }, LogFilePrefix: logPrefix },
      });
    }
  });

  it('refuses any request that is not TLS 1.2 or later', () => {
    const synthesized = synthPipeline();
    for (const bucket of [synthesized.stack.buckets.ingestion, synthesized.stack.buckets.processed]) {
      synthesized.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: synthesized.logicalId(bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  it('uses existing buckets by name and creates none', () => {
    const { stack, template } = synthPipeline({ ingestionBucketName: 'acme-ingest', processedBucketName: 'acme-processed' });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    expect(stack.buckets.accessLogs).toBeUndefined();
    expect(stack.buckets.ingestion.bucketName).toBe('acme-ingest');
    expect(stack.buckets.processed.bucketName).toBe('acme-processed');
  });
});
