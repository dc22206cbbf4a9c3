/**
 * `replay` over a local-mode state: re-transforming objects already processed changes
 * nothing in the warehouse, even after a load; an object whose transform failed is
 * processed once it is fixed and then loads; errors are clear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchManifest, ProcessedLayout } from '../../lambdas/core/layout';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { acquireTransformLock } from '../../lambdas/core/transform/transform-lock';
import { runCli } from '../../ops/cli';
import { ReplayRangeError, replayTransform } from '../../ops/replay';
import { collectStatus } from '../../ops/status';
import { type LocalState, AT, buildLocalState, captureIo, putObject } from './support/local-state';

let state: LocalState;
let failingKey: string;

/** Everything an analyst could see change: rows, values, versions and load times. */
async function warehouseFingerprint(): Promise<unknown[]> {
  return state.query(`SELECT
    (SELECT count(*)::int FROM fact_sales_order) AS sales,
    (SELECT md5(string_agg(concat_ws('|', sales_order_id, version_hash, unit_price, source_batch, loaded_at), ',' ORDER BY sales_record_id)) FROM fact_sales_order) AS sales_rows,
    (SELECT md5(string_agg(concat_ws('|', payment_record_id, payment_id, version_hash, payment_amount, loaded_at), ',' ORDER BY payment_record_id)) FROM fact_payment) AS payments,
    (SELECT md5(string_agg(concat_ws('|', staff_id, department_name, location, source_version, loaded_at), ',' ORDER BY staff_id)) FROM dim_staff) AS staff,
    (SELECT md5(string_agg(concat_ws('|', counterparty_id, counterparty_legal_address_line_1, source_version, loaded_at), ',' ORDER BY counterparty_id)) FROM dim_counterparty) AS counterparties,
    (SELECT count(*)::int FROM dim_date) AS dates,
    (SELECT count(*)::int FROM etl_control.loaded_batch) AS batches`);
}

async function manifest(table: 'sales_order' | 'staff' | 'currency', sequence: number): Promise<BatchManifest | undefined> {
  const bytes = await state.processed.getBytes(new ProcessedLayout().manifest(table, sequence));
  return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as BatchManifest);
}

beforeAll(async () => {
  state = await buildLocalState(async (ingestion) => {
    failingKey = await putObject(ingestion, 'currency', 2, [
      { currency_id: 4, currency_code: 'JPY', created_at: AT, last_updated: AT, symbol: '¥' },
    ]);
  });
}, 180_000);

afterAll(async () => {
  await state?.dispose();
});

describe('replay of objects already processed', () => {
  it('transforms every object in the range again, and the warehouse is unchanged after a load', async () => {
    const before = await warehouseFingerprint();
    const manifestBefore = await manifest('sales_order', 2);
    const result = await replayTransform(state.target, { table: 'sales_order', from: 1 });
    expect(result.to).toBe(3);
    expect(result.objects.map((o) => [o.sequence, o.outcome, o.wasCommitted, o.loaded])).toEqual([
      [1, 'processed', true, true],
      [2, 'processed', true, true],
      [3, 'processed', true, true],
    ]);
    // Rebuilt, not skipped: a new commit time, the same content and the object's real ETag.
    const manifestAfter = await manifest('sales_order', 2);
    expect(manifestAfter!.transformedAt).not.toBe(manifestBefore!.transformedAt);
    expect({ ...manifestAfter, transformedAt: '' }).toEqual({ ...manifestBefore, transformedAt: '' });

    expect(await state.target.startLoad()).toEqual({ report: 'load: 0 batch(es) loaded, 0 still pending', ok: true });
    expect(await warehouseFingerprint()).toEqual(before);
  });

  it('replays joined dimensions too (staff joins department) without moving the warehouse', async () => {
    const before = await warehouseFingerprint();
    const result = await replayTransform(state.target, { table: 'staff', from: 1, to: 2 });
    expect(result.objects.map((o) => [o.sequence, o.outcome])).toEqual([
      [1, 'processed'],
      [2, 'processed'],
    ]);
    await state.target.startLoad();
    expect(await warehouseFingerprint()).toEqual(before);
  });

  it('locally, waits for a transform of the same join group running elsewhere (npm start), then replays', async () => {
    const other = await acquireTransformLock(
      { store: state.processed, layout: state.target.layout, log: silentLog, holder: 'npm start, another process' },
      'department',
    );
    const released = new Promise<number>((resolve) => setTimeout(() => void other.release().then(() => resolve(Date.now())), 700));
    const result = await replayTransform(state.target, { table: 'staff', from: 1, to: 1 });
    const finished = Date.now();
    expect(result.objects.map((o) => o.outcome)).toEqual(['processed']);
    expect(finished).toBeGreaterThanOrEqual(await released);
    const lease = JSON.parse(new TextDecoder().decode(await state.processed.getBytes('state/locks/staff-department.json')));
    expect(lease).toMatchObject({ released: true });
    expect(lease.holder).toMatch(/^ops replay, .+ pid \d+ \([0-9a-f]{8}\)$/);
  });

  it('leaves manifests a later re-delivery still recognises (it is skipped)', async () => {
    const key = (await replayTransform(state.target, { table: 'sales_order', from: 3, to: 3 })).objects[0]!.key;
    const summary = await transformObject(
      {
        ingestion: state.ingestion,
        processed: state.processed,
        layout: state.target.layout,
        parameters: state.target.parameters,
        sequenceParameterPath: state.target.sequenceParameterPath,
        log: silentLog,
        metrics: noMetrics,
      },
      { key },
    );
    expect(summary.outcome).toBe('skipped');
  });

  it('changes nothing with --dry-run', async () => {
    const before = await manifest('sales_order', 1);
    const io = captureIo();
    expect(await runCli(['replay', ...state.cliTarget, '--table', 'sales_order', '--from', '1', '--to', '2', '--dry-run'], io.io)).toBe(0);
    expect(io.stdout.join('')).toMatch(
      /^Would replay sales_order sequences 1-2: 2 object\(s\)\n.*0000000001_.*: would transform; had a batch, already loaded/m,
    );
    expect(await manifest('sales_order', 1)).toEqual(before);
  });
});

describe('replay of an object whose transform failed', () => {
  it('fails again while the object is bad, and exits 1', async () => {
    const io = captureIo();
    expect(await runCli(['replay', ...state.cliTarget, '--table', 'currency', '--from', '2'], io.io)).toBe(1);
    expect(io.stdout.join('')).toContain(`${failingKey}: FAILED: cannot process ingestion object "${failingKey}"`);
    expect(await manifest('currency', 2)).toBeUndefined();
  });

  it('processes it once fixed, and --load puts its rows in the warehouse', async () => {
    await state.ingestion.put(
      failingKey,
      `${JSON.stringify({ currency_id: 4, currency_code: 'JPY', created_at: AT, last_updated: AT })}\n`,
    );
    const io = captureIo();
    expect(await runCli(['replay', ...state.cliTarget, '--table', 'currency', '--from', '2', '--load'], io.io)).toBe(0);
    const text = io.stdout.join('');
    expect(text).toContain(`${failingKey}: transformed (1 lines, 0 rejected; dim_currency 1); had no batch, not loaded yet`);
    expect(text).toContain('load: 1 batch(es) loaded, 0 still pending');
    expect(await state.query('SELECT currency_id, currency_code, currency_name FROM dim_currency WHERE currency_id = 4')).toEqual([
      { currency_id: 4, currency_code: 'JPY', currency_name: 'Japanese Yen' },
    ]);
    const status = await collectStatus(state.target);
    expect(status.attention).toEqual([]);
  });
});

describe('replay errors', () => {
  it('refuses a range with no ingestion objects', async () => {
    await expect(replayTransform(state.target, { table: 'sales_order', from: 7, to: 9 })).rejects.toThrow(
      new ReplayRangeError('no ingestion objects of sales_order with sequences 7-9 (the bucket holds 1-3)'),
    );
    const io = captureIo();
    expect(await runCli(['replay', ...state.cliTarget, '--table', 'sales_order', '--from', '7'], io.io)).toBe(1);
    expect(io.stderr.join('')).toContain('error: no ingestion objects of sales_order from sequence 7 on (the bucket holds 1-3)');
  });

  it.each([
    [['--table', 'salesorder', '--from', '1'], 'error: unknown table "salesorder"; the source tables are address, counterparty'],
    [['--table', 'sales_order', '--from', '3', '--to', '2'], 'error: --to 2 is below --from 3'],
    [['--table', 'sales_order', '--from', '0'], 'error: --from must be a sequence number from 1 to 9999999999, not "0"'],
    [['--table', 'sales_order'], 'error: replay needs --from N'],
    [['--dlq', 'transform'], 'error: local mode has no dead-letter queues'],
    [['--dlq', 'transform', '--table', 'sales_order'], 'error: --table does not apply with --dlq'],
  ])('exits 2 for %j', async (args, message) => {
    const io = captureIo();
    expect(await runCli(['replay', ...state.cliTarget, ...args], io.io)).toBe(2);
    expect(io.stderr.join('')).toContain(message);
    expect(io.stderr.join('')).toContain('Usage: npm run ops -- replay');
  });
});
