/**
 * The loader's way to the warehouse failing: Secrets Manager (throttled, 5xx, access
 * denied, KMS decryption, secret deleted, a malformed value), the connection killed in the
 * middle of a batch, and the database down for a while, then back. Each failed run says so
 * (error log, LoadSucceeded 0, a thrown error naming what failed and never the password);
 * the next runs carry on from the ledger and the warehouse ends equal to a fault-free run.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { APPLICATION_NAME } from '../../lambdas/core/load/session';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { AwsFaults, awsErrors } from './support/aws-faults';
import { type ConnectionFault, FaultyConnections } from './support/database-faults';
import { LoadLambda, LoaderRole, SECRET_ARN } from './support/load-lambda';
import { useReferenceRun } from './support/reference-run';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const run = useReferenceRun();
const { input, pipeline } = run;
const secretsManager = mockClient(SecretsManagerClient);
const secretsFaults = new AwsFaults(SecretsManagerClient);
const role = new LoaderRole(inject('databaseUrl'));

beforeAll(async () => {
  await role.create();
  secretsFaults.install();
}, 60_000);
afterAll(async () => {
  secretsFaults.uninstall();
  secretsManager.restore();
  await pipeline.end(); // its databases hold objects the role owns: drop them first
  await role.drop();
});

async function adminSession<T>(use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = newPostgresClient(pipeline.databaseUrl);
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}

const nth = (pattern: RegExp, n: number) => {
  let seen = 0;
  return (sql: string) => pattern.test(sql) && ++seen === n;
};

describe('Secrets Manager errors', () => {
  it('fail each run clearly and without the password; the first run that reads the secret loads everything', async () => {
    await pipeline.begin();
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects))) expect(outcome.ok).toBe(true);
    await role.own(pipeline.databaseUrl);
    const secret = role.secretFor(pipeline.databaseUrl);

    const serviceErrors = [
      awsErrors.secretsThrottling,
      awsErrors.secretsInternalServiceError,
      awsErrors.secretsAccessDenied,
      awsErrors.secretsDecryptionFailure,
      awsErrors.secretsNotFound,
    ];
    for (const error of serviceErrors) {
      secretsFaults.inject({ command: 'GetSecretValueCommand', times: 1, effect: { kind: 'error', error } });
    }
    secretsManager
      .on(GetSecretValueCommand)
      // A connection string pasted where the RDS JSON belongs, then JSON without a password.
      .resolvesOnce({ SecretString: `postgres://${role.name}:${role.password}@db.internal:5432/warehouse` })
      .resolvesOnce({ SecretString: JSON.stringify({ ...JSON.parse(secret), password: undefined }) })
      .resolves({ SecretString: secret });

    const lambda = new LoadLambda();
    await lambda.newContainer({ DB_SECRET_ARN: SECRET_ARN });
    const expectedReasons = [
      /cannot be read \(ThrottlingException: Rate exceeded\)/,
      /cannot be read \(InternalServiceError: An error occurred on the server side\.\)/,
      /cannot be read \(AccessDeniedException: .*not authorized to perform: secretsmanager:GetSecretValue\)/,
      /cannot be read \(DecryptionFailure: .*KMS key\.\)/,
      /cannot be read \(ResourceNotFoundException: Secrets Manager can't find the specified secret\.\)/,
      /is not JSON \(expected the RDS shape: host, port, username, password, dbname\)/,
      /"password" is missing or not a string/,
    ];
    for (const reason of expectedReasons) {
      const outcome = await lambda.invoke();
      expect(outcome.ok).toBe(false);
      const { error } = outcome as { error: Error };
      expect(error.name).toBe('DatabaseSecretError');
      expect(error.message).toContain(`warehouse database secret "${SECRET_ARN}"`);
      expect(error.message).toMatch(reason);
      expect(error.message).not.toContain(role.password);
    }
    const failures = pipeline.output.errors().filter((l) => l.message === 'load run failed before reaching the database');
    expect(failures).toHaveLength(expectedReasons.length);
    expect(
      pipeline.output
        .metrics()
        .filter((m) => m.name === LoadMetric.LoadSucceeded)
        .map((m) => m.value),
    ).toEqual(expectedReasons.map(() => 0));
    expect(await pipeline.query("SELECT to_regclass('etl_control.loaded_batch') AS ledger")).toEqual([{ ledger: null }]);

    const recovered = await lambda.invoke();
    expect(recovered).toMatchObject({
      ok: true,
      summary: { outcome: 'completed', batchesLoaded: input.objects.length, batchesFailed: [] },
    });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);

    // The secret is kept for the container's life: Secrets Manager failing later does not stop loading.
    secretsFaults.inject({ command: 'GetSecretValueCommand', effect: { kind: 'error', error: awsErrors.secretsThrottling } });
    expect(await lambda.invoke()).toMatchObject({ ok: true, summary: { outcome: 'completed', batchesLoaded: 0 } });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    expect(pipeline.output.text()).not.toContain(role.password);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('the connection killed in the middle of a batch', () => {
  it('at one point after another: each run fails visibly, and the ledger keeps every batch exactly once', async () => {
    await pipeline.begin();
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects))) expect(outcome.ok).toBe(true);
    await adminSession(async (admin) => {
      const connections = new FaultyConnections(pipeline.databaseUrl, admin);
      const kills: ConnectionFault[] = [
        { mode: 'terminate', at: nth(/CREATE TABLE/, 5) },
        { mode: 'terminate', at: nth(/^\s*INSERT INTO \S*loaded_batch/, 3) }, // claiming a batch
        { mode: 'terminate', at: nth(/^COPY /, 4) },
        { mode: 'terminate', at: nth(/^\s*INSERT INTO \S*"dim_/, 3) },
        { mode: 'terminate', at: nth(/^\s*INSERT INTO \S*"fact_/, 1) },
        { mode: 'terminate', at: nth(/^COMMIT$/, 5) },
      ];
      for (const kill of kills) {
        const run = await pipeline.loadUnlessSkipped({ connect: connections.connector(kill) });
        expect(run.error?.message).toMatch(/terminat|not queryable|Connection terminated/i);
        expect(run.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
        expect(run.log.at('error').map((e) => e.message)).toEqual(['load run failed; the next run carries on from the ledger']);
        expect(run.log.at('warn').map((e) => e.message)).toContain('database connection lost');
      }
    });
    const [last] = (await pipeline.loadUntilDone()).slice(-1);
    expect(last!.summary).toMatchObject({ outcome: 'completed', batchesFailed: [], pendingBatches: 0 });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('the database down for a while, then back', () => {
  it('goes down mid-batch; runs fail clearly without the password while it is down; then everything loads once', async () => {
    await pipeline.begin();
    const half = Math.floor(input.objects.length / 2);
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects.slice(0, half)))) expect(outcome.ok).toBe(true);
    await role.own(pipeline.databaseUrl);
    const lambda = new LoadLambda();
    await lambda.newContainer({ DATABASE_URL: role.urlFor(pipeline.databaseUrl) });
    expect(await lambda.invoke()).toMatchObject({ ok: true, summary: { batchesLoaded: half } });
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects.slice(half)))) expect(outcome.ok).toBe(true);

    const database = new URL(pipeline.databaseUrl).pathname.slice(1);
    // The server's own database: a database cannot close itself to connections.
    const server = newPostgresClient(inject('databaseUrl'));
    await server.connect();
    try {
      await adminSession(async (admin) => {
        // Hold the loader inside a batch: its insert into the facts waits for this lock.
        await admin.query('BEGIN');
        await admin.query('LOCK TABLE public.fact_sales_order, public.fact_purchase_order, public.fact_payment IN SHARE MODE');
        const run = lambda.invoke();
        const loaderPid = await waitingLoader(admin);
        // The database goes away: no new sessions, and the loader's session ends.
        await server.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
        await server.query('SELECT pg_terminate_backend($1, 10000)', [loaderPid]);
        await admin.query('ROLLBACK');
        expect((await run).ok).toBe(false);
      });
      const whileDown = [await lambda.invoke(), await lambda.invoke()];
      for (const outcome of whileDown) {
        expect(outcome.ok).toBe(false);
        const { error } = outcome as { error: Error };
        expect(error.name).toBe('DatabaseConnectionError');
        expect(error.message).toBe(
          `cannot connect to the warehouse database at ${new URL(pipeline.databaseUrl).host}/${database} as ${role.name}: ` +
            `database "${database}" is not currently accepting connections; the next run retries`,
        );
      }
    } finally {
      await server.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await server.end();
    }

    const output = pipeline.output;
    expect(
      output
        .metrics()
        .filter((m) => m.name === LoadMetric.LoadSucceeded)
        .map((m) => m.value),
    ).toEqual([1, 0, 0, 0]);
    const failures = output.errors().filter((l) => l.message === 'load run failed; the next run carries on from the ledger');
    expect(failures.map((l) => l.error)).toEqual([
      expect.stringMatching(/terminat/i),
      expect.stringContaining('is not currently accepting connections'),
      expect.stringContaining('is not currently accepting connections'),
    ]);

    // What committed before the database went away stays; the rest loads now, once.
    const [{ loaded }] = await pipeline.query<{ loaded: number }>('SELECT count(*)::int AS loaded FROM etl_control.loaded_batch');
    expect(loaded).toBeGreaterThanOrEqual(half);
    const recovered = await lambda.invoke();
    expect(recovered).toMatchObject({
      ok: true,
      summary: { outcome: 'completed', batchesLoaded: input.objects.length - loaded, batchesFailed: [], pendingBatches: 0 },
    });
    expect(output.text()).not.toContain(role.password);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

/** The backend pid of the loader once it waits on a lock. */
async function waitingLoader(admin: pg.Client, timeoutMs = 20_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    // Inside a transaction pg_stat_activity is a snapshot taken once; take a new one.
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND datname = current_database()`,
      [APPLICATION_NAME],
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no loader came to wait on the lock');
}
