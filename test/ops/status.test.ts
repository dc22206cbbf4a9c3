/**
 * `status` over a local-mode state built by the real pipeline, with a missing sequence, a
 * rejected row, an object that fails to transform and a batch committed but not loaded.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { FileParameterStore } from '../../local/adapters/file-parameter-store';
import { SEQUENCE_PARAMETER_PATH } from '../../local/run-pipeline';
import { runCli } from '../../ops/cli';
import { type PipelineStatus, collectStatus } from '../../ops/status';
import { type LocalState, AT, buildLocalState, captureIo, deleteObject, designRow, keyOf, putObject } from './support/local-state';

/** When the unloaded batch was committed, and when status looks. */
const COMMITTED_AT = Date.UTC(2024, 10, 20, 12, 0, 0);
const LOOKED_AT = COMMITTED_AT + 2 * 3600_000 + 5_000;

let state: LocalState;
let status: PipelineStatus;
let deletedKey: string;
let rejectedSourceKey: string;
let failingKey: string;
let pendingKey: string;

beforeAll(async () => {
  state = await buildLocalState(async (ingestion) => {
    // A gap: sequence 2 of sales_order never arrives.
    deletedKey = await keyOf(ingestion, 'sales_order', 2);
    await deleteObject(ingestion, deletedKey);
    // A rejected row among valid ones.
    rejectedSourceKey = await putObject(ingestion, 'design', 4, [designRow(9001), { ...designRow(9002), design_id: 'abc' }]);
    // Schema drift: the whole object fails to transform.
    failingKey = await putObject(ingestion, 'currency', 2, [{ currency_id: 4, currency_code: 'JPY', created_at: AT, last_updated: AT, symbol: '¥' }]);
  });
  // A batch committed but not loaded: transformed after the run, at a known time.
  pendingKey = await putObject(state.ingestion, 'design', 5, [designRow(9003)]);
  await transformObject(
    {
      ingestion: state.ingestion,
      processed: state.processed,
      layout: state.target.layout,
      parameters: new FileParameterStore(join(state.stateDir, 'parameters.json')),
      sequenceParameterPath: SEQUENCE_PARAMETER_PATH,
      log: silentLog,
      metrics: noMetrics,
      clock: () => COMMITTED_AT,
    },
    { key: pendingKey },
  );
  status = await collectStatus(state.target, { now: () => LOOKED_AT });
}, 180_000);

afterAll(async () => {
  await state?.dispose();
});

const tableStatus = (table: string) => status.tables.find((t) => t.table === table)!;

describe('status over a local-mode state', () => {
  it('the pipeline run behind it saw the failing object, the rejected row and the gap', () => {
    expect(state.firstRun.failedObjects.map((f) => f.key)).toEqual([failingKey]);
    expect(state.firstRun.transformed.find((t) => t.sourceKey === rejectedSourceKey)?.rowsRejected).toBe(1);
  });

  it('reports the last sequence ingested, transformed and loaded per table', () => {
    expect(tableStatus('sales_order')).toMatchObject({
      ingested: { objects: 2, lastSequence: 3, missing: [{ from: 2, to: 2 }] },
      transformed: { batches: 2, lastSequence: 3, parameterSequence: 3, notTransformed: [] },
      loaded: { batchesLoaded: 2, lastLoadedSequence: 3 },
      lag: { pendingBatches: 0, oldestAgeSeconds: null },
    });
    expect(tableStatus('design')).toMatchObject({
      ingested: { objects: 5, lastSequence: 5, missing: [] },
      transformed: { batches: 5, lastSequence: 5, parameterSequence: 5 },
      loaded: { batchesLoaded: 4, lastLoadedSequence: 4 },
    });
    expect(tableStatus('sales_order').loaded!.lastLoadedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('lists the object that failed to transform', () => {
    expect(tableStatus('currency').transformed).toMatchObject({ batches: 1, lastSequence: 1, notTransformed: [{ from: 2, to: 2 }] });
  });

  it('measures lag: batches committed but not loaded, and how long the oldest has waited', () => {
    expect(tableStatus('design').lag).toEqual({
      pendingBatches: 1,
      pending: [{ from: 5, to: 5 }],
      oldestTransformedAt: new Date(COMMITTED_AT).toISOString(),
      oldestAgeSeconds: 2 * 3600 + 5,
    });
  });

  it('sums rejected rows from the manifests and names the objects holding them', () => {
    expect(tableStatus('design').rejected).toEqual({
      rows: 1,
      objects: [{ sequence: 4, sourceKey: rejectedSourceKey, key: 'rejected/design/0000000004.jsonl', rows: 1 }],
    });
    expect(status.tables.filter((t) => t.table !== 'design').every((t) => t.rejected.rows === 0)).toBe(true);
  });

  it('lists what needs attention: the gap and the failed object, not lag or rejected rows', () => {
    expect(status.attention).toEqual([
      'currency: ingested but not transformed (failed, or still queued): 2',
      'sales_order: sequences missing from the ingestion bucket: 2',
    ]);
  });

  it('reads placeholders and rows from the warehouse', async () => {
    expect(status.warehouse.state).toBe('ok');
    if (status.warehouse.state !== 'ok') return;
    const [{ n }] = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM fact_sales_order');
    expect(status.warehouse.rows.fact_sales_order).toBe(n);
    expect(status.warehouse.placeholdersTotal).toBe(0);
  });

  it('counts placeholder rows outstanding per dimension', async () => {
    await state.query(
      `INSERT INTO dim_design (design_id, design_name, file_location, file_name, source_version, is_placeholder)
       VALUES (777, '(pending)', '(pending)', '(pending)', '', true)`,
    );
    try {
      const again = await collectStatus(state.target, { now: () => LOOKED_AT });
      expect(again.warehouse).toMatchObject({ state: 'ok', placeholdersOutstanding: { dim_design: 1, dim_staff: 0 }, placeholdersTotal: 1 });
    } finally {
      await state.query('DELETE FROM dim_design WHERE design_id = 777');
    }
  });

  it('prints a table and exits 1 because something needs attention; --json prints the same figures', async () => {
    const human = captureIo();
    expect(await runCli(['status', ...state.cliTarget], human.io, { now: () => LOOKED_AT })).toBe(1);
    const text = human.stdout.join('');
    expect(text).toMatch(/^sales_order\s+3\s+2\s+3\s+3\s+-\s+3\s+0\s+-\s+0$/m);
    expect(text).toMatch(/^design\s+5\s+-\s+5\s+5\s+-\s+4\s+1\s+2h 0m\s+1$/m);
    expect(text).toContain(`1 in ${rejectedSourceKey}: rejected/design/0000000004.jsonl`);
    expect(text).toContain('- sales_order: sequences missing from the ingestion bucket: 2');

    const machine = captureIo();
    expect(await runCli(['status', ...state.cliTarget, '--json'], machine.io, { now: () => LOOKED_AT })).toBe(1);
    const parsed = JSON.parse(machine.stdout.join('')) as PipelineStatus;
    expect(parsed.tables).toEqual(JSON.parse(JSON.stringify(status.tables)));
  });

  it('says when the warehouse cannot be read, and still reports the buckets', async () => {
    const io = captureIo();
    const code = await runCli(['status', '--local', '--state-dir', state.stateDir, '--database-url', 'postgres://nobody:secret@127.0.0.1:1/none', '--json'], io.io);
    expect(code).toBe(1);
    const parsed = JSON.parse(io.stdout.join('')) as PipelineStatus;
    expect(parsed.warehouse.state).toBe('unreachable');
    expect(parsed.tables.find((t) => t.table === 'sales_order')).toMatchObject({ ingested: { lastSequence: 3 }, loaded: null, lag: null });
    expect(io.stdout.join('')).not.toContain('secret');
  });
});
