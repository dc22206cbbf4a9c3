/**
 * The warehouse credentials from Secrets Manager, in the JSON shape RDS uses for its
 * secrets (`host`, `port`, `username`, `password`, `dbname`). Fetched once per container
 * and kept; a failed fetch is forgotten so the next invocation tries again. Errors name
 * the secret and the fields at fault, never a value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PipelineError } from '../../core/errors';

export interface DatabaseSecret {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname: string;
}

class DatabaseSecretError extends PipelineError {
  readonly kind = 'configuration';
  constructor(secretId: string, reason: string, options?: { cause?: unknown; label?: string }) {
    super(`${options?.label ?? 'warehouse database'} secret "${secretId}": ${reason}`, options);
    this.name = 'DatabaseSecretError';
  }
}

/** RDS's defaults where its secret may leave them out. */
const DEFAULT_PORT = 5432;
const DEFAULT_DBNAME = 'postgres';

export function parseDatabaseSecret(secretString: string, secretId: string, label?: string): DatabaseSecret {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new DatabaseSecretError(secretId, 'is not JSON (expected the RDS shape: host, port, username, password, dbname)', { label });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatabaseSecretError(secretId, 'is not a JSON object', { label });
  }
  const fields = value as Record<string, unknown>;
  const problems: string[] = [];
  const text = (name: string): string => {
    const field = fields[name];
    if (typeof field !== 'string' || field === '') problems.push(`"${name}" is missing or not a string`);
    return typeof field === 'string' ? field : '';
  };
  const host = text('host');
  const username = text('username');
  const password = text('password');
  const dbname = fields.dbname === undefined ? DEFAULT_DBNAME : text('dbname');
  const port = fields.port === undefined ? DEFAULT_PORT : Number(fields.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) problems.push('"port" is not a port number');
  if (problems.length > 0) throw new DatabaseSecretError(secretId, problems.join('; '), { label });
  return { host, port, username, password, dbname };
}

export class SecretsManagerDatabaseSecret {
  private cached: Promise<DatabaseSecret> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    readonly secretId: string,
    /** What the secret is for, in errors ("warehouse database", "source database"). */
    private readonly label?: string,
  ) {}

  get(): Promise<DatabaseSecret> {
    this.cached ??= this.fetch().catch((error: unknown) => {
      this.cached = undefined;
      throw error;
    });
    return this.cached;
  }

  /** Drops the cached value, so the next get() reads the secret again (e.g. after rotation). */
  forget(): void {
    this.cached = undefined;
  }

  private async fetch(): Promise<DatabaseSecret> {
    let secretString: string | undefined;
    try {
      const response = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      secretString = response.SecretString;
    } catch (error) {
      const { name, message } = error as Error;
      throw new DatabaseSecretError(this.secretId, `cannot be read (${name}: ${message})`, { cause: error, label: this.label });
    }
    if (secretString === undefined) throw new DatabaseSecretError(this.secretId, 'has no SecretString', { label: this.label });
    return parseDatabaseSecret(secretString, this.secretId, this.label);
  }
}
