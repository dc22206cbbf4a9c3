/**
 * The real Load Lambda handler, in a fresh container per `newContainer`, reaching the
 * warehouse as a login role of its own whose password must never be printed or thrown.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';
import type { LoadSummary } from '../../../lambdas/core/load/loader';
import { PROCESSED_BUCKET, PROCESSED_PREFIX } from './transform-lambda';
import { newPostgresClient } from '../../../lambdas/adapters/pg/connect';

export type LoadOutcome = { readonly ok: true; readonly summary: LoadSummary } | { readonly ok: false; readonly error: Error };

type Handler = (event: unknown, context: Context) => Promise<LoadSummary>;

const context = {
  functionName: 'totesys-load',
  awsRequestId: 'fault-test',
  getRemainingTimeInMillis: () => 120_000,
} as unknown as Context;

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys-warehouse-Fault1';

const LOAD_ENV = {
  PROCESSED_BUCKET,
  PROCESSED_PREFIX,
  DB_SSL: 'disable',
  POWERTOOLS_METRICS_NAMESPACE: 'TotesysElt',
  AWS_REGION: 'eu-west-2',
} as const;

/** A login role with a random password, made owner of each database it is given. */
export class LoaderRole {
  readonly name = `fault_loader_${randomBytes(4).toString('hex')}`;
  readonly password = `pw-${randomBytes(12).toString('hex')}`;

  constructor(private readonly adminUrl: string) {}

  async create(): Promise<void> {
    await this.admin(`CREATE ROLE ${this.name} LOGIN PASSWORD '${this.password}'`);
  }

  async own(databaseUrl: string): Promise<void> {
    await this.admin(`ALTER DATABASE ${new URL(databaseUrl).pathname.slice(1)} OWNER TO ${this.name}`);
  }

  /** After the databases it owns are dropped. */
  async drop(): Promise<void> {
    await this.admin(`DROP ROLE IF EXISTS ${this.name}`);
  }

  /** The database URL with this role's credentials. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.username = this.name;
    url.password = this.password;
    return url.toString();
  }

  /** The secret's value in the RDS shape. */
  secretFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    return JSON.stringify({
      engine: 'postgres',
      host: url.hostname,
      port: Number(url.port),
      username: this.name,
      password: this.password,
      dbname: url.pathname.slice(1),
    });
  }

  private async admin(sql: string): Promise<void> {
    const client = newPostgresClient(this.adminUrl);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

export class LoadLambda {
  private handler: Handler | undefined;

  /** A fresh container with this environment (besides LOAD_ENV): `DB_SECRET_ARN` or `DATABASE_URL`. */
  async newContainer(environment: Record<string, string>): Promise<void> {
    const unset = { DB_SECRET_ARN: '', DATABASE_URL: '' };
    for (const [name, value] of Object.entries({ ...LOAD_ENV, ...unset, ...environment })) vi.stubEnv(name, value);
    vi.resetModules();
    this.handler = (await import('../../../lambdas/load/handler')).handler;
  }

  async invoke(): Promise<LoadOutcome> {
    if (!this.handler) throw new Error('call newContainer() first');
    try {
      return { ok: true, summary: await this.handler({ 'detail-type': 'Scheduled Event' }, context) };
    } catch (error) {
      return { ok: false, error: error as Error };
    }
  }
}
