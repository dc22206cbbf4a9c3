/**
 * The Lambdas' environment variable names and the defaults both sides must agree on. The
 * CDK stages (lib/) set them, the handlers' config readers read them and `ops --stack`
 * reads them back from a deployed function, so each name is written once, here. Plain
 * constants only: lib/ imports this without pulling in pipeline code.
 */

/** Variables of the transform, load and ingest Lambdas. */
export const ENV = {
  ingestionBucket: 'INGESTION_BUCKET',
  ingestionPrefix: 'INGESTION_PREFIX',
  processedBucket: 'PROCESSED_BUCKET',
  processedPrefix: 'PROCESSED_PREFIX',
  /** Transform: SSM path under which `<table>/last-processed-sequence` is kept. */
  sequenceParameterPath: 'SEQUENCE_PARAMETER_PATH',
  /** Load: the warehouse's Secrets Manager secret (deployed). */
  warehouseSecretArn: 'DB_SECRET_ARN',
  /** Load: a `postgres://` URL (local). */
  warehouseUrl: 'DATABASE_URL',
  warehouseSsl: 'DB_SSL',
  warehouseCaBundle: 'DB_CA_BUNDLE',
  warehouseSchema: 'WAREHOUSE_SCHEMA',
  /** Ingest: SSM path of the per-table state. */
  ingestParameterPath: 'INGEST_PARAMETER_PATH',
  sourceSecretArn: 'SOURCE_DB_SECRET_ARN',
  sourceUrl: 'SOURCE_DATABASE_URL',
  sourceSsl: 'SOURCE_DB_SSL',
  sourceCaBundle: 'SOURCE_DB_CA_BUNDLE',
  sourceSchema: 'SOURCE_SCHEMA',
  gzipLevel: 'GZIP_LEVEL',
  /** Node's extra trusted certificates (the Lambda runtime's CA bundle, RDS's included). */
  nodeExtraCaCerts: 'NODE_EXTRA_CA_CERTS',
} as const;

export type SslMode = 'require' | 'no-verify' | 'disable';
export const SSL_MODES: readonly SslMode[] = ['require', 'no-verify', 'disable'];

/** TLS to a database named by a secret (deployed) when DB_SSL / SOURCE_DB_SSL is unset: verified. */
export const DEFAULT_DEPLOYED_SSL: SslMode = 'require';
/** TLS to a database named by a URL (local) when nothing says otherwise: plain. */
export const DEFAULT_URL_SSL: SslMode = 'disable';

/** The Lambda Node.js runtime's CA bundle (Amazon's CAs, RDS's included). */
export const LAMBDA_RUNTIME_CA_PATH = '/var/runtime/ca-cert.pem';

/** The transform's sequence parameters in local mode and for `ops --local`. */
export const LOCAL_SEQUENCE_PARAMETER_PATH = '/totesys/local/transform';

/** The ingest stage's per-table state when INGEST_PARAMETER_PATH is not set. */
export const DEFAULT_INGEST_PARAMETER_PATH = '/totesys/ingest';

/** The ingest stage's per-table state in local mode and for `ops --local`. */
export const LOCAL_INGEST_PARAMETER_PATH = '/totesys/local/ingest';

/** The database `npm start` creates on the embedded server and loads into (`ops --local` finds it there). */
export const LOCAL_WAREHOUSE_DATABASE = 'totesys_warehouse';
/** Default port of local mode's embedded server: stable, so the printed psql command keeps working. */
export const LOCAL_WAREHOUSE_PORT = 54329;
