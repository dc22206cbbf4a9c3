/**
 * The warehouse login DEPLOY.md tells users to create, exactly as documented: no
 * superuser, no CREATE on the database, no CREATE on `public` (Postgres 15). The Load
 * Lambda handler, configured with WAREHOUSE_SCHEMA, creates its tables in the login's
 * schema and loads into them; the analysts' role can read them.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readLoadConfig } from '../../lambdas/load/config';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { BUCKET, LoadTestEnvironment } from './support/warehouse';
import { dims, facts } from './support/rows';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const env = new LoadTestEnvironment();
const secretsManager = mockClient(SecretsManagerClient);
const suffix = randomBytes(4).toString('hex');
const loader = `totesys_loader_${suffix}`;
const analysts = `analysts_${suffix}`;
const password = `pw-${randomBytes(12).toString('hex')}`;
const context = { getRemainingTimeInMillis: () => 120_000, functionName: 'load', awsRequestId: 'req-1' } as unknown as Context;

/** The SQL block under the `warehouse-login-sql` marker in docs/DEPLOY.md. */
function documentedLoginSql(): string {
  const docs = readFileSync(join(PROJECT_ROOT, 'docs/DEPLOY.md'), 'utf8');
  const block = /<!-- warehouse-login-sql -->\n```sql\n([\s\S]*?)```/.exec(docs);
  if (!block) throw new Error('docs/DEPLOY.md has no warehouse-login-sql block');
  return block[1]!;
}

async function admin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = newPostgresClient(env.url);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await env.start();
  const database = new URL(env.url).pathname.slice(1);
  const sql = documentedLoginSql()
    .replaceAll('totesys_loader', loader)
    .replaceAll("'change-me'", `'${password}'`)
    .replaceAll('ON DATABASE warehouse', `ON DATABASE ${database}`)
    .replaceAll('analysts', analysts);
  await admin(async (client) => {
    await client.query(`CREATE ROLE ${analysts}`);
    await client.query(sql);
  });
});
afterAll(async () => {
  secretsManager.restore();
  await env.stop();
  await admin(async (client) => {
    await client.query(`DROP ROLE IF EXISTS ${loader}`);
    await client.query(`DROP ROLE IF EXISTS ${analysts}`);
  }).catch(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('the documented warehouse login', () => {
  it('lets the Load Lambda create the star schema in WAREHOUSE_SCHEMA and load it; analysts can read it', async () => {
    const target = new URL(env.url);
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        host: target.hostname,
        port: Number(target.port),
        username: loader,
        password,
        dbname: target.pathname.slice(1),
      }),
    });
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: [facts.salesOrder()] } });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.resetModules();
    for (const [name, value] of Object.entries({
      PROCESSED_BUCKET: BUCKET,
      PROCESSED_PREFIX: 'processed/',
      DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:warehouse-AbCdEf',
      DB_SSL: 'disable',
      WAREHOUSE_SCHEMA: 'warehouse',
      AWS_REGION: 'eu-west-2',
    })) {
      vi.stubEnv(name, value);
    }
    const { handler } = await import('../../lambdas/load/handler');
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'completed', batchesLoaded: 2 });

    const counts = await admin(async (client) => {
      await client.query(`SET ROLE ${analysts}`);
      return (
        await client.query(
          'SELECT (SELECT count(*)::int FROM warehouse.fact_sales_order) AS facts, (SELECT count(*)::int FROM warehouse.dim_staff) AS staff',
        )
      ).rows[0];
    });
    expect(counts).toEqual({ facts: 1, staff: 1 });
    const inPublic = await admin(
      async (client) =>
        (await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0],
    );
    expect(inPublic).toEqual({ n: 0 });
  });
});

describe('WAREHOUSE_SCHEMA', () => {
  it('defaults to public and refuses names that are not plain schema names', () => {
    const base = { PROCESSED_BUCKET: 'b', DB_SECRET_ARN: 'arn' };
    expect(readLoadConfig(base).schemas).toEqual({ warehouse: 'public', control: 'etl_control' });
    expect(readLoadConfig({ ...base, WAREHOUSE_SCHEMA: 'analytics' }).schemas).toEqual({ warehouse: 'analytics', control: 'etl_control' });
    expect(() => readLoadConfig({ ...base, WAREHOUSE_SCHEMA: 'Analytics' })).toThrow(
      /WAREHOUSE_SCHEMA: "Analytics" is not a plain schema name/,
    );
    expect(() => readLoadConfig({ ...base, WAREHOUSE_SCHEMA: 'etl_control' })).toThrow(/the loader's own control schema/);
    expect(() => readLoadConfig({ ...base, WAREHOUSE_SCHEMA: 'pg_catalog' })).toThrow(/a Postgres system schema/);
  });
});
