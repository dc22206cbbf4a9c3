/**
 * The Ingest Lambda, run on a schedule: extract every table of the totesys database that
 * changed since its last run into the ingestion bucket (lambdas/core/extract). Thin on
 * purpose: read the configuration, fetch the source secret (once per container), run
 * the core, report, flush metrics.
 *
 * Returns the run's summary; `{"resync": true}` as the event reads every row of every
 * table (unchanged rows are still suppressed). A run that finds another in progress
 * returns `status: "busy"` (not an error). A run in which a table failed throws after
 * the other tables were extracted, so the failure counts, retries and alarms.
 * Credentials never reach a log line or an error.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { S3ExtractStore } from '../adapters/aws/s3-extract-store';
import { SecretsManagerDatabaseSecret } from '../adapters/aws/secrets';
import { SsmParameterStore } from '../adapters/aws/ssm-parameter-store';
import { createLogger, createMetrics, logPort, metricsPort, recordFailure } from '../adapters/powertools';
import { PgSourceDatabase, type SourceConnection } from '../adapters/pg/totesys-source';
import { ExtractLayout, type ExtractRunSummary, runExtract } from '../core/extract';
import { IngestMetric } from '../core/metric-names';
import { scrubError, tlsOptions } from '../adapters/pg/connect';
import { type IngestConfig, IngestConfigurationError, readIngestConfig } from './config';
import { PipelineError } from '../core/errors';
import { ENV } from '../environment';

const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'totesys-ingest';
const logger = createLogger(SERVICE_NAME);
const metrics = createMetrics(SERVICE_NAME);

/**
 * The lease outlives this invocation (Lambda stops it at its timeout) by a margin, so a
 * run killed by the timeout delays the next one by at most that margin.
 */
export const LEASE_MARGIN_MS = 60_000;

export class IngestRunError extends PipelineError {
  readonly kind = 'internal';
  constructor(failures: readonly { table: string; error: string }[]) {
    super(`ingestion failed for ${failures.map((f) => `${f.table} (${f.error})`).join('; ')}; the other tables were extracted`);
    this.name = 'IngestRunError';
  }
}

interface Container {
  readonly config: IngestConfig;
  readonly ingestion: S3ExtractStore;
  readonly processed: S3ExtractStore;
  readonly parameters: SsmParameterStore;
  readonly secret?: SecretsManagerDatabaseSecret;
}

let container: Container | undefined;

function containerOnce(): Container {
  if (container) return container;
  const config = readIngestConfig(process.env);
  const s3 = new S3Client({});
  container = {
    config,
    ingestion: new S3ExtractStore(s3, config.ingestionBucket),
    processed: new S3ExtractStore(s3, config.processedBucket),
    parameters: new SsmParameterStore(new SSMClient({})),
    ...(config.source.kind === 'secret'
      ? { secret: new SecretsManagerDatabaseSecret(new SecretsManagerClient({}), config.source.secretId, 'source database') }
      : {}),
  };
  return container;
}

export async function sourceConnection({ config, secret }: Container): Promise<SourceConnection> {
  const ssl = tlsOptions(config.ssl, config.caBundlePath);
  if (config.source.kind === 'url') {
    const parsed = new URL(config.source.url);
    return {
      config: { connectionString: config.source.url, ssl },
      description: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname} as ${decodeUrlPart(parsed.username, 'user name')}`,
      secrets: [decodeUrlPart(parsed.password, 'password'), parsed.password],
      schema: config.schema,
    };
  }
  const value = await secret!.get();
  return {
    config: { host: value.host, port: value.port, user: value.username, password: value.password, database: value.dbname, ssl },
    description: `${value.host}:${value.port}/${value.dbname} as ${value.username}`,
    secrets: [value.password],
    schema: config.schema,
  };
}

/** A percent-decoded URL part; a raw `%` fails naming the variable and the part, never its text (it may be the password). */
function decodeUrlPart(text: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new IngestConfigurationError(`${ENV.sourceUrl}: the ${part} is not valid percent-encoding (write a % in it as %25)`);
  }
}

function wantsResync(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { resync?: unknown }).resync === true;
}

export async function handler(event: unknown, context: Context): Promise<ExtractRunSummary> {
  logger.addContext(context);
  const log = logPort(logger);
  let secrets: readonly string[] = [];
  try {
    const current = containerOnce();
    const connection = await sourceConnection(current);
    secrets = connection.secrets;
    const summary = await runExtract(
      {
        source: new PgSourceDatabase(connection),
        ingestion: current.ingestion,
        state: current.processed,
        parameters: current.parameters,
        layout: new ExtractLayout({
          ingestionPrefix: current.config.ingestionPrefix,
          processedPrefix: current.config.processedPrefix,
          parameterPath: current.config.parameterPath,
        }),
        log,
        metrics: metricsPort(metrics),
        gzipLevel: current.config.gzipLevel,
      },
      { resync: wantsResync(event), leaseMs: context.getRemainingTimeInMillis() + LEASE_MARGIN_MS },
    );
    if (summary.status === 'done' && summary.failures.length > 0) throw new IngestRunError(summary.failures);
    if (summary.status === 'done') metrics.addMetric(IngestMetric.RunSucceeded, 'Count', 1);
    return summary;
  } catch (error) {
    // A rotated password or a moved host: read the secret again next time.
    container?.secret?.forget();
    const clean = scrubError(error, secrets);
    metrics.addMetric(IngestMetric.RunSucceeded, 'Count', 0);
    logger.error('ingestion run failed', { error: clean, kind: recordFailure(metrics, error) });
    throw clean;
  } finally {
    metrics.publishStoredMetrics();
  }
}
