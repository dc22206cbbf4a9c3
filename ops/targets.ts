/**
 * The two places the CLI can work against, behind the same PipelineAccess:
 * - local mode: the state folder `npm start` uses (folders for the buckets, a JSON file for
 *   Parameter Store, the embedded Postgres), or `--database-url`;
 * - a deployed stack: S3, SSM and the warehouse credentials from its secret, found through
 *   the stack's outputs (see stack-resources.ts), and its dead-letter queues.
 */
import { join, resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { SecretsManagerDatabaseSecret } from '../lambdas/adapters/aws/secrets';
import { SsmParameterStore } from '../lambdas/adapters/aws/ssm-parameter-store';
import { ProcessedLayout } from '../lambdas/core/layout';
import { type DatabaseClient, loadPendingBatches } from '../lambdas/core/load';
import { warehouseSchemas } from '../lambdas/core/warehouse';
import { type Log, noMetrics, silentLog } from '../lambdas/core/ports';
import { LOCAL_INGEST_PARAMETER_PATH, LOCAL_SEQUENCE_PARAMETER_PATH, type SslMode } from '../lambdas/environment';
import { type Connector, secretConnector, tlsOptions, urlConnector, newPostgresClient } from '../lambdas/adapters/pg/connect';
import { resolveTlsMode } from '../lambdas/adapters/pg/url-tls';
import { FileObjectStore } from '../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../lambdas/adapters/file/file-parameter-store';
import type { DeadLetterClients, DeadLetterQueue } from './dead-letters';
import { LocalWarehouse } from './local-warehouse';
import type { PipelineAccess } from './pipeline-access';
import type { RemoteTransform } from './replay';
import { type StackClients, resolveStack } from './stack-resources';

export interface Target extends PipelineAccess {
  /** For headings: `local state /path/.local` or `stack TotesysElt`. */
  readonly description: string;
  /** Only a deployed stack has dead-letter queues. */
  readonly deadLetters?: {
    readonly clients: DeadLetterClients;
    readonly transform: DeadLetterQueue;
    readonly load: DeadLetterQueue;
  };
  /** A stack's deployed transform: replays are queued to it instead of transformed here. */
  readonly remoteTransform?: RemoteTransform;
  /** Runs (local) or starts (stack) a load of every pending batch; says what happened. */
  startLoad(): Promise<LoadStarted>;
  /** Releases what the target started (the embedded Postgres). */
  close(): Promise<void>;
}

interface LoadStarted {
  readonly report: string;
  /** False when batches failed to load (local mode, which waits for the run). */
  readonly ok: boolean;
}

export interface LocalTargetOptions {
  readonly stateDir: string;
  /** The ingestion folder, when `npm start --input DIR` was used. */
  readonly inputDir?: string;
  readonly databaseUrl?: string;
  /** Port to start the embedded Postgres on, if it is not running. */
  readonly port: number;
  readonly log?: Log;
  /** The schema of the star schema (default public). */
  readonly warehouseSchema?: string;
}

export function localTarget(options: LocalTargetOptions): Target {
  const stateDir = resolve(options.stateDir);
  const warehouse = options.databaseUrl ? undefined : new LocalWarehouse(join(stateDir, 'postgres'), options.port);
  const databaseUrl = () => (options.databaseUrl ? Promise.resolve(options.databaseUrl) : warehouse!.databaseUrl());
  const connect = async (): Promise<DatabaseClient> => {
    const client = newPostgresClient(await databaseUrl());
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw new Error(`cannot connect to the local warehouse: ${(error as Error).message}`);
    }
    return quietOnServerEnd(client);
  };
  const layout = new ProcessedLayout();
  const processed = new FileObjectStore(join(stateDir, 'processed'));
  const schemas = warehouseSchemas(options.warehouseSchema);
  return {
    description: `local state ${stateDir}`,
    ingestion: new FileObjectStore(options.inputDir ? resolve(options.inputDir) : join(stateDir, 'ingestion')),
    ingestionPrefix: '',
    processed,
    layout,
    parameters: new FileParameterStore(join(stateDir, 'parameters.json')),
    sequenceParameterPath: LOCAL_SEQUENCE_PARAMETER_PATH,
    ingestParameterPath: LOCAL_INGEST_PARAMETER_PATH,
    connect,
    schemas,
    async startLoad() {
      const summary = await loadPendingBatches(
        { connect, store: processed, layout, log: options.log ?? silentLog, metrics: noMetrics },
        { deadline: Number.POSITIVE_INFINITY, schemas },
      );
      const failed = summary.batchesFailed.map((f) => `\n  failed: ${f.batch}: ${f.error}`).join('');
      return {
        report: `load: ${summary.batchesLoaded} batch(es) loaded, ${summary.pendingBatches} still pending${failed}`,
        ok: summary.batchesFailed.length === 0,
      };
    },
    close: async () => warehouse?.stop(),
  };
}

export interface StackTargetOptions {
  readonly stackName: string;
  readonly region?: string;
  /** Overrides the prefix read from the bucket's notification configuration. */
  readonly ingestionPrefix?: string;
  /** Connect here instead of using the warehouse secret (e.g. through a tunnel). */
  readonly databaseUrl?: string;
  /** Overrides the load function's DB_SSL. */
  readonly dbSsl?: SslMode;
  /** PEM bundle to verify the database certificate (e.g. Amazon RDS's global bundle). */
  readonly dbCaBundle?: string;
  /** Overrides the load function's WAREHOUSE_SCHEMA. */
  readonly warehouseSchema?: string;
}

export interface AwsClients extends StackClients {
  readonly ssm: SSMClient;
  readonly secretsManager: SecretsManagerClient;
  readonly sqs: SQSClient;
}

function awsClients(region?: string): AwsClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client(config),
    ssm: new SSMClient(config),
    secretsManager: new SecretsManagerClient(config),
    sqs: new SQSClient(config),
  };
}

export async function stackTarget(options: StackTargetOptions, clients: AwsClients = awsClients(options.region)): Promise<Target> {
  const stack = await resolveStack(clients, options.stackName, { ingestionPrefix: options.ingestionPrefix });
  // --db-ssl wins over the load function's DB_SSL; a --database-url's ?sslmode= must not contradict --db-ssl.
  const mode = options.databaseUrl
    ? resolveTlsMode(options.databaseUrl, options.dbSsl, stack.dbSsl, { url: '--database-url', explicit: '--db-ssl' })
    : (options.dbSsl ?? stack.dbSsl);
  const ssl = tlsOptions(mode, options.dbCaBundle);
  const secret = new SecretsManagerDatabaseSecret(clients.secretsManager, stack.warehouseSecretArn);
  let connector: Promise<Connector> | undefined;
  const connect = async (): Promise<DatabaseClient> => {
    connector ??= options.databaseUrl
      ? Promise.resolve(urlConnector(options.databaseUrl, ssl))
      : secret.get().then((value) => secretConnector(value, ssl));
    try {
      return quietOnServerEnd(await (await connector).connect());
    } catch (error) {
      // The connector's wording is the load Lambda's ("the next run retries").
      throw new Error((error as Error).message.replace(/; the next run retries$/, ''));
    }
  };
  return {
    description: `stack ${stack.stackName}`,
    ingestion: new S3ObjectStore(clients.s3, stack.ingestionBucket),
    ingestionPrefix: stack.ingestionPrefix,
    processed: new S3ObjectStore(clients.s3, stack.processedBucket),
    layout: new ProcessedLayout(stack.processedPrefix),
    parameters: new SsmParameterStore(clients.ssm),
    sequenceParameterPath: stack.sequenceParameterPath,
    ...(stack.ingestParameterPath ? { ingestParameterPath: stack.ingestParameterPath } : {}),
    connect,
    remoteTransform: { lambda: clients.lambda, functionName: stack.transformFunctionName, ingestionBucket: stack.ingestionBucket },
    schemas: warehouseSchemas(options.warehouseSchema ?? stack.warehouseSchema),
    deadLetters: {
      clients: { sqs: clients.sqs, lambda: clients.lambda },
      transform: { queueUrl: stack.transformDeadLetterQueueUrl, functionName: stack.transformFunctionName },
      load: { queueUrl: stack.loadDeadLetterQueueUrl, functionName: stack.loadFunctionName },
    },
    async startLoad() {
      const response = await clients.lambda.send(
        new InvokeCommand({ FunctionName: stack.loadFunctionName, InvocationType: 'Event', Payload: new TextEncoder().encode('{}') }),
      );
      if (response.StatusCode !== 202)
        throw new Error(`the load function did not accept the run (status ${response.StatusCode ?? 'none'})`);
      return {
        report: `load: a run of ${stack.loadFunctionName} was started (asynchronously); its log and the LoadSucceeded metric tell how it went`,
        ok: true,
      };
    },
    close: async () => {},
  };
}

/**
 * A session the server ends (shutdown, restart) surfaces as an 'error' event, which would
 * crash the process without a listener; the next query reports the failure instead.
 */
function quietOnServerEnd(client: DatabaseClient): DatabaseClient {
  client.on('error', () => {});
  return client;
}
