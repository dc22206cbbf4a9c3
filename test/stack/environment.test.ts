/**
 * The environment the stack gives each Lambda is the one its config reader reads: both
 * use the names in lambdas/environment.ts, so a renamed variable cannot leave a deployed
 * Lambda misconfigured, and `ops --stack` reads the same names back.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/environment';
import { readIngestConfig } from '../../lambdas/ingest/config';
import { readLoadConfig } from '../../lambdas/load/config';
import { readTransformConfig } from '../../lambdas/transform/config';
import { synthPipeline } from './synth';

const SOURCE_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/source-AbC123';
/** Set for the runtime (Powertools, Node, the metrics' pipeline dimension), not read by a config reader. */
const RUNTIME_VARIABLES = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'PIPELINE_NAME',
  'NODE_OPTIONS',
];

/** A function's environment with CloudFormation references (bucket names, secret ARNs) as stand-in strings. */
function environmentOf(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : `resolved-${name.toLowerCase()}`]),
  );
}

describe('Lambda environment names', () => {
  const synthesized = synthPipeline({
    sourceDbSecret: SOURCE_ARN,
    ingestionPrefix: 'landing/',
    processedPrefix: 'star/',
    dbSsl: 'no-verify',
  });
  const { stack, template, logicalId } = synthesized;
  const variablesOf = (fn: Parameters<typeof logicalId>[0]) =>
    environmentOf(template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables);
  const known = new Set<string>([...Object.values(ENV), ...RUNTIME_VARIABLES]);

  it('the transform Lambda reads every setting the stack gives it', () => {
    const env = variablesOf(stack.transform.lambda.function);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(readTransformConfig(env)).toEqual({
      ingestionBucket: env[ENV.ingestionBucket],
      ingestionPrefix: 'landing/',
      processedBucket: env[ENV.processedBucket],
      processedPrefix: 'star/',
      sequenceParameterPath: '/totesys/transform',
    });
  });

  it('the load Lambda reads every setting the stack gives it', () => {
    const env = variablesOf(stack.load.lambda.function);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(readLoadConfig(env)).toMatchObject({
      processedBucket: env[ENV.processedBucket],
      processedPrefix: 'star/',
      database: { kind: 'secret', secretId: env[ENV.warehouseSecretArn] },
      ssl: 'no-verify',
      caBundlePath: '/var/runtime/ca-cert.pem',
    });
  });

  it('the ingest Lambda reads every setting the stack gives it', () => {
    if (!stack.ingest) throw new Error('the stack has no ingest stage despite sourceDbSecret');
    const env = variablesOf(stack.ingest.lambda.function);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(readIngestConfig(env)).toMatchObject({
      ingestionBucket: env[ENV.ingestionBucket],
      ingestionPrefix: 'landing/',
      processedPrefix: 'star/',
      parameterPath: '/totesys/ingest',
      source: { kind: 'secret', secretId: SOURCE_ARN },
      ssl: 'require',
    });
  });

  it('a deployed Lambda without a TLS setting verifies TLS, the same default the stack gives it', () => {
    const { [ENV.warehouseSsl]: _ssl, ...withoutSsl } = variablesOf(stack.load.lambda.function);
    expect(readLoadConfig(withoutSsl).ssl).toBe('require');
    const defaults = synthPipeline();
    const loadFunction = defaults.template.toJSON().Resources[defaults.logicalId(defaults.stack.load.lambda.function)];
    expect(loadFunction.Properties.Environment.Variables[ENV.warehouseSsl]).toBe('require');
  });
});
