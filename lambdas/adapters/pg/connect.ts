/**
 * The one place a Postgres client is built: the Lambdas, local mode, ops, benchmarks and
 * tests all connect with the same options (exact types, a connect timeout, TCP
 * keep-alive), TLS as configured, and errors that say where the connection was tried
 * without ever carrying the password.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type ConnectionOptions, rootCertificates } from 'node:tls';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseClient } from '../../core/sql-client';
import { LAMBDA_RUNTIME_CA_PATH, type SslMode } from '../../environment';
import type { DatabaseSecret } from '../aws/secrets';
import { withoutTlsParameters } from './url-tls';
import { PipelineError } from '../../core/errors';

/**
 * The Lambda Node.js runtimes ship Amazon's CA certificates, RDS's included, here (they
 * are not loaded by default since Node 20). Verified TLS uses it when present.
 */
const LAMBDA_CA_BUNDLE = LAMBDA_RUNTIME_CA_PATH;

export const CONNECT_TIMEOUT_MS = 10_000;

const DATE_OID = 1082;
const TIME_OID = 1083;
const NUMERIC_OID = 1700;

/** Type parsers that keep dates, times and numerics as the server's text (never a Date in the machine's zone, never a float). */
const exactTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === DATE_OID || oid === TIME_OID || oid === NUMERIC_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};

/** A `postgres://` URL or discrete settings (from a secret). */
export type PostgresTarget = string | pg.ClientConfig;

/** The options every client gets, over the target's own. */
export function clientOptions(target: PostgresTarget): pg.ClientConfig {
  const config = typeof target === 'string' ? { connectionString: target } : target;
  return { ...config, types: exactTypes, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true };
}

/** A pg client that is also the core's database port (lambdas/core/sql-client.ts). */
export type PostgresClient = pg.Client & DatabaseClient;

/** A client with the shared options, not yet connected. */
export function newPostgresClient(target: PostgresTarget): PostgresClient {
  const client = new pg.Client(clientOptions(target));
  return Object.assign(client, { copyIn: (sql: string, text: AsyncIterable<string>) => copyIn(client, sql, text) });
}

/** COPY … FROM STDIN through pg-copy-streams, fed from `text`; the rows copied. */
async function copyIn(client: pg.Client, sql: string, text: AsyncIterable<string>): Promise<number> {
  const copy = client.query(copyFrom(sql));
  await pipeline(Readable.from(text), copy);
  return copy.rowCount;
}

/** A connected client with the shared options; on failure the half-open client is closed and the error rethrown. */
export async function connectPostgres(target: PostgresTarget): Promise<PostgresClient> {
  const client = newPostgresClient(target);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}

export class DatabaseConnectionError extends PipelineError {
  readonly kind = 'unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseConnectionError';
  }
}

/**
 * The `ssl` option for pg. Verified TLS trusts Node's own roots (public certificate
 * authorities) **and** the CA bundle: `caBundlePath` (DB_CA_BUNDLE), else the Lambda
 * runtime's bundle when present. pg's `ca` replaces Node's roots rather than adding to
 * them, so both are passed: a warehouse with a public-CA certificate and one with an RDS
 * (or private) CA certificate both verify.
 */
export function tlsOptions(mode: SslMode, caBundlePath?: string): false | ConnectionOptions {
  if (mode === 'disable') return false;
  if (mode === 'no-verify') return { rejectUnauthorized: false };
  const path = caBundlePath ?? (existsSync(LAMBDA_CA_BUNDLE) ? LAMBDA_CA_BUNDLE : undefined);
  if (path === undefined) return { rejectUnauthorized: true };
  return { rejectUnauthorized: true, ca: [...rootCertificates, readCaBundle(path)] };
}

function readCaBundle(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatabaseConnectionError(`cannot read the CA bundle DB_CA_BUNDLE=${path}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new DatabaseConnectionError(`the CA bundle DB_CA_BUNDLE=${path} holds no PEM certificate`);
  }
  return pem;
}

/** Every occurrence of each secret in `text` replaced, and any URL's password too. */
export function scrub(text: string, secrets: readonly string[]): string {
  let clean = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  for (const secret of secrets) if (secret.length > 0) clean = clean.split(secret).join('***');
  return clean;
}

/** The same error with secrets scrubbed from its message and stack. */
export function scrubError(error: unknown, secrets: readonly string[]): Error {
  if (!(error instanceof Error)) return new Error(scrub(String(error), secrets));
  const clean = new Error(scrub(error.message, secrets));
  clean.name = error.name;
  if (error.stack) clean.stack = scrub(error.stack, secrets);
  for (const key of ['code', 'detail', 'where'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string') (clean as unknown as Record<string, unknown>)[key] = scrub(value, secrets);
  }
  return clean;
}

export interface Connector {
  readonly connect: () => Promise<DatabaseClient>;
  /** `host:port/dbname as user`: safe to log. */
  readonly description: string;
  /** What must never appear in logs or errors. */
  readonly secrets: readonly string[];
}

export function secretConnector(secret: DatabaseSecret, ssl: false | ConnectionOptions): Connector {
  return connector(
    { host: secret.host, port: secret.port, user: secret.username, password: secret.password, database: secret.dbname, ssl },
    `${secret.host}:${secret.port}/${secret.dbname} as ${secret.username}`,
    [secret.password],
  );
}

export function urlConnector(url: string, ssl: false | ConnectionOptions): Connector {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  return connector(
    // TLS comes from `ssl` alone: the URL's own TLS parameters were resolved against it.
    { connectionString: withoutTlsParameters(url), ssl },
    `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname} as ${decodeURIComponent(parsed.username)}`,
    [password, parsed.password],
  );
}

function connector(config: pg.ClientConfig, description: string, secrets: readonly string[]): Connector {
  return {
    description,
    secrets,
    connect: async () => {
      let client: PostgresClient;
      try {
        client = await connectPostgres(config);
      } catch (error) {
        const reason = error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
        throw new DatabaseConnectionError(
          scrub(`cannot connect to the warehouse database at ${description}: ${reason}; the next run retries`, secrets),
        );
      }
      return client;
    },
  };
}
