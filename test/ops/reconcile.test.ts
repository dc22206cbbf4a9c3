/**
 * `reconcile` over local-mode states built by the real pipeline: totals agree with the
 * generated history (counted independently) and with the warehouse's own sums; every kind
 * of injected difference is found, named, and makes the command exit 1.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessedLayout } from '../../lambdas/core/layout';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { distinctVersions } from '../../local/generator';
import { runCli } from '../../ops/cli';
import { formatUnscaled } from '../../ops/decimal';
import { type Reconciliation, reconcile } from '../../ops/reconcile/reconcile';
import { type LocalState, buildLocalState, captureIo, designRow, keyOf, putObject } from './support/local-state';

let state: LocalState | undefined;

afterEach(async () => {
  await state?.dispose();
  state = undefined;
});

const fact = (result: Reconciliation, table: string) => result.facts.find((f) => f.table === table)!;
const dimension = (result: Reconciliation, table: string) => result.dimensions.find((d) => d.table === table)!;

describe('reconcile on a consistent pipeline', () => {
  it('finds no difference, and every stage carries the versions and money the history produced', async () => {
    state = await buildLocalState();
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([]);
    expect(result.pendingBatches).toBe(0);

    const salesVersions = distinctVersions(state.history.runs, 'sales_order');
    const salesMoney = formatUnscaled(salesVersions.reduce((sum, row) => sum + (row.unit_price as bigint), 0n), 2);
    const [warehouse] = await state.query<{ n: number; total: string }>(
      'SELECT count(*)::int AS n, sum(unit_price)::text AS total FROM fact_sales_order',
    );
    expect(warehouse).toEqual({ n: salesVersions.length, total: salesMoney });
    const landed = state.history.runs.reduce((n, run) => n + run.tables.sales_order.length, 0);
    expect(fact(result, 'fact_sales_order')).toEqual({
      table: 'fact_sales_order',
      source: 'sales_order',
      moneyColumns: ['unit_price'],
      sourceObjects: { objects: 3, rowsIn: landed, rowsRejected: 0, versions: salesVersions.length, money: [salesMoney] },
      parquet: { batches: 3, rows: landed, versions: salesVersions.length, money: [salesMoney] },
      loaded: { batches: 3, versions: salesVersions.length, money: [salesMoney] },
      warehouse: { rows: salesVersions.length, money: [salesMoney] },
    });

    const payments = distinctVersions(state.history.runs, 'payment');
    const paymentMoney = formatUnscaled(payments.reduce((sum, row) => sum + (row.payment_amount as bigint), 0n), 2);
    expect(fact(result, 'fact_payment').warehouse).toEqual({ rows: payments.length, money: [paymentMoney] });
    expect(fact(result, 'fact_payment').sourceObjects.money).toEqual([paymentMoney]);

    const staff = state.history.final.tables.staff.length;
    expect(dimension(result, 'dim_staff')).toEqual({
      table: 'dim_staff', source: 'staff', sourceIds: staff, parquetIds: staff, loadedIds: staff, warehouseRows: staff, placeholders: 0,
    });
    const [dates] = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM dim_date');
    expect(dimension(result, 'dim_date')).toMatchObject({ sourceIds: null, loadedIds: dates!.n, warehouseRows: dates!.n });

    const io = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget], io.io)).toBe(0);
    const text = io.stdout.join('');
    expect(text).toMatch(new RegExp(`^fact_sales_order\\s+source objects\\s+3\\s+${landed}\\s+0\\s+${salesVersions.length}\\s+unit_price ${salesMoney.replace('.', '\\.')}$`, 'm'));
    expect(text).toMatch(new RegExp(`^\\s+warehouse\\s+${salesVersions.length}\\s+unit_price ${salesMoney.replace('.', '\\.')}$`, 'm'));
    expect(text).toContain('No differences.');
  });

  it('counts rejected rows on the source side without calling them a difference, and leaves pending batches out', async () => {
    state = await buildLocalState(async (ingestion) => {
      // A real row, once valid under a new id and once with money of three decimals; and a line that is not JSON.
      const bytes = await ingestion.getBytes(await keyOf(ingestion, 'sales_order', 1));
      const row = JSON.parse(new TextDecoder().decode(bytes!).split('\n')[0]!) as Record<string, unknown>;
      await putObject(ingestion, 'sales_order', 4, [
        { ...row, sales_order_id: 90_001 },
        { ...row, sales_order_id: 90_002, unit_price: '3.145' },
        '{not json',
      ]);
    });
    await putObject(state.ingestion, 'design', 4, [designRow(9100)]);
    await state.rerun(); // transforms design 4 and loads it …
    await putObject(state.ingestion, 'design', 5, [designRow(9101)]);
    await transformObject(
      { ...state.target, log: silentLog, metrics: noMetrics },
      { key: await keyOf(state.ingestion, 'design', 5) },
    ); // … and design 5 only transformed
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([]);
    expect(result.pendingBatches).toBe(1);
    expect(fact(result, 'fact_sales_order').sourceObjects).toMatchObject({ objects: 4, rowsRejected: 2 });
    expect(fact(result, 'fact_sales_order').sourceObjects.versions).toBe(fact(result, 'fact_sales_order').warehouse.rows);
    expect(dimension(result, 'dim_design')).toMatchObject({ parquetIds: dimension(result, 'dim_design').loadedIds + 1 });
  });
});

describe('reconcile finds injected differences', () => {
  it('a fact version deleted from the warehouse', async () => {
    state = await buildLocalState();
    const [row] = await state.query<{ sales_order_id: number; source_batch: string; unit_price: string }>(
      'DELETE FROM fact_sales_order WHERE sales_record_id = (SELECT max(sales_record_id) FROM fact_sales_order) RETURNING sales_order_id, source_batch, unit_price::text',
    );
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([
      {
        table: 'fact_sales_order',
        where: '1 row',
        problem: `versions of loaded batch ${row!.source_batch} missing from the warehouse: sales_order_id ${row!.sales_order_id}`,
      },
    ]);
    const totals = fact(result, 'fact_sales_order');
    expect(totals.warehouse.rows).toBe(totals.loaded.versions - 1);

    const io = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget], io.io)).toBe(1);
    expect(io.stdout.join('')).toContain(
      `1 difference(s):\n  - fact_sales_order 1 row: versions of loaded batch ${row!.source_batch} missing from the warehouse: sales_order_id ${row!.sales_order_id}\n`,
    );
  });

  it('a money value changed in the warehouse, and a row no batch holds', async () => {
    state = await buildLocalState();
    const [changed] = await state.query<{ payment_id: number; before: string }>(
      `WITH target AS (SELECT payment_record_id, payment_amount FROM fact_payment ORDER BY payment_record_id LIMIT 1)
       UPDATE fact_payment f SET payment_amount = f.payment_amount + 0.01 FROM target
       WHERE f.payment_record_id = target.payment_record_id RETURNING f.payment_id, target.payment_amount::text AS before`,
    );
    await state.query(
      `INSERT INTO fact_payment (payment_id, created_date, created_time, last_updated_date, last_updated_time, transaction_id,
         counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date, version_hash, source_batch, source_sequence)
       SELECT 999999, created_date, created_time, last_updated_date, last_updated_time, transaction_id, counterparty_id,
         payment_amount, currency_id, payment_type_id, paid, payment_date, 'ffffffffffffffffffffffffffffffff', 'payment/0000000099', 99
       FROM fact_payment ORDER BY payment_record_id DESC LIMIT 1`,
    );
    const result = await reconcile(state.target);
    const before = changed!.before;
    const after = formatUnscaled(BigInt(before.replace('.', '')) + 1n, 2);
    expect(result.differences).toEqual([
      {
        table: 'fact_payment',
        where: '1 row',
        problem: `payment_amount differs from the batch's value: payment_id ${changed!.payment_id}: ${after} vs ${before}`,
      },
      {
        table: 'fact_payment',
        where: '1 row',
        problem: 'versions in the warehouse (payment/0000000099) that no loaded batch holds: payment_id 999999',
      },
    ]);
  });

  it('a dimension row behind the newest version loaded, and one missing', async () => {
    state = await buildLocalState();
    await state.query(`UPDATE dim_location SET source_version = '0' WHERE location_id = 1`);
    // A design no fact references (so its foreign keys allow the delete).
    const [deleted] = await state.query<{ design_id: number }>(
      `DELETE FROM dim_design WHERE design_id = (SELECT min(design_id) FROM dim_design d
         WHERE NOT EXISTS (SELECT 1 FROM fact_sales_order f WHERE f.design_id = d.design_id)) RETURNING design_id`,
    );
    const result = await reconcile(state.target);
    expect(result.differences.map((d) => `${d.table} ${d.where}: ${d.problem}`)).toEqual([
      'dim_location 1 row: rows not at the newest version loaded: 1',
      `dim_design 1 row: rows of loaded batches missing from the warehouse: ${deleted!.design_id}`,
    ]);
    expect(dimension(result, 'dim_design').warehouseRows).toBe(dimension(result, 'dim_design').loadedIds - 1);
  });

  it('an object never transformed, an object changed since, and a damaged Parquet file', async () => {
    state = await buildLocalState();
    const lateKey = await putObject(state.ingestion, 'design', 4, [designRow(9200)]);
    const changedKey = await keyOf(state.ingestion, 'design', 2);
    await state.ingestion.put(changedKey, `${JSON.stringify(designRow(9300))}\n`);
    const layout = new ProcessedLayout();
    const damaged = layout.batchFile('payment', 1, 'fact_payment');
    await writeFile(state.processed.pathOf(damaged), 'not parquet');
    const result = await reconcile(state.target);
    const problems = result.differences.map((d) => `${d.table} ${d.where}: ${d.problem}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        `design ${lateKey}: not transformed; see the transform log or DLQ, then replay it`,
        `design ${changedKey}: the object changed since its batch was built (ETag differs); replay it`,
      ]),
    );
    expect(problems.some((p) => p.startsWith(`payment batch payment/0000000001: file ${damaged} is not readable Parquet`))).toBe(true);
    // The facts of the unreadable file are then missing on the Parquet side, so the warehouse holds versions no batch can vouch for.
    expect(problems.some((p) => p.startsWith('fact_payment ') && p.includes('that no loaded batch holds'))).toBe(true);
  });
});
