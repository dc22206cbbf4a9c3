/**
 * Local mode end to end: a small generated dataset with later ingestion runs, landed,
 * transformed and loaded by the real code into a real Postgres, then checked against
 * expectations computed independently from the generated source rows.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { landGeneratedData } from '../../local/generated-data';
import { simulateIngestion } from '../../local/generator';
import { renderHtmlReport } from '../../local/report/html-report';
import { summarise } from '../../local/report/summarise';
import { type PipelineResult, runPipeline } from '../../local/run-pipeline';
import { launchChromium } from '../support/chromium';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { expectedCurrentFacts, expectedDimensions, expectedFacts, expectedSalesValue } from './expected-warehouse';

const SEED = 7;
const SCALE = 0.05;
const TICKS = 3;

let database: TestDatabase;
let client: pg.Client;
let stateDir: string;
let firstRun: PipelineResult;

async function runLocal(): Promise<PipelineResult> {
  const ingestion = new FileObjectStore(join(stateDir, 'ingestion'));
  await landGeneratedData(ingestion, join(stateDir, 'generated.json'), { seed: SEED, scale: SCALE, ticks: TICKS, gzip: true }, () => {});
  return runPipeline({
    ingestion,
    processed: new FileObjectStore(join(stateDir, 'processed')),
    parameters: new FileParameterStore(join(stateDir, 'parameters.json')),
    databaseUrl: database.url,
    log: silentLog,
    metrics: noMetrics,
    progress: () => {},
  });
}

async function lines(sql: string): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(sql);
  return rows.map((r) => r.line).sort();
}

const FACT_SQL = {
  sales: `SELECT concat_ws('|', sales_order_id, created_date, to_char(created_time, 'HH24:MI:SS.MS'), last_updated_date,
            to_char(last_updated_time, 'HH24:MI:SS.MS'), sales_staff_id, counterparty_id, units_sold, unit_price, currency_id,
            design_id, agreed_payment_date, agreed_delivery_date, agreed_delivery_location_id) AS line FROM fact_sales_order`,
  purchases: `SELECT concat_ws('|', purchase_order_id, created_date, to_char(created_time, 'HH24:MI:SS.MS'), last_updated_date,
            to_char(last_updated_time, 'HH24:MI:SS.MS'), staff_id, counterparty_id, item_code, item_quantity, item_unit_price,
            currency_id, agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id) AS line FROM fact_purchase_order`,
  payments: `SELECT concat_ws('|', payment_id, created_date, to_char(created_time, 'HH24:MI:SS.MS'), last_updated_date,
            to_char(last_updated_time, 'HH24:MI:SS.MS'), transaction_id, counterparty_id, payment_amount, currency_id,
            payment_type_id, paid, payment_date) AS line FROM fact_payment`,
};

/** A dimension's columns (but the audit ones) as one line per row, nulls as ∅. */
function dimensionSql(table: string, columns: readonly string[]): string {
  return `SELECT concat_ws('|', ${columns.map((c) => `coalesce(${c}::text, '∅')`).join(', ')}) AS line FROM ${table}`;
}

beforeAll(async () => {
  database = await createTestDatabase();
  stateDir = await mkdtemp(join(tmpdir(), 'local-run-'));
  firstRun = await runLocal();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
}, 300_000);

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('local mode over a generated history with later ingestion runs', () => {
  const history = simulateIngestion({ seed: SEED, scale: SCALE, laterRuns: TICKS });

  it('processes every object and loads every batch, with nothing rejected or failed', () => {
    expect(firstRun.failedObjects).toEqual([]);
    expect(firstRun.load.batchesFailed).toEqual([]);
    expect(firstRun.transformed.length).toBeGreaterThan(11); // at least one object per source table
    expect(firstRun.transformed.every((t) => t.outcome === 'processed' && t.rowsRejected === 0)).toBe(true);
    expect(firstRun.load.batchesLoaded).toBe(firstRun.transformed.length);
  });

  it('holds every fact version exactly once, with exact values', async () => {
    const expected = expectedFacts(history);
    expect(await lines(FACT_SQL.sales)).toEqual([...expected.sales].sort());
    expect(await lines(FACT_SQL.purchases)).toEqual([...expected.purchases].sort());
    expect(await lines(FACT_SQL.payments)).toEqual([...expected.payments].sort());
  });

  it('shows each fact row at its final source state in the current-version views', async () => {
    const expected = expectedCurrentFacts(history);
    const current = (sql: string, table: string) => lines(sql.replace(/FROM (fact_\w+)$/, `FROM ${table}`));
    expect(await current(FACT_SQL.sales, 'fact_sales_order_current')).toEqual([...expected.sales].sort());
    expect(await current(FACT_SQL.purchases, 'fact_purchase_order_current')).toEqual([...expected.purchases].sort());
    expect(await current(FACT_SQL.payments, 'fact_payment_current')).toEqual([...expected.payments].sort());
  });

  it('holds dimensions equal to the latest source values, joins included', async () => {
    const expected = expectedDimensions(history);
    expect(
      await lines(dimensionSql('dim_staff', ['staff_id', 'first_name', 'last_name', 'department_name', 'location', 'email_address'])),
    ).toEqual([...expected.dim_staff].sort());
    expect(
      await lines(
        dimensionSql('dim_location', [
          'location_id',
          'address_line_1',
          'address_line_2',
          'district',
          'city',
          'postal_code',
          'country',
          'phone',
        ]),
      ),
    ).toEqual([...expected.dim_location].sort());
    expect(
      await lines(
        dimensionSql('dim_counterparty', [
          'counterparty_id',
          'counterparty_legal_name',
          'counterparty_legal_address_line_1',
          'counterparty_legal_address_line_2',
          'counterparty_legal_district',
          'counterparty_legal_city',
          'counterparty_legal_postal_code',
          'counterparty_legal_country',
          'counterparty_legal_phone_number',
        ]),
      ),
    ).toEqual([...expected.dim_counterparty].sort());
    expect(await lines(dimensionSql('dim_design', ['design_id', 'design_name', 'file_location', 'file_name']))).toEqual(
      [...expected.dim_design].sort(),
    );
    expect(
      await lines(dimensionSql('dim_transaction', ['transaction_id', 'transaction_type', 'sales_order_id', 'purchase_order_id'])),
    ).toEqual([...expected.dim_transaction].sort());
    expect(await lines(dimensionSql('dim_payment_type', ['payment_type_id', 'payment_type_name']))).toEqual(
      [...expected.dim_payment_type].sort(),
    );
    expect(await lines(dimensionSql('dim_currency', ['currency_id', 'currency_code']))).toEqual([...expected.dim_currency].sort());
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM dim_staff WHERE is_placeholder');
    expect(rows[0]!.n).toBe(0);
  });

  it('sums money to the cent', async () => {
    const { rows } = await client.query<{ total: string }>('SELECT sum(units_sold * unit_price)::text AS total FROM fact_sales_order');
    expect(rows[0]!.total).toBe(expectedSalesValue(history));
  });

  it('adds nothing when run again', async () => {
    const fingerprint = `SELECT
      (SELECT count(*) FROM fact_sales_order) AS sales, (SELECT count(*) FROM fact_purchase_order) AS purchases,
      (SELECT count(*) FROM fact_payment) AS payments,
      (SELECT md5(string_agg(line, ',' ORDER BY line)) FROM (${dimensionSql('dim_staff', ['staff_id', 'department_name', 'location', 'source_version'])}) d) AS staff,
      (SELECT max(loaded_at)::text FROM dim_counterparty) AS loaded`;
    const before = await client.query(fingerprint);
    const again = await runLocal();
    expect(again.transformed).toHaveLength(firstRun.transformed.length);
    expect(again.transformed.every((t) => t.outcome === 'skipped')).toBe(true);
    expect(again.load.batchesLoaded).toBe(0);
    const after = await client.query(fingerprint);
    expect(after.rows).toEqual(before.rows);
  });

  it('writes an HTML report that renders in Chromium with its charts visible', async () => {
    const summary = await summarise(firstRun, database.url, '2026-01-01T00:00:00.000Z');
    expect(summary.salesByMonth.length).toBeGreaterThan(12);
    const reportPath = join(stateDir, 'report.html');
    await writeFile(reportPath, renderHtmlReport(summary));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${reportPath}`);
      for (const id of ['chart-rows-in', 'chart-warehouse', 'chart-rejected', 'chart-timings', 'chart-sales-by-month']) {
        const box = await page.locator(`#${id}`).boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.width * box!.height, id).toBeGreaterThan(10_000);
      }
      // Bars are drawn: one per month and currency with sales, and one per loaded warehouse table.
      const salesBars = await page.locator('#chart-sales-by-month rect').count();
      expect(salesBars).toBe(summary.salesByMonth.length);
      const warehouseBars = await page
        .locator('#chart-warehouse rect')
        .evaluateAll((rects) => rects.filter((r) => Number(r.getAttribute('width')) > 0 && r.getBoundingClientRect().width > 0).length);
      expect(warehouseBars).toBe(11);
      expect(await page.locator('body').innerText()).toContain('fact_sales_order');
      const screenshot = await page.screenshot({ fullPage: true });
      expect(screenshot.byteLength).toBeGreaterThan(20_000);
    } finally {
      await browser.close();
    }
  });
});
