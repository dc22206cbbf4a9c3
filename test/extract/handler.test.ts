/**
 * The Ingest Lambda handler end to end: S3, SSM and Secrets Manager mocked, a real
 * Postgres source read by a login that has only SELECT, whose password must never show.
 */
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readIngestConfig } from '../../lambdas/ingest/config';
import { ExtractHarness, INGESTION, PROCESSED, insertSalesOrder } from './support/harness';

const secretsManager = mockClient(SecretsManagerClient);
const context = { getRemainingTimeInMillis: () => 120_000, functionName: 'ingest', awsRequestId: 'req-1' } as unknown as Context;
const password = `pw-${randomBytes(12).toString('hex')}`;
let role: string;
let h: ExtractHarness;
let output: string[];

afterAll(() => secretsManager.restore());

beforeEach(async () => {
  h = await ExtractHarness.create();
  role = `reader_${randomBytes(4).toString('hex')}`;
  await h.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  await h.sql(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
  secretsManager.reset();
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await h.dispose();
  await h.sql(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
});

function answerSecret(overrides: Record<string, unknown> = {}) {
  const url = new URL(h.database.url);
  secretsManager.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({
      host: url.hostname,
      port: Number(url.port),
      username: role,
      password,
      dbname: url.pathname.slice(1),
      ...overrides,
    }),
  });
}

/** A fresh handler module (a new Lambda container) with the deployed environment. */
async function newContainer(vars: Record<string, string> = {}) {
  vi.resetModules();
  const env = {
    INGESTION_BUCKET: INGESTION,
    INGESTION_PREFIX: 'landing/',
    PROCESSED_BUCKET: PROCESSED,
    SOURCE_DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys-AbCdEf',
    SOURCE_DB_SSL: 'disable',
    INGEST_PARAMETER_PATH: '/totesys/ingest',
    AWS_REGION: 'eu-west-2',
    ...vars,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import('../../lambdas/ingest/handler')).handler;
}

function emitted(name: string): number[] {
  return output
    .filter((line) => line.includes('"_aws"'))
    .flatMap((line) => {
      const value = (JSON.parse(line) as Record<string, unknown>)[name];
      return value === undefined ? [] : [value as number];
    });
}

describe('ingest handler', () => {
  it('extracts with the secret, as a SELECT-only login, and reports rows and objects per table', async () => {
    await insertSalesOrder(h, 1);
    answerSecret();
    const handler = await newContainer();

    const summary = await handler({}, context);

    expect(summary.status).toBe('done');
    expect(h.keys('sales_order')).toEqual(['landing/sales_order/0000000001_20221103T142052186.jsonl.gz']);
    expect(emitted('IngestRowsExtracted')).toContain(1);
    expect(emitted('IngestSucceeded')).toEqual([1]);
    expect(output.join('')).toContain('table extracted');
    expect(output.join('')).not.toContain(password);
  });

  it('reads every row on {"resync": true}, emitting only changed ones', async () => {
    await insertSalesOrder(h, 1);
    answerSecret();
    const handler = await newContainer();
    await handler({}, context);

    const summary = await handler({ resync: true }, context);

    expect(summary.status === 'done' && summary.tables.find((t) => t.table === 'sales_order')).toMatchObject({
      mode: 'resync',
      rowsRead: 1,
      rows: 0,
    });
    expect(h.keys('sales_order')).toHaveLength(1);
  });

  it('fails without the password in any output when the source refuses the login', async () => {
    answerSecret({ password: `${password}-wrong` });
    const handler = await newContainer();

    await expect(handler({}, context)).rejects.toThrow(/cannot connect to the source database at .* as reader_/);
    expect(output.join('')).not.toContain(password);
    expect(emitted('IngestSucceeded')).toEqual([0]);
    expect(emitted('InvocationsFailed')).toEqual([1, 1]);
  });

  it('throws after extracting the other tables when one table fails', async () => {
    await insertSalesOrder(h, 1);
    await h.sql(`REVOKE SELECT ON sales_order FROM ${role}`);
    await h.sql(`INSERT INTO currency VALUES (1, 'GBP', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`);
    answerSecret();
    const handler = await newContainer();

    await expect(handler({}, context)).rejects.toThrow(/ingestion failed for sales_order \(.*permission denied/);
    expect(h.keys('currency')).toHaveLength(1);
  });

  it('holds the lease no longer than the invocation may run plus a minute', async () => {
    answerSecret();
    const handler = await newContainer();
    const lease = JSON.stringify({ owner: 'crashed', expiresAt: new Date(Date.now() - 1).toISOString() });
    await h.processed.write('extract/lease.json', lease);
    const slow = { ...context, getRemainingTimeInMillis: () => 600_000 } as Context;
    const started = Date.now();
    await handler({}, slow);
    // The run released it; what it wrote while running is in the write history.
    const writes = h.s3.mock.commandCalls(PutObjectCommand).filter((call) => call.args[0].input.Key === 'extract/lease.json');
    const taken = JSON.parse(String(writes[1]!.args[0].input.Body)) as { expiresAt: string };
    const heldUntil = Date.parse(taken.expiresAt) - started;
    expect(heldUntil).toBeGreaterThan(600_000);
    expect(heldUntil).toBeLessThan(600_000 + 60_000 + 10_000);
  });

  it('names the secret when it is not the RDS shape', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"host":"db"}' });
    const handler = await newContainer();
    await expect(handler({}, context)).rejects.toThrow(/source database secret ".*totesys-AbCdEf": "username" is missing/);
  });
});

describe('ingest configuration', () => {
  const base = { INGESTION_BUCKET: 'i', PROCESSED_BUCKET: 'p', SOURCE_DB_SECRET_ARN: 'arn' };

  it('defaults to verified TLS, /totesys/ingest and gzip level 6', () => {
    expect(readIngestConfig(base)).toMatchObject({ ssl: 'require', parameterPath: '/totesys/ingest', gzipLevel: 6, schema: 'public' });
  });

  it('names what is missing or wrong', () => {
    expect(() => readIngestConfig({ ...base, INGESTION_BUCKET: '' })).toThrow(/INGESTION_BUCKET is not set/);
    expect(() => readIngestConfig({ INGESTION_BUCKET: 'i', PROCESSED_BUCKET: 'p' })).toThrow(/SOURCE_DB_SECRET_ARN/);
    expect(() => readIngestConfig({ ...base, SOURCE_DB_SSL: 'maybe' })).toThrow(/SOURCE_DB_SSL must be one of/);
    expect(() => readIngestConfig({ ...base, GZIP_LEVEL: '0' })).toThrow(/GZIP_LEVEL must be 1\.\.9/);
    expect(() => readIngestConfig({ ...base, INGEST_PARAMETER_PATH: 'no-slash' })).toThrow(/INGEST_PARAMETER_PATH/);
  });
});
