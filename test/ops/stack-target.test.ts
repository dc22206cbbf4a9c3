/**
 * `--stack NAME`: the stack's outputs and its functions' settings are resolved through
 * (mocked) CloudFormation, Lambda and S3; the commands then run against S3 and SSM through
 * the real adapters (over in-memory fakes) and a real Postgres reached with the
 * credentials from the (mocked) warehouse secret.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type FilterRuleName, GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../lambdas/adapters/aws/s3-object-store';
import { SsmParameterStore } from '../../lambdas/adapters/aws/ssm-parameter-store';
import { ProcessedLayout } from '../../lambdas/core/layout';
import { loadPendingBatches } from '../../lambdas/core/load/loader';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { IngestionObjectWriter, evolve, generateDataset, snapshot } from '../../local/generator';
import { decodeS3EventKey } from '../../lambdas/adapters/aws/s3-event';
import { isForcedReplay } from '../../lambdas/adapters/aws/replay-event';
import { runCli } from '../../ops/cli';
import type { Reconciliation } from '../../ops/reconcile/reconcile';
import { StackResolutionError, resolveStack } from '../../ops/stack-resources';
import type { PipelineStatus } from '../../ops/status';
import { type AwsClients, stackTarget } from '../../ops/targets';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { FakeS3 } from '../support/s3-mock';
import { FakeSsm } from '../support/ssm-mock';
import { captureIo } from './support/local-state';
import { connectPostgres } from '../../lambdas/adapters/pg/connect';

const STACK = 'AcmeElt';
const OUTPUTS = {
  IngestionBucketName: 'acme-ingestion',
  ProcessedBucketName: 'acme-processed',
  WarehouseSecretArn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:acme/warehouse-AbC123',
  AlertTopicArn: 'arn:aws:sns:eu-west-2:123456789012:alerts',
  TransformFunctionName: 'AcmeElt-TransformLambda1234',
  LoadFunctionName: 'AcmeElt-LoadLambda5678',
  TransformDeadLetterQueueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/transform-dlq',
  LoadDeadLetterQueueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/load-dlq',
};
const INGESTION_PREFIX = 'totesys/';
const PROCESSED_PREFIX = 'pipeline/';
const PARAMETER_PATH = '/acme/transform';

const s3 = new FakeS3();
const ssm = new FakeSsm();
const cloudFormation = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const region = { region: 'eu-west-2' };
const clients: AwsClients = {
  cloudFormation: new CloudFormationClient(region),
  lambda: new LambdaClient(region),
  s3: new S3Client(region),
  ssm: new SSMClient(region),
  secretsManager: new SecretsManagerClient(region),
  sqs: new SQSClient(region),
};

function mockStack(outputs: Record<string, string> = OUTPUTS): void {
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves({
    Stacks: [
      {
        StackName: STACK,
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  lambda.reset();
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: OUTPUTS.TransformFunctionName }).resolves({
    Environment: {
      Variables: { PROCESSED_BUCKET: OUTPUTS.ProcessedBucketName, PROCESSED_PREFIX, SEQUENCE_PARAMETER_PATH: PARAMETER_PATH },
    },
  });
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: OUTPUTS.LoadFunctionName }).resolves({
    Environment: {
      Variables: { PROCESSED_BUCKET: OUTPUTS.ProcessedBucketName, DB_SECRET_ARN: OUTPUTS.WarehouseSecretArn, DB_SSL: 'disable' },
    },
  });
  s3.mock.on(GetBucketNotificationConfigurationCommand, { Bucket: OUTPUTS.IngestionBucketName }).resolves({
    LambdaFunctionConfigurations: [
      {
        LambdaFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${OUTPUTS.TransformFunctionName}`,
        Events: ['s3:ObjectCreated:*'],
        // S3 answers with capitalised rule names, whatever the SDK's type says.
        Filter: {
          Key: {
            FilterRules: [
              { Name: 'Prefix' as FilterRuleName, Value: INGESTION_PREFIX },
              { Name: 'Suffix' as FilterRuleName, Value: '.jsonl' },
            ],
          },
        },
      },
    ],
  });
}

let database: TestDatabase;
let objectCount = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  secrets.on(GetSecretValueCommand, { SecretId: OUTPUTS.WarehouseSecretArn }).resolves({
    SecretString: JSON.stringify({
      engine: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      dbname: url.pathname.slice(1),
    }),
  });

  // The pipeline as deployed: objects under the ingestion prefix, batches under the processed prefix.
  const ingestion = new S3ObjectStore(clients.s3, OUTPUTS.IngestionBucketName);
  const processed = new S3ObjectStore(clients.s3, OUTPUTS.ProcessedBucketName);
  const layout = new ProcessedLayout(PROCESSED_PREFIX);
  const writer = new IngestionObjectWriter(ingestion, { prefix: INGESTION_PREFIX });
  const dataset = generateDataset({ seed: 5, scale: 0.02 });
  const objects = [...(await writer.write(snapshot(dataset))), ...(await writer.write(evolve(dataset).changes))];
  objectCount = objects.length;
  const deps = {
    ingestion,
    processed,
    layout,
    parameters: new SsmParameterStore(clients.ssm),
    sequenceParameterPath: PARAMETER_PATH,
    log: silentLog,
    metrics: noMetrics,
  };
  for (const object of objects) await transformObject(deps, { key: object.key });
  await loadPendingBatches(
    {
      connect: () => connectPostgres(database.url),
      store: processed,
      layout,
      log: silentLog,
      metrics: noMetrics,
    },
    { deadline: Number.POSITIVE_INFINITY },
  );
}, 120_000);

beforeEach(() => mockStack());

afterAll(async () => {
  await database?.drop();
});

describe('resolving a stack', () => {
  it("reads the outputs, the functions' settings and the ingestion prefix", async () => {
    expect(await resolveStack(clients, STACK)).toEqual({
      stackName: STACK,
      ingestionBucket: OUTPUTS.IngestionBucketName,
      ingestionPrefix: INGESTION_PREFIX,
      processedBucket: OUTPUTS.ProcessedBucketName,
      processedPrefix: PROCESSED_PREFIX,
      sequenceParameterPath: PARAMETER_PATH,
      warehouseSecretArn: OUTPUTS.WarehouseSecretArn,
      dbSsl: 'disable',
      warehouseSchema: 'public',
      transformFunctionName: OUTPUTS.TransformFunctionName,
      loadFunctionName: OUTPUTS.LoadFunctionName,
      transformDeadLetterQueueUrl: OUTPUTS.TransformDeadLetterQueueUrl,
      loadDeadLetterQueueUrl: OUTPUTS.LoadDeadLetterQueueUrl,
    });
    expect((await resolveStack(clients, STACK, { ingestionPrefix: 'elsewhere' })).ingestionPrefix).toBe('elsewhere/');
  });

  it('looks for the star schema where the load function puts it (WAREHOUSE_SCHEMA)', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: OUTPUTS.LoadFunctionName }).resolves({
      Environment: { Variables: { DB_SSL: 'disable', WAREHOUSE_SCHEMA: 'analytics' } },
    });
    expect((await resolveStack(clients, STACK)).warehouseSchema).toBe('analytics');
    expect((await stackTarget({ stackName: STACK }, clients)).schemas).toEqual({ warehouse: 'analytics', control: 'etl_control' });
    // --warehouse-schema overrides it.
    expect((await stackTarget({ stackName: STACK, warehouseSchema: 'elsewhere' }, clients)).schemas).toEqual({
      warehouse: 'elsewhere',
      control: 'etl_control',
    });
  });

  it('names the outputs a stack lacks', async () => {
    const { LoadDeadLetterQueueUrl: _dropped, WarehouseSecretArn: _too, ...partial } = OUTPUTS;
    mockStack(partial);
    await expect(resolveStack(clients, STACK)).rejects.toThrow(
      new StackResolutionError(
        `stack ${STACK} has no output WarehouseSecretArn, LoadDeadLetterQueueUrl: is it this project's pipeline stack, deployed from a current version?`,
      ),
    );
  });

  it('says when the stack does not exist, and the CLI exits 1 with that message', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'Nope' })
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    await expect(resolveStack(clients, 'Nope')).rejects.toThrow('stack Nope does not exist in eu-west-2 (pass --region?)');
    const io = captureIo();
    expect(await runCli(['status', '--stack', 'Nope'], io.io, { awsClients: clients })).toBe(1);
    expect(io.stderr.join('')).toBe('error: stack Nope does not exist in eu-west-2 (pass --region?)\n');
  });

  it('asks for --ingestion-prefix when the bucket does not notify the transform', async () => {
    s3.mock.on(GetBucketNotificationConfigurationCommand, { Bucket: OUTPUTS.IngestionBucketName }).resolves({});
    await expect(resolveStack(clients, STACK)).rejects.toThrow(
      `bucket ${OUTPUTS.IngestionBucketName} sends no events to ${OUTPUTS.TransformFunctionName}; pass --ingestion-prefix`,
    );
  });
});

describe('commands against a stack', () => {
  it('status reads both buckets, SSM and the warehouse through the secret', async () => {
    const io = captureIo();
    expect(await runCli(['status', '--stack', STACK, '--json'], io.io, { awsClients: clients })).toBe(0);
    const status = JSON.parse(io.stdout.join('')) as PipelineStatus & { target: string };
    expect(status.target).toBe(`stack ${STACK}`);
    expect(status.warehouse.state).toBe('ok');
    const batches = status.tables.reduce((n, t) => n + t.transformed.batches, 0);
    expect(batches).toBe(objectCount);
    expect(status.tables.reduce((n, t) => n + t.loaded!.batchesLoaded, 0)).toBe(objectCount);
    expect(status.tables.find((t) => t.table === 'sales_order')).toMatchObject({
      ingested: { objects: 2, lastSequence: 2, missing: [] },
      transformed: { lastSequence: 2, parameterSequence: 2, notTransformed: [] },
      loaded: { lastLoadedSequence: 2 },
      lag: { pendingBatches: 0 },
    });
    expect(status.tables.find((t) => t.table === 'sales_order')!.transformed.parameterSequence).toBe(
      Number(ssm.parameters.get(`${PARAMETER_PATH}/sales_order/last-processed-sequence`)),
    );
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: OUTPUTS.WarehouseSecretArn });
  });

  it('reconcile finds the deployed pipeline consistent', async () => {
    const io = captureIo();
    expect(await runCli(['reconcile', '--stack', STACK, '--json'], io.io, { awsClients: clients })).toBe(0);
    const result = JSON.parse(io.stdout.join('')) as Reconciliation;
    expect(result.differences).toEqual([]);
    expect(result.facts.find((f) => f.table === 'fact_sales_order')!.sourceObjects.objects).toBe(2);
  });

  it('replay queues each object to the deployed transform as a forced replay event, and --load starts a load run', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const manifestKey = `${PROCESSED_PREFIX}manifests/sales_order/0000000001.json`;
    const before = s3.text(OUTPUTS.ProcessedBucketName, manifestKey);
    const io = captureIo();
    const now = Date.UTC(2024, 10, 20, 12, 0, 0);
    expect(
      await runCli(['replay', '--stack', STACK, '--table', 'sales_order', '--from', '1', '--to', '2', '--load'], io.io, {
        awsClients: clients,
        now: () => now,
      }),
    ).toBe(0);
    // Not transformed in this process: the batch is the deployed function's to rebuild.
    expect(s3.text(OUTPUTS.ProcessedBucketName, manifestKey)).toBe(before);

    const invokes = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    const transformInvokes = invokes.filter((input) => input.FunctionName === OUTPUTS.TransformFunctionName);
    expect(transformInvokes.map((input) => input.InvocationType)).toEqual(['Event', 'Event']);
    const events = transformInvokes.map((input) => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)));
    const listed = s3.keys(OUTPUTS.IngestionBucketName, `${INGESTION_PREFIX}sales_order/`);
    expect(events.map((event) => decodeS3EventKey(event.Records[0].s3.object.key))).toEqual(listed);
    expect(events[0]).toMatchObject({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: OUTPUTS.IngestionBucketName },
            object: { eTag: s3.get(OUTPUTS.IngestionBucketName, listed[0]!)!.etag.replace(/"/g, '') },
          },
        },
      ],
      totesysReplay: { force: true, requestedAt: '2024-11-20T12:00:00.000Z' },
    });
    expect(isForcedReplay(events[0])).toBe(true);

    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: OUTPUTS.LoadFunctionName, InvocationType: 'Event' });
    const text = io.stdout.join('');
    expect(text).toContain(
      `Queued a replay of sales_order sequences 1-2: 2 object(s)\n  ${listed[0]}: queued to ${OUTPUTS.TransformFunctionName}; had a batch, already loaded`,
    );
    expect(text).toContain(`${OUTPUTS.TransformFunctionName} transforms the queued objects one at a time, asynchronously`);
    expect(text).toContain(`load: a run of ${OUTPUTS.LoadFunctionName} was started (asynchronously)`);
  });

  it('replay reports an object the transform did not accept, and exits 1', async () => {
    lambda
      .on(InvokeCommand, { FunctionName: OUTPUTS.TransformFunctionName })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const io = captureIo();
    expect(await runCli(['replay', '--stack', STACK, '--table', 'sales_order', '--from', '2'], io.io, { awsClients: clients })).toBe(1);
    expect(io.stdout.join('')).toMatch(/0000000002_\d{8}T\d{9}\.jsonl: FAILED: not queued: Rate exceeded/);
  });

  it("replay --dlq transform --dry-run lists the failed objects in the stack's transform queue", async () => {
    const failure = {
      requestContext: { condition: 'RetriesExhausted' },
      requestPayload: { Records: [{ s3: { object: { key: `${INGESTION_PREFIX}payment/0000000003_20241120T120000000.jsonl` } } }] },
      responsePayload: { errorType: 'BadObjectError', errorMessage: 'corrupt gzip' },
    };
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: OUTPUTS.TransformDeadLetterQueueUrl })
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'h1', Body: JSON.stringify(failure) }] })
      .resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const io = captureIo();
    expect(await runCli(['replay', '--stack', STACK, '--dlq', 'transform', '--dry-run'], io.io, { awsClients: clients })).toBe(0);
    expect(io.stdout.join('')).toBe(
      `Would redrive 1 of 1 message(s) from ${OUTPUTS.TransformDeadLetterQueueUrl} to ${OUTPUTS.TransformFunctionName}\n` +
        `  ${INGESTION_PREFIX}payment/0000000003_20241120T120000000.jsonl [RetriesExhausted: BadObjectError: corrupt gzip]: would-redrive\n`,
    );
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });

  it('prints keys and messages from the queue with their control characters made visible, never as terminal escapes', async () => {
    // A key S3 would URL-encode: ESC ] 0 ; … BEL retitles a terminal window; ESC [ 2 J clears it.
    const key = `${INGESTION_PREFIX}payment/\u001b]0;pwned\u0007\u001b[2J0000000003.jsonl`;
    const failure = {
      requestContext: { condition: 'RetriesExhausted' },
      requestPayload: { Records: [{ s3: { object: { key: encodeURIComponent(key) } } }] },
      responsePayload: { errorType: 'BadObjectError', errorMessage: 'bad \u009b31m\u202egnp.exe' },
    };
    sqs.reset();
    sqs
      .on(ReceiveMessageCommand, { QueueUrl: OUTPUTS.TransformDeadLetterQueueUrl })
      .resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'h1', Body: JSON.stringify(failure) }] })
      .resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const io = captureIo();
    expect(await runCli(['replay', '--stack', STACK, '--dlq', 'transform', '--dry-run'], io.io, { awsClients: clients })).toBe(0);
    const printed = io.stdout.join('');
    expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(printed).toContain(
      `${INGESTION_PREFIX}payment/\\x1B]0;pwned\\x07\\x1B[2J0000000003.jsonl [RetriesExhausted: BadObjectError: bad \\x9B31m\\u202Egnp.exe]`,
    );
  });

  it('refuses a --database-url whose ?sslmode= contradicts --db-ssl, without printing the URL or its password', async () => {
    const url = new URL(database.url);
    url.searchParams.set('sslmode', 'disable');
    const io = captureIo();
    expect(
      await runCli(['status', '--stack', STACK, '--database-url', url.toString(), '--db-ssl', 'require'], io.io, { awsClients: clients }),
    ).toBe(2);
    expect(io.stderr.join('')).toBe(
      'error: --database-url asks for TLS mode disable (its ?sslmode= or ?ssl=) but --db-ssl is require: say it in one place (remove it from the URL, or make them agree)\n',
    );
  });

  it('connects with a --database-url whose ?sslmode= agrees with --db-ssl', async () => {
    const url = new URL(database.url);
    url.searchParams.set('sslmode', 'disable');
    const io = captureIo();
    expect(
      await runCli(['status', '--stack', STACK, '--database-url', url.toString(), '--db-ssl', 'disable', '--json'], io.io, {
        awsClients: clients,
      }),
    ).toBe(0);
  });

  it("replay --dlq load uses the stack's load queue and function", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    sqs.on(PurgeQueueCommand).resolves({});
    const io = captureIo();
    expect(await runCli(['replay', '--stack', STACK, '--dlq', 'load'], io.io, { awsClients: clients })).toBe(0);
    expect(sqs).toHaveReceivedCommandWith(PurgeQueueCommand, { QueueUrl: OUTPUTS.LoadDeadLetterQueueUrl });
    expect(io.stdout.join('')).toBe(
      `Started a run of ${OUTPUTS.LoadFunctionName} and purged 1 message(s) from ${OUTPUTS.LoadDeadLetterQueueUrl}; if the run fails, it lands in the queue again.\n`,
    );
  });
});
