/**
 * Lambda timeouts in the middle of a transform and of a load. At a timeout Lambda stops
 * the invocation wherever it is and resets the runtime: simulated here by a call that
 * never returns (an S3 write, an SSM read, a database statement), after which the test
 * abandons the invocation and carries on with a new container, as Lambda would. Nothing
 * half-written may become visible to the loader, and re-delivery (or the next scheduled
 * load) must end at the fault-free warehouse.
 */
import { describe, expect, it } from 'vitest';
import { LoadMetric } from '../../lambdas/core/metric-names';
import { padSequence } from '../../lambdas/core/layout';
import type { FaultRule } from './support/aws-faults';
import { type ConnectionFault, FaultyConnections } from './support/database-faults';
import { useReferenceRun } from './support/reference-run';
import { RecordingMetrics } from '../support/recorders';
import { type StopPoint, spreadStops, writeKind } from './support/stop-points';
import type { Delivery } from './support/transform-lambda';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const run = useReferenceRun();
const { input, pipeline } = run;

const TIMED_OUT = 'timed out' as const;

/** A rule that makes the planned call never return. */
function hangAt(stop: StopPoint): FaultRule {
  if (stop.kind === 'sequence') return { command: 'GetParameterCommand', times: 1, effect: { kind: 'hang' } };
  return { command: 'PutObjectCommand', when: (i) => i.Key === stop.key, times: 1, effect: { kind: 'hang' } };
}

describe('a Lambda timeout in the middle of a transform', () => {
  it('at each kind of write: the dead attempt publishes no batch, and its retry after later objects completes it', async () => {
    await pipeline.begin();
    const deliveries = pipeline.landAll(input.objects);
    const stops = spreadStops(run.reference.writes, { sequence: true });
    let awaitingRetry: Delivery[] = [];
    const timedOut: string[] = [];
    for (const [index, delivery] of deliveries.entries()) {
      const object = input.objects[index]!;
      const faults = stops[index]!.kind === 'sequence' ? pipeline.ssmFaults : pipeline.s3Faults;
      faults.inject(hangAt(stops[index]!));
      const hung = faults.nextHang().then(() => TIMED_OUT);
      const outcome = await Promise.race([pipeline.lambda.invoke(delivery), hung]);
      faults.dropRules();
      if (outcome !== TIMED_OUT) {
        // Earlier objects still awaiting their retry can change what this one writes (a
        // staff object waits for its department): then the planned write never came.
        expect(outcome).toMatchObject({ ok: true });
        continue;
      }
      timedOut.push(delivery.key);
      await pipeline.lambda.newContainer();
      pipeline.expireTransformLeases();
      const batch = `${object.table}|${object.sequence}|${object.key}`;
      if (stops[index]!.kind !== 'sequence') {
        // Stopped before its manifest: a loader running now sees nothing of the batch.
        expect(pipeline.processedKeys(`manifests/${object.table}/${padSequence(object.sequence)}`)).toEqual([]);
        const run = await pipeline.load();
        expect(run.summary!.batchesFailed).toEqual([]);
        expect((await pipeline.fingerprint()).loaded_batches).not.toContain(batch);
      }
      // Lambda retries the event a minute or two later, after other objects.
      awaitingRetry.push(delivery);
      if (awaitingRetry.length === 3) {
        for (const retry of await pipeline.deliver(awaitingRetry)) expect(retry.ok).toBe(true);
        awaitingRetry = [];
      }
    }
    for (const retry of await pipeline.deliver(awaitingRetry)) expect(retry.ok).toBe(true);

    const stoppedAt = [
      ...pipeline.s3Faults.injected.map((f) => writeKind(String(f.input.Key))),
      ...pipeline.ssmFaults.injected.map(() => 'sequence'),
    ];
    expect(new Set(stoppedAt)).toEqual(new Set(['batches', 'state', 'manifests', 'sequence']));
    expect(timedOut.length).toBeGreaterThan(input.objects.length / 2);
    // Visible: each timed-out attempt logged its start but no end (Lambda reports the timeout itself);
    // the retry completed it, or found it committed (stopped at SSM) and skipped it.
    const logs = pipeline.output.logs();
    const ends = ['transform completed', 'object already processed: skipped', 'transform failed'];
    for (const key of timedOut) {
      expect(logs.filter((l) => l.message === 'transform started' && l.sourceKey === key)).toHaveLength(2);
      expect(logs.filter((l) => ends.includes(l.message) && l.sourceKey === key).map((l) => l.message)).toHaveLength(1);
    }

    expect((await pipeline.load()).summary!.batchesFailed).toEqual([]);
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
    expect(pipeline.parameters()).toEqual(run.reference.parameters);
  });
});

describe('a Lambda timeout in the middle of a load', () => {
  it('dying at a different point each run: committed batches stay, the rest load exactly once', async () => {
    await pipeline.begin();
    for (const outcome of await pipeline.deliver(pipeline.landAll(input.objects))) expect(outcome.ok).toBe(true);
    const admin = newPostgresClient(pipeline.databaseUrl);
    await admin.connect();
    try {
      const connections = new FaultyConnections(pipeline.databaseUrl, admin);
      const nth = (pattern: RegExp, n: number) => {
        let seen = 0;
        return (sql: string) => pattern.test(sql) && ++seen === n;
      };
      // One run dies at each of these; the run after the last finishes the work.
      const deaths: ConnectionFault[] = [
        { mode: 'vanish', at: nth(/CREATE TABLE/, 3) }, // in the middle of the first migration
        { mode: 'vanish', at: nth(/^COPY /, 3) }, // streaming a Parquet file into staging
        { mode: 'vanish', at: nth(/^COMMIT$/, 4) }, // just before committing a batch
        { mode: 'vanish-after-send', at: nth(/^COMMIT$/, 2) }, // COMMIT sent, its reply never read
        { mode: 'vanish', at: nth(/^\s*INSERT INTO \S*"dim_/, 5) }, // upserting a dimension
        { mode: 'vanish', at: nth(/^\s*UPDATE \S*loaded_batch/, 3) }, // completing the ledger row
        { mode: 'vanish-after-send', at: nth(/^\s*INSERT INTO \S*"fact_/, 2) }, // appending facts
      ];
      for (const [index, fault] of deaths.entries()) {
        for (let attempt = 1; ; attempt++) {
          const strike = connections.nextStrike();
          const metrics = new RecordingMetrics();
          const run = pipeline.load({ connect: connections.connector(fault), metrics });
          const outcome = await Promise.race([run, strike.then(() => TIMED_OUT)]);
          // Until the server has noticed the last dead session, it holds the run lock: such a run skips.
          if (outcome !== TIMED_OUT && outcome.summary?.outcome === 'skipped' && attempt < 50) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          expect(outcome, `run ${index + 1} was meant to die`).toBe(TIMED_OUT);
          // A dead run reports nothing; the WarehouseStale alarm counts on LoadSucceeded going missing.
          expect(metrics.points).toEqual([]);
          break;
        }
      }
      const final = await pipeline.loadUntilDone();
      expect(final.at(-1)!.metrics.total(LoadMetric.LoadSucceeded)).toBe(1);
    } finally {
      await admin.end();
    }
    expect(await pipeline.fingerprint()).toEqual(run.reference.warehouse);
  });
});
