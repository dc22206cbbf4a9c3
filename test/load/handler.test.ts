/**
 * The Load Lambda handler end to end: S3 and Secrets Manager mocked (aws-sdk-client-mock),
 * a real Postgres behind a login whose password must never show in any output.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDatabaseSecret } from '../../lambdas/adapters/aws/secrets';
import { readLoadConfig } from '../../lambdas/load/config';
import { scrub, tlsOptions, newPostgresClient } from '../../lambdas/adapters/pg/connect';
import { WAREHOUSE_SECRET_TEMPLATE } from '../../lib/warehouse-secret';
import { BUCKET, LoadTestEnvironment } from './support/warehouse';
import { dims, facts } from './support/rows';

const env = new LoadTestEnvironment();
const secretsManager = mockClient(SecretsManagerClient);
const role = `loader_${randomBytes(4).toString('hex')}`;
const password = `pw-${randomBytes(12).toString('hex')}`;
const context = { getRemainingTimeInMillis: () => 120_000, functionName: 'load', awsRequestId: 'req-1' } as unknown as Context;

let output: string[] = [];
let target: URL;

beforeAll(async () => {
  await env.start();
  target = new URL(env.url);
  // A login of its own, owning the test database (so it may create the schema).
  const admin = newPostgresClient(env.url);
  await admin.connect();
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await admin.query(`ALTER DATABASE ${target.pathname.slice(1)} OWNER TO ${role}`);
  await admin.end();
});
afterAll(async () => {
  secretsManager.restore();
  await env.stop();
});

function answerSecret(fields: Record<string, unknown>) {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(fields) });
}
const rdsSecret = (overrides: Record<string, unknown> = {}) => ({
  engine: 'postgres',
  host: target.hostname,
  port: Number(target.port),
  username: role,
  password,
  dbname: target.pathname.slice(1),
  dbInstanceIdentifier: 'warehouse',
  ...overrides,
});

/** A fresh handler module (a new Lambda container) with this environment. */
async function newContainer(vars: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return (await import('../../lambdas/load/handler')).handler;
}

const lambdaEnv = {
  PROCESSED_BUCKET: BUCKET,
  PROCESSED_PREFIX: 'processed/',
  DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:warehouse-AbCdEf',
  DB_SSL: 'disable',
  POWERTOOLS_METRICS_NAMESPACE: 'TotesysElt',
  AWS_REGION: 'eu-west-2',
};

beforeEach(() => {
  output = [];
  secretsManager.reset();
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The EMF documents the invocation printed: metric name → values. */
function emittedMetrics(): Record<string, number[]> {
  const metrics: Record<string, number[]> = {};
  for (const line of output.join('').split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const document = JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
    for (const { Name } of document._aws.CloudWatchMetrics[0]!.Metrics) {
      const value = document[Name] as number | number[];
      (metrics[Name] ??= []).push(...(Array.isArray(value) ? value : [value]));
    }
  }
  return metrics;
}

describe('the Load Lambda handler', () => {
  it('loads pending batches with credentials from the secret, fetched once per container', async () => {
    answerSecret(rdsSecret());
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 1, tables: { dim_staff: [dims.staff()] } });
    await env.bucket.writeBatch({ sourceTable: 'sales_order', sequence: 1, tables: { fact_sales_order: [facts.salesOrder()] } });
    const handler = await newContainer(lambdaEnv);
    const first = await handler({ 'detail-type': 'Scheduled Event' }, context);
    expect(first).toMatchObject({ outcome: 'completed', batchesLoaded: 2 });
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 2,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 2 })] },
    });
    const second = await handler({}, context);
    expect(second).toMatchObject({ outcome: 'completed', batchesLoaded: 1 });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(await env.count('fact_sales_order')).toBe(2);

    const metrics = emittedMetrics();
    expect(metrics.LoadSucceeded).toEqual([1, 1]);
    expect(metrics.BatchesLoaded).toEqual([2, 1]);
    expect(metrics.PendingBatches).toEqual([0, 0]);
    expect(output.join('')).toContain('"message":"load run finished"');
    expect(output.join('')).not.toContain(password);
  });

  it('while the stack-created secret still holds its placeholder, ends cleanly with one warning and WarehouseNotConfigured', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ ...WAREHOUSE_SECRET_TEMPLATE, password: 'generated' }) })
      .resolves({ SecretString: JSON.stringify(rdsSecret()) });
    await env.bucket.writeBatch({ sourceTable: 'staff', sequence: 3, tables: { dim_staff: [dims.staff({ staff_id: 3 })] } });
    const handler = await newContainer(lambdaEnv);
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'not-configured', batchesLoaded: 0 });
    const lines = output
      .join('')
      .split('\n')
      .filter((line) => line.includes('"level"'));
    expect(lines.filter((line) => line.includes('"level":"WARN"'))).toHaveLength(1);
    expect(lines.filter((line) => /"level":"(ERROR|WARN)"/.test(line))).toHaveLength(1);
    expect(lines.join('')).toContain('warehouse not configured yet');
    expect(emittedMetrics()).toEqual({ WarehouseNotConfigured: [1] });
    expect(output.join('')).not.toContain('generated');

    // Once filled in, the same warm container reads the secret again and loads.
    output = [];
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'completed' });
    expect(emittedMetrics().LoadSucceeded).toEqual([1]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('puts the pipeline dimension (PIPELINE_NAME) on every metric', async () => {
    answerSecret(rdsSecret());
    const handler = await newContainer({ ...lambdaEnv, PIPELINE_NAME: 'TotesysEltDev' });
    await handler({}, context);
    const documents = output
      .join('')
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect(document.pipeline).toBe('TotesysElt' + 'Dev');
      for (const set of document._aws.CloudWatchMetrics[0].Dimensions) expect(set[0]).toBe('pipeline');
    }
  });

  it('fails clearly, without the password, when the database is unreachable; the next run carries on', async () => {
    answerSecret(rdsSecret({ port: 1 }));
    const handler = await newContainer(lambdaEnv);
    const error = await handler({}, context).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      new RegExp(`cannot connect to the warehouse database at ${target.hostname}:1/\\w+ as ${role}: .*ECONNREFUSED.*the next run retries`),
    );
    expect(error?.message).not.toContain(password);
    expect(emittedMetrics().LoadSucceeded).toEqual([0]);
    // Counted by kind: the database is unavailable, not misconfigured.
    expect(emittedMetrics().InvocationsFailed).toEqual([1, 1]);
    expect(output.join('')).toMatch(/"kind":"unavailable"[^\n]*"InvocationsFailed":1/);
    expect(output.join('')).not.toContain(password);
  });

  it('fails clearly, without the password, when the password is wrong', async () => {
    answerSecret(rdsSecret({ password: `${password}-rotated` }));
    const handler = await newContainer(lambdaEnv);
    const error = await handler({}, context).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/cannot connect to the warehouse database .*password authentication failed/);
    expect(error?.message).not.toContain(password);
    expect(output.join('')).not.toContain(password);
  });

  it('reads the secret again after a failed connection, so a rotated password works on a warm container', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(rdsSecret({ password: 'the-old-password' })) })
      .resolves({ SecretString: JSON.stringify(rdsSecret()) });
    const handler = await newContainer(lambdaEnv);
    await expect(handler({}, context)).rejects.toThrow(/password authentication failed/);
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'completed' });
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'completed' });
    // Read again once after the failure; cached while connections succeed.
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(output.join('')).not.toContain('the-old-password');
  });

  it('asks for verified TLS by default, and says so when the server offers none', async () => {
    answerSecret(rdsSecret());
    const { DB_SSL: _omitted, ...defaults } = lambdaEnv;
    const handler = await newContainer(defaults);
    await expect(handler({}, context)).rejects.toThrow(/cannot connect .*does not support SSL/);
  });

  it('retries the secret on the next invocation when Secrets Manager fails', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({
        SecretString: JSON.stringify(rdsSecret()),
      });
    const handler = await newContainer(lambdaEnv);
    await expect(handler({}, context)).rejects.toThrow(
      /warehouse database secret "arn:aws:secretsmanager:.*warehouse-AbCdEf": cannot be read \(ThrottlingException: Rate exceeded\)/,
    );
    expect(emittedMetrics().LoadSucceeded).toEqual([0]);
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'completed' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('runs locally against DATABASE_URL, keeping its password out of the output', async () => {
    const url = new URL(env.url);
    url.username = role;
    url.password = password;
    const { DB_SECRET_ARN: _secret, DB_SSL: _ssl, ...rest } = lambdaEnv;
    const handler = await newContainer({ ...rest, DATABASE_URL: url.toString() });
    await expect(handler({}, context)).resolves.toMatchObject({ outcome: 'completed' });
    expect(output.join('')).toContain(`"database":"${target.hostname}:${target.port}${target.pathname} as ${role}"`);
    expect(output.join('')).not.toContain(password);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses a DATABASE_URL whose ?sslmode=disable would silently override DB_SSL=require', async () => {
    const url = new URL(env.url);
    url.searchParams.set('sslmode', 'disable');
    const { DB_SECRET_ARN: _secret, ...rest } = lambdaEnv;
    const handler = await newContainer({ ...rest, DB_SSL: 'require', DATABASE_URL: url.toString() });
    await expect(handler({}, context)).rejects.toThrow(
      'Load Lambda misconfigured: DATABASE_URL asks for TLS mode disable (its ?sslmode= or ?ssl=) but DB_SSL is require: say it in one place',
    );
  });
});

describe('the Load Lambda configuration', () => {
  it('requires the bucket and a database, and accepts only known TLS modes', () => {
    expect(() => readLoadConfig({})).toThrow(/PROCESSED_BUCKET is not set/);
    expect(() => readLoadConfig({ PROCESSED_BUCKET: 'b' })).toThrow(/set DB_SECRET_ARN/);
    expect(() => readLoadConfig({ PROCESSED_BUCKET: 'b', DB_SECRET_ARN: 'arn', DB_SSL: 'prefer' })).toThrow(
      /DB_SSL must be one of require, no-verify, disable, got "prefer"/,
    );
    expect(readLoadConfig({ PROCESSED_BUCKET: 'b', DB_SECRET_ARN: 'arn' }).ssl).toBe('require');
    expect(readLoadConfig({ PROCESSED_BUCKET: 'b', DATABASE_URL: 'postgres://h/db' }).ssl).toBe('disable');
  });

  it("takes a DATABASE_URL's ?sslmode= when DB_SSL is not set, and refuses the two disagreeing", () => {
    const config = (url: string, ssl?: string) =>
      readLoadConfig({ PROCESSED_BUCKET: 'b', DATABASE_URL: url, ...(ssl === undefined ? {} : { DB_SSL: ssl }) });
    expect(config('postgres://h/db?sslmode=require').ssl).toBe('require');
    expect(config('postgres://h/db?sslmode=verify-full').ssl).toBe('require');
    expect(config('postgres://h/db?sslmode=no-verify').ssl).toBe('no-verify');
    expect(config('postgres://h/db?ssl=true').ssl).toBe('require');
    expect(config('postgres://h/db?sslmode=require', 'require').ssl).toBe('require');
    expect(() => config('postgres://me:s3cret@h/db?sslmode=require', 'disable')).toThrow(
      /DATABASE_URL asks for TLS mode require .* but DB_SSL is disable/,
    );
    expect(() => config('postgres://me:s3cret@h/db?sslmode=require', 'disable')).not.toThrow(/s3cret/);
    expect(() => config('postgres://h/db?sslrootcert=/tmp/ca.pem')).toThrow(
      /DATABASE_URL sets sslrootcert: give a CA bundle with DB_CA_BUNDLE/,
    );
    expect(() => config('postgres://h/db?sslmode=sometimes')).toThrow(/sslmode=sometimes, which is not a TLS mode/);
  });

  it('verifies the server certificate unless told not to', () => {
    expect(tlsOptions('require')).toMatchObject({ rejectUnauthorized: true });
    expect(tlsOptions('no-verify')).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions('disable')).toBe(false);
  });

  it('reads the RDS secret shape, naming what is wrong but never a value', () => {
    expect(parseDatabaseSecret(JSON.stringify({ host: 'h', port: '5433', username: 'u', password: 'p', dbname: 'd' }), 's')).toEqual({
      host: 'h',
      port: 5433,
      username: 'u',
      password: 'p',
      dbname: 'd',
    });
    expect(parseDatabaseSecret(JSON.stringify({ host: 'h', username: 'u', password: 'p' }), 's')).toMatchObject({
      port: 5432,
      dbname: 'postgres',
    });
    expect(() => parseDatabaseSecret(JSON.stringify({ host: 'h', password: 'hunter2', port: 'x' }), 's')).toThrow(
      /warehouse database secret "s": "username" is missing or not a string; "port" is not a port number/,
    );
    expect(() => parseDatabaseSecret('hunter2', 's')).toThrow(/is not JSON/);
    // Asserted outside the catch, so the test fails if nothing is thrown.
    let refusal: unknown;
    try {
      parseDatabaseSecret(JSON.stringify({ password: 'hunter2' }), 's');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/warehouse database secret "s": "host" is missing/);
    expect((refusal as Error).message).not.toContain('hunter2');
  });

  it('scrubs passwords, and passwords in URLs, from text', () => {
    expect(scrub('failed for postgres://loader:s3cret@db:5432/w (s3cret)', ['s3cret'])).toBe(
      'failed for postgres://loader:***@db:5432/w (***)',
    );
    expect(scrub('postgresql://u:other@h/d', [])).toBe('postgresql://u:***@h/d');
  });
});
