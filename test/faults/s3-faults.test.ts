/**
 * S3 throttling and 5xx errors on reads and writes, in the Transform Lambda and in the
 * loader. Every failed invocation is re-delivered (Lambda's retries, then a DLQ redrive)
 * and every failed load run is followed by the next scheduled one; the warehouse must end
 * equal to a fault-free run, and each failure must show in logs and metrics. Also a
 * processed file damaged in the bucket: its batch fails alone until it is restored.
 */
import { describe, expect, it } from 'vitest';
import { LoadMetric, TransformMetric } from '../../lambdas/core/metric-names';
import { readParquetMetadata } from '../../lambdas/core/parquet/reader';
import { type FaultEffect, awsErrors } from './support/aws-faults';
import { useReferenceRun } from './support/reference-run';
import { spreadStops, writeKind } from './support/stop-points';
import { INGESTION_BUCKET, PROCESSED_BUCKET } from './support/transform-lambda';

const run = useReferenceRun();
const { input, pipeline } = run;

const isIngestionRead = (input: Record<string, unknown>) => input.Bucket === INGESTION_BUCKET;
const isProcessed = (input: Record<string, unknown>) => input.Bucket === PROCESSED_BUCKET;

/** The Lambda's error log lines for failed objects, as `<errorName> <sourceKey>`. */
function failureLogs(): string[] {
  return pipeline.output
    .errors()
    .filter((l) => l.message === 'transform failed')
    .map((l) => `${l.errorName} ${l.sourceKey}`);
}

describe('the Transform Lambda', () => {
  it('reading an ingestion object throttled (503 SlowDown): the invocation fails, the retry succeeds', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    for (const delivery of deliveries) {
      pipeline.s3Faults.inject({
        command: 'GetObjectCommand',
        when: (i) => isIngestionRead(i) && i.Key === delivery.key,
        times: 1,
        effect: { kind: 'error', error: awsErrors.s3SlowDown },
      });
    }
    const { failures } = await pipeline.deliverUntilDone(deliveries);
    expect(failures).toBe(input.objects.length);
    expect(failureLogs()).toEqual(deliveries.map((d) => `SlowDown ${d.key}`));
    expect(pipeline.output.total(TransformMetric.ObjectsFailed)).toBe(input.objects.length);
    expect(pipeline.output.errors().filter((l) => l.message === 'transform invocation failed')).toHaveLength(input.objects.length);

    expect((await pipeline.load()).summary).toMatchObject({ batchesLoaded: input.objects.length, batchesFailed: [] });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
  });

  it('the connection reset in the middle of an object body: nothing of it is published before the retry', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    for (const [index, delivery] of deliveries.entries()) {
      const object = input.objects[index]!;
      pipeline.s3Faults.inject({
        command: 'GetObjectCommand',
        when: (i) => isIngestionRead(i) && i.Key === delivery.key,
        times: 1,
        effect: { kind: 'broken-body', bytes: Math.floor(object.body.length / 2) },
      });
      const first = await pipeline.lambda.invoke(delivery);
      expect(first.ok).toBe(false);
      expect(pipeline.processedKeys(`manifests/${object.table}/`)).toHaveLength(object.sequence - 1);
      expect((await pipeline.lambda.invoke(delivery)).ok).toBe(true);
    }
    expect(failureLogs()).toHaveLength(input.objects.length);
    expect(pipeline.output.errors().every((l) => l.message !== 'transform failed' || l.error === 'aborted')).toBe(true);
    expect(pipeline.output.total(TransformMetric.ObjectsFailed)).toBe(input.objects.length);

    expect((await pipeline.load()).summary).toMatchObject({ batchesLoaded: input.objects.length, batchesFailed: [] });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });

  it('a 5xx on each kind of write (Parquet, state, manifest): the retry rebuilds the same batch', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    // Each object fails at one of its writes; across the history every kind of write fails.
    const stops = spreadStops(run.reference.writes, { sequence: false });
    const failedWrites: string[] = [];
    for (const [index, delivery] of deliveries.entries()) {
      pipeline.s3Faults.inject({
        command: 'PutObjectCommand',
        when: (i) => i.Key === stops[index]!.key,
        times: 1,
        effect: { kind: 'error', error: index % 2 === 0 ? awsErrors.s3InternalError : awsErrors.s3ServiceUnavailable },
      });
      expect((await pipeline.lambda.invoke(delivery)).ok).toBe(false);
      failedWrites.push(stops[index]!.key!);
      expect((await pipeline.lambda.invoke(delivery)).ok).toBe(true);
    }
    // Every kind of write failed at least once, the manifest (commit marker) included.
    expect(new Set(failedWrites.map(writeKind))).toEqual(new Set(['batches', 'state', 'manifests']));
    expect(pipeline.output.total(TransformMetric.ObjectsFailed)).toBe(failedWrites.length);
    expect(failureLogs().map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(['InternalError', 'ServiceUnavailable']));

    expect((await pipeline.load()).summary).toMatchObject({ batchesLoaded: input.objects.length, batchesFailed: [] });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
  });
});

describe('the loader', () => {
  it('listing throttled: the run fails visibly and loses no position; the next run loads everything', async () => {
    await pipeline.begin();
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects))) expect(outcome.ok).toBe(true);
    // Let the first table's listing through, then throttle: some batches may load before the failure.
    let lists = 0;
    pipeline.s3Faults.inject({
      command: 'ListObjectsV2Command',
      when: () => ++lists === 2,
      times: 1,
      effect: { kind: 'error', error: awsErrors.s3SlowDown },
    });
    const failed = await pipeline.load();
    expect(failed.error?.name).toBe('SlowDown');
    expect(failed.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
    expect(failed.log.at('error')).toEqual([
      expect.objectContaining({
        message: 'load run failed; the next run carries on from the ledger',
        attributes: { error: 'SlowDown: Please reduce your request rate.' },
      }),
    ]);
    const next = await pipeline.load();
    expect(next.summary).toMatchObject({ outcome: 'completed', batchesFailed: [], pendingBatches: 0 });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });

  it('reading Parquet files and manifests fails (500, reset body): those batches wait; the rest load; then all', async () => {
    await pipeline.begin();
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects))) expect(outcome.ok).toBe(true);
    // By the number of the Parquet read: a 500 or a body cut short after 64 bytes.
    const plan = new Map<number, FaultEffect>([
      [2, { kind: 'error', error: awsErrors.s3InternalError }],
      [5, { kind: 'broken-body', bytes: 64 }],
      [9, { kind: 'error', error: awsErrors.s3InternalError }],
      [14, { kind: 'broken-body', bytes: 64 }],
      [20, { kind: 'error', error: awsErrors.s3InternalError }],
    ]);
    let parquetReads = 0;
    pipeline.s3Faults.chaos = (command, i) => {
      if (command !== 'GetObjectCommand' || !isProcessed(i) || !String(i.Key).endsWith('.parquet')) return undefined;
      return plan.get(++parquetReads);
    };
    pipeline.s3Faults.inject({
      command: 'GetObjectCommand',
      when: (i) => isProcessed(i) && String(i.Key).includes('/manifests/sales_order/'),
      times: 1,
      effect: { kind: 'error', error: awsErrors.s3InternalError },
    });
    const runs = await pipeline.loadUntilDone();
    expect(runs.length).toBeGreaterThan(1);
    const faulty = runs.slice(0, -1);
    for (const run of faulty) {
      expect(run.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
      expect(run.log.at('error').length).toBeGreaterThan(0);
    }
    expect(pipeline.s3Faults.count('GetObjectCommand')).toBe(plan.size + 1);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('a processed file damaged in the bucket (a page header overwritten, the footer intact)', () => {
  it('fails its batch alone every run, naming batch and file; the others load; once restored, it loads too', async () => {
    await pipeline.begin();
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects))) expect(outcome.ok).toBe(true);
    const key = pipeline.processedKeys().find((k) => /\/fact_sales_order\.parquet$/.test(k))!;
    const original = pipeline.s3.get(PROCESSED_BUCKET, key)!.body;
    const damaged = new Uint8Array(original);
    const column = readParquetMetadata(damaged).row_groups[0]!.columns[0]!.meta_data!;
    const at = Number(column.dictionary_page_offset ?? column.data_page_offset);
    damaged.fill(0xff, at, at + 12);
    pipeline.s3.put(PROCESSED_BUCKET, key, damaged);

    for (const attempt of [1, 2]) {
      const failed = await pipeline.load();
      expect(failed.error, `run ${attempt}`).toBeUndefined();
      expect(failed.summary!.outcome).toBe('completed');
      expect(failed.summary!.batchesFailed).toEqual([
        expect.objectContaining({ objectKey: key, error: expect.stringMatching(/cannot be decoded: .*thrift/) }),
      ]);
      expect(failed.summary!.pendingBatches).toBe(1);
      expect(failed.metrics.total(LoadMetric.BatchesFailed)).toBe(1);
      expect(failed.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
    }
    pipeline.s3.put(PROCESSED_BUCKET, key, original);
    const restored = await pipeline.load();
    expect(restored.summary).toMatchObject({ outcome: 'completed', batchesLoaded: 1, batchesFailed: [], pendingBatches: 0 });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('chaos: any S3 call may fail, in the transform and the loader alike', () => {
  it('with one call in six failing, re-deliveries and later runs still end at the fault-free warehouse', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    const random = seeded(20241114);
    const errors = [awsErrors.s3SlowDown, awsErrors.s3InternalError, awsErrors.s3ServiceUnavailable];
    pipeline.s3Faults.chaos = () => (random() < 1 / 6 ? { kind: 'error', error: errors[Math.floor(random() * 3)]! } : undefined);
    let transformFailures = 0;
    const loadRuns = [];
    for (const [index, delivery] of deliveries.entries()) {
      transformFailures += (await pipeline.deliverUntilDone([delivery])).failures;
      if (index % 5 === 4) loadRuns.push(await pipeline.load());
    }
    // The bad spell passes; the next scheduled runs catch up.
    pipeline.s3Faults.chaos = undefined;
    loadRuns.push(...(await pipeline.loadUntilDone()));

    expect(transformFailures).toBeGreaterThan(0);
    expect(pipeline.output.total(TransformMetric.ObjectsFailed)).toBe(transformFailures);
    const failedLoads = loadRuns.filter((run) => run.error || run.summary!.batchesFailed.length > 0);
    expect(failedLoads.length).toBeGreaterThan(0);
    for (const run of failedLoads) expect(run.metrics.total(LoadMetric.LoadSucceeded)).toBe(0);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
  });
});

/** A small seeded generator (mulberry32), so a failing chaos run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
