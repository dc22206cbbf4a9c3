/**
 * The whole pipeline under fault injection: ingestion objects land in a mocked S3, the
 * real Transform Lambda handler is invoked with their S3 events (S3 and SSM answered by
 * FakeS3 and FakeSsm, through AwsFaults), and the real loader loads the processed bucket
 * into a fresh Postgres database. A scenario ends by comparing the warehouse's fingerprint
 * with that of a fault-free run of the same input.
 *
 * One per test file (the AWS mocks are per client class).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { vi } from 'vitest';
import { S3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { ProcessedLayout } from '../../../lambdas/core/layout';
import { type LoadSummary, type LoaderDependencies, loadPendingBatches } from '../../../lambdas/core/load/loader';
import type { IngestionObject } from '../../../local/generator';
import { type TestDatabase, createTestDatabase } from '../../support/database';
import { FakeS3 } from '../../support/s3-mock';
import { FakeSsm } from '../../support/ssm-mock';
import { RecordingLog, RecordingMetrics } from '../../support/recorders';
import { AwsFaults } from './aws-faults';
import { type Fingerprint, fingerprint } from './fingerprint';
import { PowertoolsOutput } from './powertools-output';
import { connectPostgres, newPostgresClient } from '../../../lambdas/adapters/pg/connect';
import {
  type Delivery,
  INGESTION_BUCKET,
  type InvocationOutcome,
  PROCESSED_BUCKET,
  PROCESSED_PREFIX,
  TransformLambda,
} from './transform-lambda';

export interface LoadRun {
  readonly summary?: LoadSummary;
  readonly error?: Error;
  readonly log: RecordingLog;
  readonly metrics: RecordingMetrics;
}

/** What a fault-free run of an input left behind: the reference every scenario must match. */
export interface Reference {
  readonly warehouse: Fingerprint;
  readonly parameters: ReadonlyMap<string, string>;
  /** Per object (in the order given), the processed-bucket keys its transform wrote. */
  readonly writes: readonly (readonly string[])[];
}

export class FaultPipeline {
  readonly s3 = new FakeS3();
  readonly ssm = new FakeSsm();
  readonly s3Faults = new AwsFaults(S3Client);
  readonly ssmFaults = new AwsFaults(SSMClient);
  readonly output = new PowertoolsOutput();
  readonly lambda = new TransformLambda();
  readonly layout = new ProcessedLayout(PROCESSED_PREFIX);
  readonly processed = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), PROCESSED_BUCKET);
  private database: TestDatabase | undefined;
  private readonly databases: TestDatabase[] = [];

  constructor() {
    this.s3Faults.install();
    this.ssmFaults.install();
  }

  get databaseUrl(): string {
    if (!this.database) throw new Error('call begin() first');
    return this.database.url;
  }

  /** A clean start: empty buckets and parameters, no faults, a new database and container, output captured. */
  async begin(): Promise<void> {
    // Resetting a mock re-stubs the client's send: unwrap first, wrap the new stub after.
    this.s3Faults.uninstall();
    this.ssmFaults.uninstall();
    this.s3.reset();
    this.ssm.reset();
    this.s3Faults.install();
    this.ssmFaults.install();
    this.s3Faults.clear();
    this.ssmFaults.clear();
    this.database = await createTestDatabase();
    this.databases.push(this.database);
    await this.lambda.newContainer();
    this.output.capture();
  }

  /** Call in afterAll: stops the mocks and drops the databases. */
  /** Restores the mocks and drops the databases; safe to call twice. */
  async end(): Promise<void> {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    this.s3Faults.uninstall();
    this.ssmFaults.uninstall();
    this.s3.restore();
    this.ssm.restore();
    for (const database of this.databases.splice(0)) await database.drop();
  }

  /**
   * After a simulated Lambda timeout: the dead runtime's transform-lock leases, expired.
   * Lambda retries a timed-out event a minute or two later, when the dead holder has long
   * stopped renewing and a waiter takes its lease over (transform-lock.test.ts shows that
   * takeover); this stand-in for the platform expires them at once instead of waiting. The
   * abandoned invocation, still pending in this process, finds its lease gone at its next
   * renewal and stops renewing.
   */
  expireTransformLeases(): void {
    for (const key of this.s3.keys(PROCESSED_BUCKET, `${PROCESSED_PREFIX}state/locks/`)) {
      this.s3.put(PROCESSED_BUCKET, key, JSON.stringify({ formatVersion: 1, holder: 'a timed-out invocation', released: true }));
    }
  }

  /** Puts the object in the ingestion bucket; returns what its S3 event will say. */
  land(object: IngestionObject): Delivery {
    const stored = this.s3.put(INGESTION_BUCKET, object.key, object.body);
    return { key: object.key, etag: stored.etag.replace(/"/g, '') };
  }

  landAll(objects: readonly IngestionObject[]): Delivery[] {
    return objects.map((object) => this.land(object));
  }

  /** One Lambda invocation per delivery, in order; the outcomes. */
  async deliver(deliveries: readonly Delivery[]): Promise<InvocationOutcome[]> {
    const outcomes: InvocationOutcome[] = [];
    for (const delivery of deliveries) outcomes.push(await this.lambda.invoke(delivery));
    return outcomes;
  }

  /**
   * Delivers each object, re-delivering a failed invocation (as Lambda's retries and a
   * redrive from the DLQ would) until it succeeds; throws if one never does.
   */
  async deliverUntilDone(deliveries: readonly Delivery[], attempts = 20): Promise<{ failures: number }> {
    let failures = 0;
    for (const delivery of deliveries) {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.lambda.invoke(delivery);
        if (outcome.ok) break;
        failures++;
        if (attempt >= attempts) throw new Error(`${delivery.key} failed ${attempts} times: ${outcome.error.message}`);
      }
    }
    return { failures };
  }

  /** One loader run (the core, as the Load Lambda runs it) with recording log and metrics. */
  async load(overrides: Partial<LoaderDependencies> = {}): Promise<LoadRun> {
    const log = new RecordingLog();
    const metrics = new RecordingMetrics();
    try {
      const summary = await loadPendingBatches(this.loaderDeps({ log, metrics, ...overrides }), { deadline: Date.now() + 120_000 });
      return { summary, log, metrics };
    } catch (error) {
      return { error: error as Error, log, metrics };
    }
  }

  loaderDeps(overrides: Partial<LoaderDependencies> = {}): LoaderDependencies {
    const url = this.databaseUrl;
    return {
      connect: () => connectPostgres(url),
      store: this.processed,
      layout: this.layout,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
      ...overrides,
    };
  }

  /**
   * One loader run that was not skipped: a run right after one that died may find the run
   * lock still held by the dead session until the server notices; it tries again shortly.
   */
  async loadUnlessSkipped(overrides: Partial<LoaderDependencies> = {}, attempts = 50): Promise<LoadRun> {
    for (let attempt = 1; ; attempt++) {
      const run = await this.load(overrides);
      if (run.summary?.outcome !== 'skipped' || attempt >= attempts) return run;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Loads until a run completes with every batch loaded; throws if that takes too many runs. */
  async loadUntilDone(overrides: Partial<LoaderDependencies> = {}, runs = 20): Promise<LoadRun[]> {
    const done: LoadRun[] = [];
    for (let run = 0; run < runs; run++) {
      const result = await this.load(overrides);
      done.push(result);
      if (result.summary?.outcome === 'completed' && result.summary.batchesFailed.length === 0) return done;
    }
    throw new Error(`loading did not complete in ${runs} runs: ${done.at(-1)?.error?.message ?? JSON.stringify(done.at(-1)?.summary)}`);
  }

  fingerprint(): Promise<Fingerprint> {
    return fingerprint(this.databaseUrl);
  }

  /** A query on the warehouse database as the test's superuser. */
  async query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    const client = newPostgresClient(this.databaseUrl);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  parameters(): Map<string, string> {
    return new Map(this.ssm.parameters);
  }

  /** Keys in the processed bucket (manifests, batches, rejected rows, state). */
  processedKeys(prefix = ''): string[] {
    return this.s3.keys(PROCESSED_BUCKET, `${PROCESSED_PREFIX}${prefix}`);
  }

  /** The fault-free run of `objects`, delivered in landing order and loaded once. */
  async reference(objects: readonly IngestionObject[]): Promise<Reference> {
    await this.begin();
    const writes: string[][] = [];
    for (const delivery of this.landAll(objects)) {
      const before = this.s3.putKeys().length;
      const outcome = await this.lambda.invoke(delivery);
      if (!outcome.ok) throw new Error(`the fault-free run failed: ${outcome.error.message}`);
      writes.push(this.s3.putKeys().slice(before));
    }
    const run = await this.load();
    if (run.error || run.summary!.batchesFailed.length > 0) {
      throw new Error(`the fault-free load failed: ${run.error?.message ?? JSON.stringify(run.summary!.batchesFailed)}`);
    }
    return {
      warehouse: await this.fingerprint(),
      parameters: this.parameters(),
      writes,
    };
  }
}
