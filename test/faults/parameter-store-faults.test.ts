/**
 * SSM Parameter Store failing the Transform Lambda. The transform records the processed
 * sequence after committing the batch, so a failure there fails the invocation with the
 * batch already published: the loader may load it at once, and the re-delivery is skipped
 * as already processed but still records the sequence. Nothing is lost or duplicated, the
 * sequence parameters end as in a fault-free run, and every failure shows.
 */
import { describe, expect, it } from 'vitest';
import { TransformMetric } from '../../lambdas/core/metric-names';
import { awsErrors } from './support/aws-faults';
import { useReferenceRun } from './support/reference-run';

const run = useReferenceRun();
const { input, pipeline } = run;

function failedObjects(errorName: string): unknown[] {
  return pipeline.output
    .errors()
    .filter((l) => l.message === 'transform failed' && l.errorName === errorName)
    .map((l) => l.sourceKey);
}

describe('Parameter Store errors', () => {
  it('reading the sequence throttled, then writing it failing (500): each retry is skipped and repairs the sequence', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    for (const [index, delivery] of deliveries.entries()) {
      pipeline.ssmFaults.inject(
        index % 2 === 0
          ? { command: 'GetParameterCommand', times: 1, effect: { kind: 'error', error: awsErrors.ssmThrottling } }
          : { command: 'PutParameterCommand', times: 1, effect: { kind: 'error', error: awsErrors.ssmInternalServerError } },
      );
      const first = await pipeline.lambda.invoke(delivery);
      expect(first.ok).toBe(false);
      // The batch was committed before the sequence: a loader running now may take it.
      if (index % 7 === 0) expect((await pipeline.load()).summary!.batchesFailed).toEqual([]);
      // The put fault may be left over when the sequence did not need writing; it must not hit the retry.
      pipeline.ssmFaults.dropRules();
      const retried = await pipeline.lambda.invoke(delivery);
      expect(retried).toMatchObject({ ok: true, result: { objects: [{ outcome: 'skipped' }] } });
    }
    expect(failedObjects('ThrottlingException')).toHaveLength(Math.ceil(deliveries.length / 2));
    expect(failedObjects('InternalServerError')).toHaveLength(Math.floor(deliveries.length / 2));
    expect(pipeline.output.total(TransformMetric.ObjectsFailed)).toBe(deliveries.length);
    expect(pipeline.output.total(TransformMetric.ObjectsSkipped)).toBe(deliveries.length);

    expect((await pipeline.load()).summary!.batchesFailed).toEqual([]);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
  });

  it('down for the whole history, then back: batches load meanwhile, and re-deliveries restore every sequence', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    pipeline.ssmFaults.inject({ command: 'GetParameterCommand', effect: { kind: 'error', error: awsErrors.ssmInternalServerError } });
    for (const outcome of await pipeline.deliver(deliveries)) expect(outcome.ok).toBe(false);
    expect(pipeline.parameters()).toEqual(new Map());
    expect(failedObjects('InternalServerError')).toHaveLength(deliveries.length);
    expect((await pipeline.load()).summary).toMatchObject({ batchesLoaded: deliveries.length, batchesFailed: [] });
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);

    pipeline.ssmFaults.dropRules();
    for (const outcome of await pipeline.deliver(deliveries)) {
      expect(outcome).toMatchObject({ ok: true, result: { objects: [{ outcome: 'skipped' }] } });
    }
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
    expect((await pipeline.load()).summary!.batchesLoaded).toBe(0);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});
