/**
 * `--stack NAME` with the optional ingest stage: `status` reads the ingest stage's state
 * from the Ingest function's INGEST_PARAMETER_PATH (its default when unset); a stack
 * without the stage has no ingest path.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveStack } from '../../ops/stack-resources';

const OUTPUTS = {
  IngestionBucketName: 'acme-ingestion',
  ProcessedBucketName: 'acme-processed',
  WarehouseSecretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:acme/warehouse-AbC123',
  TransformFunctionName: 'Acme-Transform',
  LoadFunctionName: 'Acme-Load',
  TransformDeadLetterQueueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/transform-dlq',
  LoadDeadLetterQueueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/load-dlq',
};
const cloudFormation = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const s3 = mockClient(S3Client);
const region = { region: 'eu-west-2' };
const clients = { cloudFormation: new CloudFormationClient(region), lambda: new LambdaClient(region), s3: new S3Client(region) };

function mockStack(outputs: Record<string, string>, ingestEnvironment: Record<string, string> = {}): void {
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Acme',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  lambda
    .on(GetFunctionConfigurationCommand, { FunctionName: OUTPUTS.TransformFunctionName })
    .resolves({ Environment: { Variables: { SEQUENCE_PARAMETER_PATH: '/acme/transform' } } });
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: OUTPUTS.LoadFunctionName }).resolves({ Environment: { Variables: {} } });
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'Acme-Ingest' }).resolves({ Environment: { Variables: ingestEnvironment } });
}

beforeEach(() => {
  cloudFormation.reset();
  lambda.reset();
  s3.reset();
});

describe('resolveStack: the ingest stage', () => {
  it('takes the ingest parameter path from the Ingest function', async () => {
    mockStack({ ...OUTPUTS, IngestFunctionName: 'Acme-Ingest' }, { INGEST_PARAMETER_PATH: '/acme/ingest' });
    expect((await resolveStack(clients, 'Acme', { ingestionPrefix: '' })).ingestParameterPath).toBe('/acme/ingest');
  });

  it("uses the ingest stage's default path when the function does not set one", async () => {
    mockStack({ ...OUTPUTS, IngestFunctionName: 'Acme-Ingest' });
    expect((await resolveStack(clients, 'Acme', { ingestionPrefix: '' })).ingestParameterPath).toBe('/totesys/ingest');
  });

  it('has no ingest path for a stack without the ingest stage', async () => {
    mockStack(OUTPUTS);
    expect((await resolveStack(clients, 'Acme', { ingestionPrefix: '' })).ingestParameterPath).toBeUndefined();
  });
});
