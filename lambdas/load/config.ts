/** The Load Lambda's environment (docs/ARCHITECTURE.md "Lambda configuration"). */
import { warehouseSchemaProblem, type WarehouseSchemas, warehouseSchemas } from '../core/warehouse';
import { DEFAULT_DEPLOYED_SSL, DEFAULT_URL_SSL, ENV, SSL_MODES, type SslMode } from '../environment';
import { TlsSettingError, resolveTlsMode } from '../adapters/pg/url-tls';
import { ConfigurationError } from '../core/errors';

type DatabaseSource =
  /** Deployed: credentials from a Secrets Manager secret. */
  | { readonly kind: 'secret'; readonly secretId: string }
  /** Local: a `postgres://` URL in DATABASE_URL. */
  | { readonly kind: 'url'; readonly url: string };

export interface LoadConfig {
  readonly processedBucket: string;
  /** Key prefix in the processed bucket; '' for none. */
  readonly processedPrefix: string;
  readonly database: DatabaseSource;
  readonly ssl: SslMode;
  /** A PEM bundle to verify the server against (DB_CA_BUNDLE), if not the default. */
  readonly caBundlePath?: string;
  /** Where the star schema lives (WAREHOUSE_SCHEMA, default `public`) and the loader's control schema. */
  readonly schemas: WarehouseSchemas;
}

export { ConfigurationError };

const misconfigured = (message: string) => new ConfigurationError(message, 'Load Lambda');

export function readLoadConfig(env: Readonly<Record<string, string | undefined>>): LoadConfig {
  const processedBucket = env[ENV.processedBucket]?.trim();
  if (!processedBucket) throw misconfigured(`environment variable ${ENV.processedBucket} is not set`);
  const url = env[ENV.warehouseUrl]?.trim();
  const secretId = env[ENV.warehouseSecretArn]?.trim();
  if (!url && !secretId) throw misconfigured(`set ${ENV.warehouseSecretArn} (or ${ENV.warehouseUrl} for a local database)`);
  const database: DatabaseSource = secretId ? { kind: 'secret', secretId } : { kind: 'url', url: url! };
  // Verified TLS by default for the deployed database; a local URL speaks plain unless told
  // (by DB_SSL or its own ?sslmode=, which must not disagree).
  const explicit = env[ENV.warehouseSsl]?.trim() || undefined;
  if (explicit !== undefined && !(SSL_MODES as readonly string[]).includes(explicit)) {
    throw misconfigured(`${ENV.warehouseSsl} must be one of ${SSL_MODES.join(', ')}, got "${explicit}"`);
  }
  let sslText: SslMode;
  try {
    sslText =
      database.kind === 'url'
        ? resolveTlsMode(database.url, explicit as SslMode | undefined, DEFAULT_URL_SSL, {
            url: ENV.warehouseUrl,
            explicit: ENV.warehouseSsl,
          })
        : ((explicit as SslMode | undefined) ?? DEFAULT_DEPLOYED_SSL);
  } catch (error) {
    if (error instanceof TlsSettingError) throw misconfigured(error.message);
    throw error;
  }
  const schema = env[ENV.warehouseSchema]?.trim() || undefined;
  const schemaProblem = schema === undefined ? undefined : warehouseSchemaProblem(schema);
  if (schemaProblem) throw misconfigured(`${ENV.warehouseSchema}: ${schemaProblem}`);
  const caBundlePath = env[ENV.warehouseCaBundle]?.trim();
  return {
    processedBucket,
    schemas: warehouseSchemas(schema),
    processedPrefix: env[ENV.processedPrefix]?.trim() ?? '',
    database,
    ssl: sslText,
    ...(caBundlePath ? { caBundlePath } : {}),
  };
}
