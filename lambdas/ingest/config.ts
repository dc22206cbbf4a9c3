/** The Ingest Lambda's environment (docs/ARCHITECTURE.md "Lambda configuration"). */
import type { SslMode } from '../load/config';
import { PipelineError } from '../core/errors';

export type SourceLocation =
  /** Deployed: credentials from a Secrets Manager secret (RDS JSON shape). */
  | { readonly kind: 'secret'; readonly secretId: string }
  /** Local: a `postgres://` URL in SOURCE_DATABASE_URL. */
  | { readonly kind: 'url'; readonly url: string };

export interface IngestConfig {
  readonly ingestionBucket: string;
  readonly ingestionPrefix: string;
  readonly processedBucket: string;
  readonly processedPrefix: string;
  /** SSM path of the per-table state, e.g. `/totesys/ingest`. */
  readonly parameterPath: string;
  readonly source: SourceLocation;
  readonly ssl: SslMode;
  readonly caBundlePath?: string;
  /** Schema holding the 11 tables. */
  readonly schema: string;
  readonly gzipLevel: number;
}

export class IngestConfigurationError extends PipelineError {
  readonly kind = 'configuration';
  constructor(message: string) {
    super(`Ingest Lambda misconfigured: ${message}`);
    this.name = 'IngestConfigurationError';
  }
}

const SSL_MODES: readonly SslMode[] = ['require', 'no-verify', 'disable'];
export const DEFAULT_PARAMETER_PATH = '/totesys/ingest';
export const DEFAULT_GZIP_LEVEL = 6;

export function readIngestConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new IngestConfigurationError(`environment variable ${name} is not set`);
    return value;
  };
  const ingestionBucket = required('INGESTION_BUCKET');
  const processedBucket = required('PROCESSED_BUCKET');
  const url = env.SOURCE_DATABASE_URL?.trim();
  const secretId = env.SOURCE_DB_SECRET_ARN?.trim();
  if (!url && !secretId) throw new IngestConfigurationError('set SOURCE_DB_SECRET_ARN (or SOURCE_DATABASE_URL for a local database)');
  const source: SourceLocation = secretId ? { kind: 'secret', secretId } : { kind: 'url', url: url! };
  const sslText = env.SOURCE_DB_SSL?.trim() || (source.kind === 'secret' ? 'require' : 'disable');
  if (!(SSL_MODES as readonly string[]).includes(sslText)) {
    throw new IngestConfigurationError(`SOURCE_DB_SSL must be one of ${SSL_MODES.join(', ')}, got "${sslText}"`);
  }
  const parameterPath = env.INGEST_PARAMETER_PATH?.trim() || DEFAULT_PARAMETER_PATH;
  if (!/^\/[A-Za-z0-9_.\-/]+$/.test(parameterPath)) {
    throw new IngestConfigurationError(`INGEST_PARAMETER_PATH must be an SSM path like /totesys/ingest, got "${parameterPath}"`);
  }
  const levelText = env.GZIP_LEVEL?.trim() || String(DEFAULT_GZIP_LEVEL);
  const gzipLevel = Number(levelText);
  if (!/^\d$/.test(levelText) || gzipLevel < 1) throw new IngestConfigurationError(`GZIP_LEVEL must be 1..9, got "${levelText}"`);
  const schema = env.SOURCE_SCHEMA?.trim() || 'public';
  return {
    ingestionBucket,
    ingestionPrefix: env.INGESTION_PREFIX?.trim() ?? '',
    processedBucket,
    processedPrefix: env.PROCESSED_PREFIX?.trim() ?? '',
    parameterPath,
    source,
    ssl: sslText as SslMode,
    ...(env.SOURCE_DB_CA_BUNDLE?.trim() ? { caBundlePath: env.SOURCE_DB_CA_BUNDLE.trim() } : {}),
    schema,
    gzipLevel,
  };
}
