/**
 * Delivery faults (CONTRACT.md §5: S3 events are at-least-once and unordered): every scenario
 * ends with the warehouse equal to a fault-free run of the same input, no row lost or
 * duplicated, and the irregularity visible in logs and metrics.
 */
import { describe, expect, it } from 'vitest';
import { LoadMetric, TransformMetric } from '../../lambdas/core/metric-names';
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { expectedRowCounts } from './support/history';
import { rowCounts } from './support/fingerprint';
import type { LoadRun } from './support/pipeline';
import { useReferenceRun } from './support/reference-run';

const run = useReferenceRun();
const { input, pipeline } = run;

it('the fault-free run holds every row the generated input implies', () => {
  const counts = rowCounts(run.reference.warehouse);
  expect(counts).toMatchObject(expectedRowCounts(input.history));
  expect(counts.loaded_batches).toBe(input.objects.length);
});

describe('the same event delivered three times', () => {
  it('one after another: the repeats are skipped, write nothing and are counted', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    for (const delivery of deliveries) {
      expect((await pipeline.lambda.invoke(delivery)).ok).toBe(true);
      const writes = pipeline.s3.putKeys().length;
      for (let time = 0; time < 2; time++) expect((await pipeline.lambda.invoke(delivery)).ok).toBe(true);
      expect(pipeline.s3.putKeys().length).toBe(writes);
    }
    expect((await pipeline.load()).summary).toMatchObject({ batchesLoaded: input.objects.length, batchesFailed: [] });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
    expect(pipeline.output.total(TransformMetric.ObjectsSkipped)).toBe(2 * input.objects.length);
    expect(pipeline.output.total(TransformMetric.ObjectsProcessed)).toBe(input.objects.length);
    const skipped = pipeline.output.logs().filter((l) => l.message === 'object already processed: skipped');
    expect(skipped).toHaveLength(2 * input.objects.length);
  });

  it('three times in one event, and again after the batches were loaded: no duplicate rows', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    for (const delivery of deliveries) expect((await pipeline.lambda.invoke(delivery, delivery, delivery)).ok).toBe(true);
    expect((await pipeline.load()).summary!.batchesLoaded).toBe(input.objects.length);
    // A replay of the whole history, long after it was loaded.
    for (const outcome of await pipeline.deliver(deliveries)) expect(outcome.ok).toBe(true);
    const again = await pipeline.load();
    expect(again.summary).toMatchObject({ batchesLoaded: 0, pendingBatches: 0 });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('events delivered in reverse order', () => {
  it('loaded once at the end: every late object is processed, and the gaps are reported', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects).reverse();
    for (const outcome of await pipeline.deliver(deliveries)) expect(outcome.ok).toBe(true);
    expect((await pipeline.load()).summary).toMatchObject({ batchesFailed: [], pendingBatches: 0 });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);

    // Each table's newest object came first: the sequences before it were missing then.
    const gapWarnings = pipeline.output.logs().filter((l) => l.message === 'ingestion sequence gap: objects missing or not yet arrived');
    const lastSequence = lastSequences(input.objects);
    expect(new Set(gapWarnings.map((l) => l.sourceTable))).toEqual(
      new Set([...lastSequence].filter(([, sequence]) => sequence > 1).map(([table]) => table)),
    );
    expect(pipeline.output.total(TransformMetric.SequenceGaps)).toBe([...lastSequence.values()].reduce((n, s) => n + s - 1, 0));
    const late = pipeline.output.logs().filter((l) => l.message === 'late object: sequence below the last processed, processed anyway');
    expect(late).toHaveLength(input.objects.length - lastSequence.size);
  });

  it('loaded after every object: older versions never overwrite newer ones', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects).reverse();
    for (const delivery of deliveries) {
      expect((await pipeline.lambda.invoke(delivery)).ok).toBe(true);
      const run = await pipeline.load();
      expect(run.summary).toMatchObject({ batchesLoaded: 1, batchesFailed: [] });
    }
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('two loaders at once', () => {
  it('while objects are being transformed: every batch loads exactly once, only complete ones are seen', async () => {
    await pipeline.begin();
    const runs: LoadRun[] = [];
    for (const delivery of pipeline.landAll(input.objects)) {
      // A transform publishing while two scheduled loaders overlap it and each other.
      const [invocation, ...loads] = await Promise.all([pipeline.lambda.invoke(delivery), pipeline.load(), pipeline.load()]);
      expect(invocation.ok).toBe(true);
      runs.push(...loads);
    }
    runs.push(await pipeline.load());
    for (const run of runs) {
      expect(run.error).toBeUndefined();
      expect(run.summary!.batchesFailed).toEqual([]);
      if (run.summary!.outcome === 'skipped') {
        expect(run.log.at('info').map((e) => e.message)).toContain('another loader is running; skipping this run');
      } else {
        expect(run.summary!.outcome).toBe('completed');
      }
    }
    expect(runs.reduce((n, run) => n + run.summary!.batchesLoaded, 0)).toBe(input.objects.length);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});

describe('an ingestion object missing from the sequence, then arriving late', () => {
  it('the gap is reported and stands in placeholders; when the object arrives the warehouse is whole', async () => {
    await pipeline.begin();
    const withheld = new Set([
      firstOf('address'), // counterparties and every fact's delivery location wait for it
      nthOf('sales_order', 2),
      nthOf('department', 2), // a rename that dim_staff must pick up
    ]);
    const deliveries = pipeline.landAll(input.objects.filter((object) => !withheld.has(object)));
    for (const outcome of await pipeline.deliver(deliveries)) expect(outcome.ok).toBe(true);
    const partial = await pipeline.load();
    expect(partial.summary!.batchesFailed).toEqual([]);
    expect(partial.summary!.placeholdersOutstanding.dim_location).toBeGreaterThan(0);
    expect(partial.metrics.total(LoadMetric.PlaceholdersOutstanding, 'dim_location')).toBeGreaterThan(0);
    const gaps = pipeline.output.logs().filter((l) => l.message === 'ingestion sequence gap: objects missing or not yet arrived');
    expect(gaps.map((l) => [l.sourceTable, l.missingSequences])).toEqual(
      expect.arrayContaining([
        ['address', 1],
        ['sales_order', 1],
        ['department', 1],
      ]),
    );
    expect(await pipeline.fingerprint()).not.toEqual(run.reference.warehouse);

    const late = pipeline.landAll([...withheld]);
    const outcomes = await pipeline.deliver(late);
    expect(outcomes.map((o) => o.ok && o.result.objects[0]!.late)).toEqual([true, true, true]);
    const rest = await pipeline.load();
    expect(rest.summary).toMatchObject({ batchesLoaded: 3, batchesFailed: [] });
    expect(Object.values(rest.summary!.placeholdersOutstanding).filter((count) => count !== 0)).toEqual([]);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
  });
});

function objectsOf(table: SourceTableName) {
  return input.objects.filter((object) => object.table === table);
}
function firstOf(table: SourceTableName) {
  return objectsOf(table)[0]!;
}
function nthOf(table: SourceTableName, sequence: number) {
  const object = objectsOf(table).find((o) => o.sequence === sequence);
  if (!object) throw new Error(`the input has no ${table} object ${sequence}`);
  return object;
}
function lastSequences(objects: typeof input.objects): Map<string, number> {
  const last = new Map<string, number>();
  for (const object of objects) last.set(object.table, Math.max(last.get(object.table) ?? 0, object.sequence));
  return last;
}
