/**
 * The Load Lambda, run on a schedule: load every pending processed batch into the
 * warehouse (lambdas/core/load). Thin on purpose: read the configuration, fetch the
 * database secret (once per container), give the core the time Lambda allows minus a
 * margin, report, and flush metrics.
 *
 * A run that loaded what it could returns its summary, even when some batches failed
 * (they are logged, counted in BatchesFailed, and retried next run). A run that could not
 * work at all (database unreachable, secret unreadable) throws: the schedule retries and
 * the ledger keeps the position. Credentials never reach a log line or an error.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SecretsManagerDatabaseSecret } from '../adapters/aws/secrets';
import { createLogger, createMetrics, logPort, metricsPort, recordFailure } from '../adapters/powertools';
import { ProcessedLayout } from '../core/layout';
import { emptySummary, loadPendingBatches, type LoadSummary } from '../core/load';
import { errorKind } from '../core/errors';
import { LoadMetric } from '../core/metric-names';
import { type LoadConfig, readLoadConfig } from './config';
import { type Connector, scrubError, secretConnector, tlsOptions, urlConnector } from '../adapters/pg/connect';
import { isPlaceholderSecret } from './not-configured';

const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'totesys-load';
const logger = createLogger(SERVICE_NAME);
const metrics = createMetrics(SERVICE_NAME);

/** Time kept back from the Lambda timeout to roll back a batch, flush metrics and close. */
export const SAFETY_MARGIN_MS = 10_000;

interface Container {
  readonly config: LoadConfig;
  readonly store: S3ObjectStore;
  readonly secret?: SecretsManagerDatabaseSecret;
}

let container: Container | undefined;

function containerOnce(): Container {
  if (container) return container;
  const config = readLoadConfig(process.env);
  container = {
    config,
    store: new S3ObjectStore(new S3Client({}), config.processedBucket),
    ...(config.database.kind === 'secret'
      ? { secret: new SecretsManagerDatabaseSecret(new SecretsManagerClient({}), config.database.secretId) }
      : {}),
  };
  return container;
}

/** How to reach the warehouse, or undefined while the stack's secret still holds its placeholder. */
async function connectorFor({ config, secret }: Container): Promise<Connector | undefined> {
  if (config.database.kind === 'url') return urlConnector(config.database.url, tlsOptions(config.ssl, config.caBundlePath));
  const value = await secret!.get();
  if (isPlaceholderSecret(value)) {
    // Read it again next run: the operator may fill it in at any time.
    secret!.forget();
    return undefined;
  }
  return secretConnector(value, tlsOptions(config.ssl, config.caBundlePath));
}

export async function handler(_event: unknown, context: Context): Promise<LoadSummary> {
  logger.addContext(context);
  const log = logPort(logger);
  let secrets: readonly string[] = [];
  let coreRan = false;
  try {
    const current = containerOnce();
    const connector = await connectorFor(current);
    if (!connector) {
      const secretId = current.secret!.secretId;
      metrics.addMetric(LoadMetric.WarehouseNotConfigured, 'Count', 1);
      logger.warn(
        'warehouse not configured yet: its secret still holds the placeholder host; nothing loaded. Fill in the secret (docs/DEPLOY.md); batches wait and load on the first run after',
        { secretId },
      );
      return emptySummary('not-configured', 0);
    }
    secrets = connector.secrets;
    coreRan = true;
    log.info('load run starting', {
      database: connector.description,
      ssl: current.config.ssl,
      warehouseSchema: current.config.schemas.warehouse,
    });
    return await loadPendingBatches(
      {
        connect: connector.connect,
        store: current.store,
        layout: new ProcessedLayout(current.config.processedPrefix),
        log,
        metrics: metricsPort(metrics),
      },
      { deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS, schemas: current.config.schemas },
    );
  } catch (error) {
    // A rotated password or a moved host: read the secret again next time, not the
    // cached copy that just failed (a warm container would otherwise fail until recycled).
    if (container?.secret && errorKind(error) === 'unavailable') container.secret.forget();
    const clean = scrubError(error, secrets);
    const kind = recordFailure(metrics, error);
    // Failures before the core ran (configuration, secret) are reported here; the core reports its own.
    if (!coreRan) {
      metrics.addMetric(LoadMetric.LoadSucceeded, 'Count', 0);
      logger.error('load run failed before reaching the database', { error: clean, kind });
    }
    throw clean;
  } finally {
    metrics.publishStoredMetrics();
  }
}
