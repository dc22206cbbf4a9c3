/**
 * A warehouse built by the first schema (versions 1–2: facts unique per (natural id,
 * version_hash), no source_sequence) upgrades in place: its fact rows take their sequence
 * from the batch that brought them, become the observations history is rebuilt from, and
 * the loader carries on from there, repairing what the old rule lost when a batch is
 * replayed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDate, formatTime } from '../../lambdas/core/load/copy-text';
import { formatUnscaled } from '../../lambdas/core/money';
import { MIGRATIONS, migrationChecksum } from '../../lambdas/core/warehouse/migrations';
import { DEFAULT_SCHEMAS } from '../../lambdas/core/warehouse/names';
import { type Row, dims, facts } from '../load/support/rows';
import { LoadTestEnvironment } from '../load/support/warehouse';
import { withClient } from './support';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

/** The database exactly as the first two migrations left it, recorded as at version 2. */
async function buildVersion2(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('BEGIN');
    await client.query('CREATE SCHEMA etl_control');
    await client.query(`CREATE TABLE etl_control.schema_migration (
  version int PRIMARY KEY, name varchar NOT NULL, checksum varchar NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) {
      for (const statement of migration.statements(DEFAULT_SCHEMAS)) await client.query(statement);
      await client.query('INSERT INTO etl_control.schema_migration (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migrationChecksum(migration, DEFAULT_SCHEMAS),
      ]);
    }
    await client.query('COMMIT');
  });
}

const SALES_COLUMNS = [
  'sales_order_id',
  'created_date',
  'created_time',
  'last_updated_date',
  'last_updated_time',
  'sales_staff_id',
  'counterparty_id',
  'units_sold',
  'unit_price',
  'currency_id',
  'design_id',
  'agreed_payment_date',
  'agreed_delivery_date',
  'agreed_delivery_location_id',
  'version_hash',
];
const DATE_COLUMNS = new Set(['created_date', 'last_updated_date', 'agreed_payment_date', 'agreed_delivery_date']);

/** A fact_sales_order row as the old loader stored it (no source_sequence). */
async function insertOldSalesRow(row: Row, sequence: number): Promise<void> {
  const values = SALES_COLUMNS.map((name) => {
    const value = row[name];
    if (DATE_COLUMNS.has(name)) return formatDate(value as number);
    if (name.endsWith('_time')) return formatTime(value as number);
    if (name === 'unit_price') return formatUnscaled(value as bigint, 2);
    return value;
  });
  await env.query(
    `INSERT INTO fact_sales_order (${SALES_COLUMNS.join(', ')}, source_batch)
     VALUES (${SALES_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${SALES_COLUMNS.length + 1})`,
    [...values, `sales_order/${String(sequence).padStart(10, '0')}`],
  );
}

async function oldWarehouse(): Promise<void> {
  await buildVersion2(env.url);
  for (const [table, row] of Object.entries({
    dim_staff: dims.staff(),
    dim_counterparty: dims.counterparty(),
    dim_currency: dims.currency(),
    dim_design: dims.design(),
    dim_location: dims.location(),
  })) {
    const names = Object.keys(row);
    await env.query(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(row),
    );
  }
  for (const date of ['2024-11-14', '2024-11-18', '2024-11-20']) {
    await env.query(
      `INSERT INTO dim_date SELECT d, extract(year FROM d), extract(month FROM d), extract(day FROM d), extract(isodow FROM d),
         to_char(d, 'FMDay'), to_char(d, 'FMMonth'), extract(quarter FROM d) FROM (SELECT $1::date AS d) x`,
      [date],
    );
  }
  for (const sequence of [1, 2, 3]) {
    await env.query(
      "INSERT INTO etl_control.loaded_batch (source_table, sequence, manifest_key, source_key, watermark) VALUES ('sales_order', $1, 'm', 's', 'w')",
      [sequence],
    );
  }
  // Order 1 went A, B, A in batches 1–3: the old rule kept only A@1 and B@2.
  await insertOldSalesRow(facts.salesOrder({ units_sold: 10 }), 1);
  await insertOldSalesRow(facts.salesOrder({ units_sold: 20 }), 2);
  // Order 2 twice in batch 1 (an id repeated in one object): the old rule kept both.
  await insertOldSalesRow(facts.salesOrder({ sales_order_id: 2, units_sold: 5, last_updated_time: 36_000_000 }), 1);
  await insertOldSalesRow(facts.salesOrder({ sales_order_id: 2, units_sold: 6, last_updated_time: 37_000_000 }), 1);
}

describe('upgrading a warehouse built by the first schema', () => {
  it('gives every fact row its batch sequence, keeps one state per id and sequence, and records the observations', async () => {
    await oldWarehouse();
    const run = await env.load();
    expect(run.batchesFailed).toEqual([]);
    expect(await env.query('SELECT version FROM etl_control.schema_migration ORDER BY version')).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    expect(
      await env.query('SELECT sales_order_id, units_sold, source_sequence::text, source_batch FROM fact_sales_order ORDER BY 1, 3'),
    ).toEqual([
      { sales_order_id: 1, units_sold: 10, source_sequence: '1', source_batch: 'sales_order/0000000001' },
      { sales_order_id: 1, units_sold: 20, source_sequence: '2', source_batch: 'sales_order/0000000002' },
      // The newer of the two by last_updated.
      { sales_order_id: 2, units_sold: 6, source_sequence: '1', source_batch: 'sales_order/0000000001' },
    ]);
    expect(
      await env.query('SELECT fact_table, natural_id, sequence::text, version_hash FROM etl_control.fact_observation ORDER BY 2, 3'),
    ).toEqual([
      { fact_table: 'fact_sales_order', natural_id: 1, sequence: '1', version_hash: facts.salesOrder({ units_sold: 10 }).version_hash },
      { fact_table: 'fact_sales_order', natural_id: 1, sequence: '2', version_hash: facts.salesOrder({ units_sold: 20 }).version_hash },
      {
        fact_table: 'fact_sales_order',
        natural_id: 2,
        sequence: '1',
        version_hash: facts.salesOrder({ sales_order_id: 2, units_sold: 6, last_updated_time: 37_000_000 }).version_hash,
      },
    ]);
    expect(await env.query('SELECT sales_order_id, units_sold FROM fact_sales_order_current ORDER BY 1')).toEqual([
      { sales_order_id: 1, units_sold: 20 },
      { sales_order_id: 2, units_sold: 6 },
    ]);
  });

  it('then loads by the new rule, and a replay of the batch the old rule dropped restores the version', async () => {
    await oldWarehouse();
    // Batch 3 (order 1 back to A) was loaded by the old loader, which dropped the row.
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 3,
      tables: { fact_sales_order: [facts.salesOrder({ units_sold: 10 })] },
    });
    await env.bucket.writeBatch({
      sourceTable: 'sales_order',
      sequence: 4,
      tables: { fact_sales_order: [facts.salesOrder({ sales_order_id: 2, units_sold: 5 })] },
    });
    const upgrade = await env.load();
    expect(upgrade.batchesLoaded).toBe(1); // batch 4; 3 is in the ledger
    await env.query("DELETE FROM etl_control.loaded_batch WHERE source_table = 'sales_order' AND sequence = 3");
    const replay = await env.load();
    expect(replay.rowsWritten.fact_sales_order).toBe(1);
    expect(await env.query('SELECT sales_order_id, units_sold, source_sequence::text FROM fact_sales_order ORDER BY 1, 3')).toEqual([
      { sales_order_id: 1, units_sold: 10, source_sequence: '1' },
      { sales_order_id: 1, units_sold: 20, source_sequence: '2' },
      { sales_order_id: 1, units_sold: 10, source_sequence: '3' },
      { sales_order_id: 2, units_sold: 6, source_sequence: '1' },
      { sales_order_id: 2, units_sold: 5, source_sequence: '4' },
    ]);
  });
});
