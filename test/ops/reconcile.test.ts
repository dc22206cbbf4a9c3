/**
 * `reconcile` over local-mode states built by the real pipeline: totals agree with the
 * generated history (counted independently) and with the warehouse's own sums; every kind
 * of injected difference is found, named, and makes the command exit 1.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessedLayout, parseIngestionKey } from '../../lambdas/core/layout';
import { readParquetColumns } from '../../lambdas/core/parquet/reader';
import { ParquetTableWriter } from '../../lambdas/core/parquet/writer';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import { WAREHOUSE_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { distinctVersions } from '../../local/generator';
import { runCli } from '../../ops/cli';
import { formatUnscaled } from '../../lambdas/core/money';
import { type Reconciliation, reconcile } from '../../ops/reconcile/reconcile';
import { type LocalState, buildLocalState, captureIo, designRow, keyOf, putObject, STAFF_WITHOUT_DEPARTMENT } from './support/local-state';

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
    const salesMoney = formatUnscaled(
      salesVersions.reduce((sum, row) => sum + (row.unit_price as bigint), 0n),
      2,
    );
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
    const paymentMoney = formatUnscaled(
      payments.reduce((sum, row) => sum + (row.payment_amount as bigint), 0n),
      2,
    );
    expect(fact(result, 'fact_payment').warehouse).toEqual({ rows: payments.length, money: [paymentMoney] });
    expect(fact(result, 'fact_payment').sourceObjects.money).toEqual([paymentMoney]);

    const staff = state.history.final.tables.staff.length;
    expect(dimension(result, 'dim_staff')).toEqual({
      table: 'dim_staff',
      source: 'staff',
      sourceIds: staff,
      parquetIds: staff,
      loadedIds: staff,
      warehouseRows: staff,
      placeholders: 0,
      sourceIdsNotReached: 0,
    });
    const [dates] = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM dim_date');
    expect(dimension(result, 'dim_date')).toMatchObject({ sourceIds: null, loadedIds: dates!.n, warehouseRows: dates!.n });

    const io = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget], io.io)).toBe(0);
    const text = io.stdout.join('');
    expect(text).toMatch(
      new RegExp(
        `^fact_sales_order\\s+source objects\\s+3\\s+${landed}\\s+0\\s+${salesVersions.length}\\s+unit_price ${salesMoney.replace('.', '\\.')}$`,
        'm',
      ),
    );
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
    await transformObject({ ...state.target, log: silentLog, metrics: noMetrics }, { key: await keyOf(state.ingestion, 'design', 5) }); // … and design 5 only transformed
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

  it('batches loaded before versions put the sequence first agree with the migrated warehouse', async () => {
    state = await buildLocalState();
    // Rewrite every dim_location file as the previous release wrote it: `<last_updated>.<sequence>`.
    let rewritten = 0;
    for await (const { key } of state.processed.list('batches/address/')) {
      if (!key.endsWith('/dim_location.parquet')) continue;
      const bytes = (await state.processed.getBytes(key))!;
      const { rowCount, columns, metadata } = await readParquetColumns(bytes);
      const writer = new ParquetTableWriter(WAREHOUSE_TABLES.dim_location);
      for (let row = 0; row < rowCount; row++) {
        writer.append(
          WAREHOUSE_TABLES.dim_location.columns.map((column) => {
            const value = columns.get(column.name)![row] as CellValue;
            return column.name === 'source_version' ? (value as string).replace(/^(\d{10})\.(\d{8}T\d{9})$/, '$2.$1') : value;
          }),
        );
      }
      await state.processed.put(key, writer.finish(metadata));
      rewritten++;
    }
    expect(rewritten).toBeGreaterThan(0);
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([]);
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

  it('a source id that never reached its dimension: a staff member whose department never arrived', async () => {
    state = await buildLocalState(async (ingestion) => {
      let last = 0;
      for await (const object of ingestion.list('staff/')) last = Math.max(last, parseIngestionKey(object.key).sequence);
      await putObject(ingestion, 'staff', last + 1, [STAFF_WITHOUT_DEPARTMENT]);
    });
    expect(await state.query('SELECT staff_id FROM dim_staff WHERE staff_id = 7777')).toEqual([]);
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([
      {
        table: 'dim_staff',
        where: '1 row',
        problem:
          'staff ids ingested that never reached the dimension (no batch holds them): staff_id 7777 (waits in join state for department_id 9999, which never arrived)',
      },
    ]);
    const staff = state.history.final.tables.staff.length;
    expect(dimension(result, 'dim_staff')).toMatchObject({
      sourceIds: staff + 1,
      parquetIds: staff,
      warehouseRows: staff,
      sourceIdsNotReached: 1,
    });
    expect(dimension(result, 'dim_date').sourceIdsNotReached).toBeNull();

    const io = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget], io.io)).toBe(1);
    const text = io.stdout.join('');
    expect(text).toMatch(new RegExp(`^dim_staff\\s+${staff + 1} \\(staff\\)\\s+${staff}\\s+${staff}\\s+${staff}\\s+0\\s+1$`, 'm'));
    expect(text).toContain('  - dim_staff 1 row: staff ids ingested that never reached the dimension (no batch holds them): staff_id 7777');
    const json = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget, '--json'], json.io)).toBe(1);
    expect((JSON.parse(json.stdout.join('')) as Reconciliation).dimensions.find((d) => d.table === 'dim_staff')).toMatchObject({
      sourceIdsNotReached: 1,
    });
  });

  it('a newer version that never reached its dimension: a known staff member moved to a department that never arrived', async () => {
    let staffId = 0;
    state = await buildLocalState(async (ingestion) => {
      const first = JSON.parse(
        new TextDecoder().decode(await ingestion.getBytes(await keyOf(ingestion, 'staff', 1))).split('\n')[0]!,
      ) as Record<string, unknown>;
      staffId = first.staff_id as number;
      let last = 0;
      for await (const object of ingestion.list('staff/')) last = Math.max(last, parseIngestionKey(object.key).sequence);
      await putObject(
        ingestion,
        'staff',
        last + 1,
        [{ ...first, department_id: 9999, last_updated: '2099-01-01 00:00:00.000' }],
        '20990101T000000000',
      );
    });
    const [kept] = await state.query<{ department_name: string }>('SELECT department_name FROM dim_staff WHERE staff_id = $1', [staffId]);
    expect(kept!.department_name).not.toBe('(pending)');
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([
      {
        table: 'dim_staff',
        where: '1 row',
        problem: `staff rows whose newest version never reached the dimension (it keeps the previous one): staff_id ${staffId} (waits in join state for department_id 9999, which never arrived)`,
      },
    ]);
    expect(dimension(result, 'dim_staff').sourceIdsNotReached).toBe(0);
  });

  it('a source id whose object was never transformed is named without a join-state reason', async () => {
    state = await buildLocalState();
    const lateKey = await putObject(state.ingestion, 'design', 4, [designRow(9200)]);
    const result = await reconcile(state.target);
    expect(result.differences.map((d) => `${d.table} ${d.where}: ${d.problem}`)).toEqual([
      `design ${lateKey}: not transformed; see the transform log or DLQ, then replay it`,
      'dim_design 1 row: design ids ingested that never reached the dimension (no batch holds them): design_id 9200',
    ]);
  });
});
