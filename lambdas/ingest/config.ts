/** The Ingest Lambda's environment (docs/ARCHITECTURE.md "Lambda configuration"). */
import { DEFAULT_DEPLOYED_SSL, DEFAULT_INGEST_PARAMETER_PATH, DEFAULT_URL_SSL, ENV, SSL_MODES, type SslMode } from '../environment';
import { PipelineError } from '../core/errors';

type SourceLocation =
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

const DEFAULT_PARAMETER_PATH = DEFAULT_INGEST_PARAMETER_PATH;
export const DEFAULT_GZIP_LEVEL = 6;

export function readIngestConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new IngestConfigurationError(`environment variable ${name} is not set`);
    return value;
  };
  const ingestionBucket = required(ENV.ingestionBucket);
  const processedBucket = required(ENV.processedBucket);
  const url = env[ENV.sourceUrl]?.trim();
  const secretId = env[ENV.sourceSecretArn]?.trim();
  if (!url && !secretId) throw new IngestConfigurationError(`set ${ENV.sourceSecretArn} (or ${ENV.sourceUrl} for a local database)`);
  const source: SourceLocation = secretId ? { kind: 'secret', secretId } : { kind: 'url', url: url! };
  const sslText = env[ENV.sourceSsl]?.trim() || (source.kind === 'secret' ? DEFAULT_DEPLOYED_SSL : DEFAULT_URL_SSL);
  if (!(SSL_MODES as readonly string[]).includes(sslText)) {
    throw new IngestConfigurationError(`${ENV.sourceSsl} must be one of ${SSL_MODES.join(', ')}, got "${sslText}"`);
  }
  const parameterPath = env[ENV.ingestParameterPath]?.trim() || DEFAULT_PARAMETER_PATH;
  if (!/^\/[A-Za-z0-9_.\-/]+$/.test(parameterPath)) {
    throw new IngestConfigurationError(`${ENV.ingestParameterPath} must be an SSM path like /totesys/ingest, got "${parameterPath}"`);
  }
  const levelText = env[ENV.gzipLevel]?.trim() || String(DEFAULT_GZIP_LEVEL);
  const gzipLevel = Number(levelText);
  if (!/^\d$/.test(levelText) || gzipLevel < 1) throw new IngestConfigurationError(`${ENV.gzipLevel} must be 1..9, got "${levelText}"`);
  const schema = env[ENV.sourceSchema]?.trim() || 'public';
  const caBundlePath = env[ENV.sourceCaBundle]?.trim();
  return {
    ingestionBucket,
    ingestionPrefix: env[ENV.ingestionPrefix]?.trim() ?? '',
    processedBucket,
    processedPrefix: env[ENV.processedPrefix]?.trim() ?? '',
    parameterPath,
    source,
    ssl: sslText as SslMode,
    ...(caBundlePath ? { caBundlePath } : {}),
    schema,
    gzipLevel,
  };
}
