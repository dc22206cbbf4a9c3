/**
 * What `--stack NAME` resolves to: the stack's outputs (buckets, secret, functions,
 * dead-letter queues; see lib/pipeline-stack.ts), and the settings the outputs do not
 * carry, read from where the stack put them: the processed prefix and the SSM path from
 * the transform function's environment, the TLS mode from the load function's, and the
 * ingestion prefix from the ingestion bucket's notification to the transform.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_DEPLOYED_SSL, DEFAULT_INGEST_PARAMETER_PATH, ENV, type SslMode } from '../lambdas/environment';
import { DEFAULT_SCHEMAS } from '../lambdas/core/warehouse';
import { PipelineError } from '../lambdas/core/errors';

export interface StackResources {
  readonly stackName: string;
  readonly ingestionBucket: string;
  readonly ingestionPrefix: string;
  readonly processedBucket: string;
  readonly processedPrefix: string;
  readonly sequenceParameterPath: string;
  /** The ingest function's INGEST_PARAMETER_PATH, when the stack has the ingest stage. */
  readonly ingestParameterPath?: string;
  readonly warehouseSecretArn: string;
  readonly dbSsl: SslMode;
  /** The load function's WAREHOUSE_SCHEMA: where the star schema lives. */
  readonly warehouseSchema: string;
  readonly transformFunctionName: string;
  readonly loadFunctionName: string;
  readonly transformDeadLetterQueueUrl: string;
  readonly loadDeadLetterQueueUrl: string;
}

/** The outputs the CLI needs, by their OutputKey in lib/pipeline-stack.ts. */
const REQUIRED_OUTPUTS = [
  'IngestionBucketName',
  'ProcessedBucketName',
  'WarehouseSecretArn',
  'TransformFunctionName',
  'LoadFunctionName',
  'TransformDeadLetterQueueUrl',
  'LoadDeadLetterQueueUrl',
] as const;

export class StackResolutionError extends PipelineError {
  readonly kind = 'configuration';
  override readonly name = 'StackResolutionError';
}

export interface StackClients {
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly s3: S3Client;
}

export async function resolveStack(
  clients: StackClients,
  stackName: string,
  overrides: { readonly ingestionPrefix?: string } = {},
): Promise<StackResources> {
  const outputs = await stackOutputs(clients.cloudFormation, stackName);
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs.has(key));
  if (missing.length > 0) {
    throw new StackResolutionError(
      `stack ${stackName} has no output ${missing.join(', ')}: is it this project's pipeline stack, deployed from a current version?`,
    );
  }
  const output = (key: (typeof REQUIRED_OUTPUTS)[number]) => outputs.get(key)!;
  const transformEnvironment = await functionEnvironment(clients.lambda, output('TransformFunctionName'));
  const loadEnvironment = await functionEnvironment(clients.lambda, output('LoadFunctionName'));
  const sequenceParameterPath = transformEnvironment[ENV.sequenceParameterPath];
  if (!sequenceParameterPath) {
    throw new StackResolutionError(
      `the transform function ${output('TransformFunctionName')} has no ${ENV.sequenceParameterPath} in its environment`,
    );
  }
  const ingestFunction = outputs.get('IngestFunctionName');
  const ingestParameterPath = ingestFunction
    ? (await functionEnvironment(clients.lambda, ingestFunction))[ENV.ingestParameterPath] || DEFAULT_INGEST_PARAMETER_PATH
    : undefined;
  const dbSsl = (loadEnvironment[ENV.warehouseSsl] || DEFAULT_DEPLOYED_SSL) as SslMode;
  const ingestionPrefix =
    overrides.ingestionPrefix ?? (await notificationPrefix(clients.s3, output('IngestionBucketName'), output('TransformFunctionName')));
  return {
    stackName,
    ingestionBucket: output('IngestionBucketName'),
    ingestionPrefix: normalisePrefix(ingestionPrefix),
    processedBucket: output('ProcessedBucketName'),
    processedPrefix: transformEnvironment[ENV.processedPrefix] ?? '',
    sequenceParameterPath,
    ...(ingestParameterPath ? { ingestParameterPath } : {}),
    warehouseSecretArn: output('WarehouseSecretArn'),
    dbSsl,
    warehouseSchema: loadEnvironment[ENV.warehouseSchema] || DEFAULT_SCHEMAS.warehouse,
    transformFunctionName: output('TransformFunctionName'),
    loadFunctionName: output('LoadFunctionName'),
    transformDeadLetterQueueUrl: output('TransformDeadLetterQueueUrl'),
    loadDeadLetterQueueUrl: output('LoadDeadLetterQueueUrl'),
  };
}

async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Map<string, string>> {
  let response;
  try {
    response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/does not exist/i.test(message)) {
      const region = await client.config.region().catch(() => 'the configured region');
      throw new StackResolutionError(`stack ${stackName} does not exist in ${region} (pass --region?)`);
    }
    throw new StackResolutionError(`cannot describe stack ${stackName}: ${message}`);
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new StackResolutionError(`stack ${stackName} not found`);
  return new Map(
    (stack.Outputs ?? []).flatMap((output) =>
      output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue] as const] : [],
    ),
  );
}

async function functionEnvironment(client: LambdaClient, functionName: string): Promise<Record<string, string>> {
  try {
    const response = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return response.Environment?.Variables ?? {};
  } catch (error) {
    throw new StackResolutionError(
      `cannot read the configuration of function ${functionName}: ${(error as Error).message ?? String(error)}`,
    );
  }
}

/** The prefix filter of the bucket's notification to the transform function ('' when it has none). */
async function notificationPrefix(client: S3Client, bucket: string, functionName: string): Promise<string> {
  let response;
  try {
    response = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  } catch (error) {
    throw new StackResolutionError(
      `cannot read the notification configuration of bucket ${bucket} to find the ingestion prefix ` +
        `(${(error as Error).message ?? String(error)}); pass --ingestion-prefix`,
    );
  }
  const toTransform = (response.LambdaFunctionConfigurations ?? []).filter((configuration) =>
    configuration.LambdaFunctionArn?.endsWith(`:function:${functionName}`),
  );
  if (toTransform.length === 0) {
    throw new StackResolutionError(`bucket ${bucket} sends no events to ${functionName}; pass --ingestion-prefix`);
  }
  const rule = toTransform[0]!.Filter?.Key?.FilterRules?.find((r) => r.Name?.toLowerCase() === 'prefix');
  return rule?.Value ?? '';
}

function normalisePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}
