/**
 * Secrets Manager failing the Load Lambda (throttled, 5xx, access denied, KMS decryption,
 * secret deleted, a malformed value): each run fails clearly, naming the secret and never
 * carrying the password, with LoadSucceeded 0; once the secret can be read, the next run
 * loads everything exactly once.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { AwsFaults, awsErrors } from './support/aws-faults';
import { generatedInput } from './support/history';
import { LoadLambda, LoaderRole, SECRET_ARN } from './support/load-lambda';
import { FaultPipeline, type Reference } from './support/pipeline';

const input = generatedInput();
const pipeline = new FaultPipeline();
const secretsManager = mockClient(SecretsManagerClient);
const secretsFaults = new AwsFaults(SecretsManagerClient);
const role = new LoaderRole(inject('databaseUrl'));
const lambda = new LoadLambda();
let reference: Reference;

beforeAll(async () => {
  reference = await pipeline.reference(input.objects);
  await role.create();
  secretsFaults.install();
}, 60_000);
afterAll(async () => {
  secretsFaults.uninstall();
  secretsManager.restore();
  await pipeline.end();
  await role.drop();
});

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
    expect(pipeline.output.metrics().filter((m) => m.name === LoadMetric.LoadSucceeded).map((m) => m.value)).toEqual(
      expectedReasons.map(() => 0),
    );
    expect(await pipeline.query("SELECT to_regclass('etl_control.loaded_batch') AS ledger")).toEqual([{ ledger: null }]);

    const recovered = await lambda.invoke();
    expect(recovered).toMatchObject({ ok: true, summary: { outcome: 'completed', batchesLoaded: input.objects.length, batchesFailed: [] } });
    expect(await pipeline.fingerprint()).toEqual(reference.warehouse);

    // The secret is kept for the container's life: Secrets Manager failing later does not stop loading.
    secretsFaults.inject({ command: 'GetSecretValueCommand', effect: { kind: 'error', error: awsErrors.secretsThrottling } });
    expect(await lambda.invoke()).toMatchObject({ ok: true, summary: { outcome: 'completed', batchesLoaded: 0 } });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(3);
    expect(pipeline.output.text()).not.toContain(role.password);
    expect(await pipeline.fingerprint()).toEqual(reference.warehouse);
  });
});
