/**
 * The Lambda bundles as `cdk synth` builds them (the stack's own NodejsFunction bundling:
 * esbuild, ESM, minified, the SDK inside, the dbCaBundle file copied in), each handler
 * invoked in a child Node process with an event, the way Lambda would. The bundles carry
 * their own SDK, so client mocks cannot reach them: AWS_ENDPOINT_URL_* points them at a
 * loopback stand-in for S3, SSM and Secrets Manager. The warehouse is a real Postgres
 * with TLS, verified against the bundled DB_CA_BUNDLE. A module, wasm file or CA file
 * missing from a bundle fails here, not at the first invocation in AWS.
 *
 * (The child runs this machine's Node, not Lambda's nodejs22.x runtime.)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, type CfnResource } from 'aws-cdk-lib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { IngestionObjectWriter, generateDataset, snapshot } from '../../local/generator';
import { readPipelineConfig } from '../../lib/config/pipeline-config';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { PipelineStack } from '../../lib/pipeline-stack';
import { AwsHttpStub } from '../support/aws-http-stub';
import { type TlsPostgres, startTlsPostgres } from '../support/tls-postgres';

const run = promisify(execFile);
const STACK = 'BundleSmoke';
const INGESTION_BUCKET = 'smoke-ingestion';
const PROCESSED_BUCKET = 'smoke-processed';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:smoke-warehouse-AbCdEf';
/** What the stand-ins answer for values CloudFormation fills in (any other: the processed bucket). */
const TOKEN_STAND_INS: Readonly<Record<string, string>> = { DB_SECRET_ARN: SECRET_ARN, INGESTION_BUCKET };

/** Imports a bundle and calls its handler once per event, like one warm Lambda container. */
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventsFile, resultFile] = process.argv.slice(2);
const results = [];
try {
  const { handler } = await import(pathToFileURL(bundle).href);
  for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) {
    const context = {
      functionName: 'smoke', functionVersion: '$LATEST', memoryLimitInMB: '1024',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:smoke',
      awsRequestId: 'smoke-' + results.length, logGroupName: '/aws/lambda/smoke', logStreamName: 'smoke',
      callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 120000,
    };
    try { results.push({ ok: true, value: await handler(event, context) }); }
    catch (error) { results.push({ ok: false, error: String(error && error.stack || error) }); }
  }
} catch (error) {
  results.push({ ok: false, error: 'init: ' + String(error && error.stack || error) });
}
writeFileSync(resultFile, JSON.stringify(results));
`;

interface Invocation {
  readonly ok: boolean;
  readonly value?: Record<string, unknown>;
  readonly error?: string;
}

let work: string;
let warehouse: TlsPostgres;
let warehouseUrl: string;
const stub = new AwsHttpStub();
let endpoint: string;
let bundles: Record<'transform' | 'load', { dir: string; environment: Record<string, string> }>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'totesys-bundles-'));
  warehouse = await startTlsPostgres();
  const admin = new pg.Client({ connectionString: warehouse.url, ssl: { ca: readFileSync(warehouse.caPath, 'utf8') } });
  await admin.connect();
  await admin.query('CREATE DATABASE warehouse');
  await admin.end();
  const url = new URL(warehouse.url);
  url.pathname = '/warehouse';
  warehouseUrl = url.toString();
  endpoint = await stub.start();
  stub.secrets.set(
    SECRET_ARN,
    JSON.stringify({
      engine: 'postgres',
      host: 'localhost',
      port: Number(url.port),
      username: 'postgres',
      password: 'postgres',
      dbname: 'warehouse',
    }),
  );

  // Synthesized exactly as `cdk synth` does, bundling included (the CDK app's settings come from context).
  const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;
  const app = new App({
    outdir: join(work, 'cdk.out'),
    context: { ...cdkContext, stackName: STACK, dbCaBundle: warehouse.caPath, warehouseSchema: 'analytics' },
  });
  const config = readPipelineConfig((key) => app.node.tryGetContext(key));
  const stack = new PipelineStack(app, config.stackName, { config });
  const template = app.synth().getStackByName(STACK).template as {
    Resources: Record<string, { Properties: { Code: { S3Key: string }; Environment: { Variables: Record<string, unknown> } } }>;
  };
  const bundleOf = (fn: typeof stack.load.lambda.function) => {
    const resource = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnResource)]!;
    const dir = join(work, 'cdk.out', `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    // Values the template leaves to CloudFormation (bucket names, the secret ARN) become the stand-ins'.
    const environment = Object.fromEntries(
      Object.entries(resource.Properties.Environment.Variables).map(([name, value]) => {
        if (typeof value !== 'string') return [name, TOKEN_STAND_INS[name] ?? PROCESSED_BUCKET];
        // The function's code is unpacked in /var/task (LAMBDA_TASK_ROOT) in Lambda.
        return [name, value.replace(/^\/var\/task\//, `${dir}/`)];
      }),
    );
    return { dir, environment };
  };
  bundles = { transform: bundleOf(stack.transform.lambda.function), load: bundleOf(stack.load.lambda.function) };
  writeFileSync(join(work, 'runner.mjs'), RUNNER);
}, 300_000);

afterAll(async () => {
  await stub.stop();
  await warehouse?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function invoke(which: 'transform' | 'load', events: unknown[], overrides: Record<string, string> = {}): Promise<Invocation[]> {
  const { dir, environment } = bundles[which];
  const eventsFile = join(work, `${which}-events.json`);
  const resultFile = join(work, `${which}-result.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  rmSync(resultFile, { force: true });
  await run(process.execPath, [join(work, 'runner.mjs'), join(dir, 'index.mjs'), eventsFile, resultFile], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '',
      ...environment,
      LAMBDA_TASK_ROOT: dir,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST',
      AWS_SECRET_ACCESS_KEY: 'smoke-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_SSM: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      ...overrides,
    },
  });
  return JSON.parse(readFileSync(resultFile, 'utf8')) as Invocation[];
}

describe('the Lambda bundles cdk synth builds', () => {
  it('carry the dbCaBundle file, and the stack points DB_CA_BUNDLE at it, with verified TLS', () => {
    expect(bundles.load.environment.DB_SSL).toBe('require');
    expect(bundles.load.environment.DB_CA_BUNDLE).toBe(join(bundles.load.dir, 'db-ca-bundle.pem'));
    expect(readFileSync(bundles.load.environment.DB_CA_BUNDLE!, 'utf8')).toBe(readFileSync(warehouse.caPath, 'utf8'));
    expect(existsSync(join(bundles.transform.dir, 'db-ca-bundle.pem'))).toBe(false);
  });

  it('transform every ingestion object, then load them all over verified TLS into the configured schema', async () => {
    const files = new FileObjectStore(join(work, 'ingestion'));
    const objects = await new IngestionObjectWriter(files).write(snapshot(generateDataset({ seed: 11, scale: 0.01 })));
    for (const object of objects) stub.put(INGESTION_BUCKET, object.key, object.body);
    const events = objects.map((object) => ({
      Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: INGESTION_BUCKET }, object: { key: object.key } } }],
    }));

    const transformed = await invoke('transform', events);
    expect(transformed.filter((r) => !r.ok)).toEqual([]);
    expect(transformed).toHaveLength(objects.length);
    expect(stub.keys(PROCESSED_BUCKET).filter((key) => key.startsWith('manifests/'))).toHaveLength(objects.length);
    expect(stub.calls).toContain('AmazonSSM.PutParameter');

    const [loaded] = await invoke('load', [{}]);
    expect(loaded).toMatchObject({ ok: true, value: { outcome: 'completed', batchesLoaded: objects.length, batchesFailed: [] } });
    expect(stub.calls).toContain('secretsmanager.GetSecretValue');

    const client = new pg.Client({ connectionString: warehouseUrl, ssl: { ca: readFileSync(warehouse.caPath, 'utf8') } });
    await client.connect();
    try {
      const { rows } = await client.query<{ facts: number; staff: number }>(
        'SELECT (SELECT count(*)::int FROM analytics.fact_sales_order) AS facts, (SELECT count(*)::int FROM analytics.dim_staff) AS staff',
      );
      expect(rows[0]!.facts).toBeGreaterThan(0);
      expect(rows[0]!.staff).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('fail the load run, naming the file, when DB_CA_BUNDLE points at nothing', async () => {
    const [result] = await invoke('load', [{}], { DB_CA_BUNDLE: join(bundles.load.dir, 'missing.pem') });
    expect(result!.ok).toBe(false);
    expect(result!.error).toMatch(/cannot read the CA bundle DB_CA_BUNDLE=.*missing\.pem: ENOENT/);
  });
});
