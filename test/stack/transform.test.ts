import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE } from '../../lambdas/core/metric-names';
import { statementsOfRole, synthPipeline } from './synth';

describe('transform Lambda', () => {
  it('is triggered by ObjectCreated for .jsonl and .jsonl.gz objects in the ingestion bucket', () => {
    const synthesized = synthPipeline();
    const { stack, template } = synthesized;
    const transform = { 'Fn::GetAtt': [synthesized.logicalId(stack.transform.lambda.function), 'Arn'] };
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: synthesized.logicalId(stack.buckets.ingestion) },
      Managed: true,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jsonl' }] } },
            LambdaFunctionArn: transform,
          },
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jsonl.gz' }] } },
            LambdaFunctionArn: transform,
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: transform,
      SourceArn: { 'Fn::GetAtt': [synthesized.logicalId(stack.buckets.ingestion), 'Arn'] },
    });
  });

  it('filters on the ingestion prefix and configures an existing bucket without replacing its other notifications', () => {
    const { template } = synthPipeline({ ingestionBucketName: 'acme-ingest', ingestionPrefix: 'totesys' });
    const notifications = Object.values(template.findResources('Custom::S3BucketNotifications'));
    expect(notifications).toHaveLength(1);
    const properties = notifications[0]!.Properties;
    expect(properties.BucketName).toBe('acme-ingest');
    // Managed false: CDK merges with notifications the bucket already has.
    expect(properties.Managed).toBe(false);
    expect(
      properties.NotificationConfiguration.LambdaFunctionConfigurations.map(
        (configuration: { Filter: { Key: { FilterRules: unknown } } }) => configuration.Filter.Key.FilterRules,
      ),
    ).toEqual([
      [
        { Name: 'suffix', Value: '.jsonl' },
        { Name: 'prefix', Value: 'totesys/' },
      ],
      [
        { Name: 'suffix', Value: '.jsonl.gz' },
        { Name: 'prefix', Value: 'totesys/' },
      ],
    ]);
  });

  it('runs one invocation at a time on Node.js 22 arm64 with 1024 MB and five minutes', () => {
    const synthesized = synthPipeline({ processedPrefix: 'star', sequenceParameterPath: '/acme/totesys' });
    const resource = synthesized.template.toJSON().Resources[synthesized.logicalId(synthesized.stack.transform.lambda.function)];
    expect(resource.Properties).toMatchObject({
      ReservedConcurrentExecutions: 1,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 300,
      Handler: 'index.handler',
    });
    expect(resource.Properties.Environment.Variables).toEqual({
      INGESTION_BUCKET: { Ref: synthesized.logicalId(synthesized.stack.buckets.ingestion) },
      INGESTION_PREFIX: '',
      PROCESSED_BUCKET: { Ref: synthesized.logicalId(synthesized.stack.buckets.processed) },
      PROCESSED_PREFIX: 'star/',
      SEQUENCE_PARAMETER_PATH: '/acme/totesys',
      POWERTOOLS_SERVICE_NAME: 'totesys-transform',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      PIPELINE_NAME: 'TotesysElt',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('retries failed events twice, keeps queued events up to six hours, then sends them to a 14-day dead-letter queue', () => {
    const synthesized = synthPipeline();
    const { stack, template } = synthesized;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: synthesized.logicalId(stack.transform.lambda.function) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [synthesized.logicalId(stack.transform.deadLetterQueue), 'Arn'] } },
      },
    });
    const queue = template.toJSON().Resources[synthesized.logicalId(stack.transform.deadLetterQueue)];
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  it('may read ingestion objects, read and write only its four processed folders, and touch only the sequence path', () => {
    const synthesized = synthPipeline({
      ingestionPrefix: 'landing',
      processedPrefix: 'star',
      sequenceParameterPath: '/acme/totesys',
    });
    const { stack } = synthesized;
    const ingestionArn = { 'Fn::GetAtt': [synthesized.logicalId(stack.buckets.ingestion), 'Arn'] };
    const processedArn = { 'Fn::GetAtt': [synthesized.logicalId(stack.buckets.processed), 'Arn'] };
    const under = (bucketArn: unknown, path: string) => ({ 'Fn::Join': ['', [bucketArn, path]] });
    expect(statementsOfRole(synthesized, stack.transform.lambda.role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [synthesized.logicalId(stack.transform.lambda.logGroup), 'Arn'] },
      },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: under(ingestionArn, '/landing/*') },
      // Listing the ingestion prefix: a deleted object then reads as 404, not 403.
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: ingestionArn, Condition: { StringLike: { 's3:prefix': ['landing/*'] } } },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['batches', 'manifests', 'rejected', 'state'].map((folder) => under(processedArn, `/star/${folder}/*`)),
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: processedArn,
        Condition: { StringLike: { 's3:prefix': ['batches', 'manifests', 'rejected', 'state'].map((folder) => `star/${folder}/*`) } },
      },
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:PutParameter'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ssm:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':parameter/acme/totesys/*',
            ],
          ],
        },
      },
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': [synthesized.logicalId(stack.transform.deadLetterQueue), 'Arn'] },
      },
    ]);
  });

  it('scopes permissions on existing buckets to the same keys', () => {
    const synthesized = synthPipeline({ ingestionBucketName: 'acme-ingest', processedBucketName: 'acme-processed' });
    const statements = statementsOfRole(synthesized, synthesized.stack.transform.lambda.role);
    const s3Arn = (path: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${path}`]] });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 's3:GetObject', Resource: s3Arn('acme-ingest/*') });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: ['batches', 'manifests', 'rejected', 'state'].map((folder) => s3Arn(`acme-processed/${folder}/*`)),
    });
    expect(statements.filter((s) => s.Action === 's3:ListBucket')).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: s3Arn('acme-ingest') },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: s3Arn('acme-processed'),
        Condition: { StringLike: { 's3:prefix': ['batches/*', 'manifests/*', 'rejected/*', 'state/*'] } },
      },
    ]);
  });
});
