/** The Load Lambda's environment (docs/ARCHITECTURE.md "Lambda configuration"). */
import { type WarehouseSchemas, warehouseSchemaProblem, warehouseSchemas } from '../core/warehouse/names';
import { TlsSettingError, resolveTlsMode } from './url-tls';
import { ConfigurationError } from '../core/errors';

export type SslMode = 'require' | 'no-verify' | 'disable';

export type DatabaseSource =
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

const SSL_MODES: readonly SslMode[] = ['require', 'no-verify', 'disable'];

export function readLoadConfig(env: Readonly<Record<string, string | undefined>>): LoadConfig {
  const processedBucket = env.PROCESSED_BUCKET?.trim();
  if (!processedBucket) throw misconfigured('environment variable PROCESSED_BUCKET is not set');
  const url = env.DATABASE_URL?.trim();
  const secretId = env.DB_SECRET_ARN?.trim();
  if (!url && !secretId) throw misconfigured('set DB_SECRET_ARN (or DATABASE_URL for a local database)');
  const database: DatabaseSource = secretId ? { kind: 'secret', secretId } : { kind: 'url', url: url! };
  // Verified TLS by default for the deployed database; a local URL speaks plain unless told
  // (by DB_SSL or its own ?sslmode=, which must not disagree).
  const explicit = env.DB_SSL?.trim() || undefined;
  if (explicit !== undefined && !(SSL_MODES as readonly string[]).includes(explicit)) {
    throw misconfigured(`DB_SSL must be one of ${SSL_MODES.join(', ')}, got "${explicit}"`);
  }
  let sslText: SslMode;
  try {
    sslText =
      database.kind === 'url'
        ? resolveTlsMode(database.url, explicit as SslMode | undefined, 'disable', { url: 'DATABASE_URL', explicit: 'DB_SSL' })
        : ((explicit as SslMode | undefined) ?? 'require');
  } catch (error) {
    if (error instanceof TlsSettingError) throw misconfigured(error.message);
    throw error;
  }
  const schema = env.WAREHOUSE_SCHEMA?.trim() || undefined;
  const schemaProblem = schema === undefined ? undefined : warehouseSchemaProblem(schema);
  if (schemaProblem) throw misconfigured(`WAREHOUSE_SCHEMA: ${schemaProblem}`);
  return {
    processedBucket,
    schemas: warehouseSchemas(schema),
    processedPrefix: env.PROCESSED_PREFIX?.trim() ?? '',
    database,
    ssl: sslText,
    ...(env.DB_CA_BUNDLE?.trim() ? { caBundlePath: env.DB_CA_BUNDLE.trim() } : {}),
  };
}
