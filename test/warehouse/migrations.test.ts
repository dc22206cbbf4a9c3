import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS, migrate } from '../../lambdas/core/warehouse/migrations';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { connectTo, withClient } from './support';

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

const appliedVersions = (url: string) =>
  withClient(url, async (client) =>
    (await client.query<{ version: number }>('SELECT version FROM etl_control.schema_migration ORDER BY version')).rows.map(
      (r) => r.version,
    ),
  );

describe('schema migrations', () => {
  it('bring a new, empty database to the current version, and do nothing the second time', async () => {
    const first = await withClient(db.url, (client) => migrate(client));
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: CURRENT_SCHEMA_VERSION });
    const second = await withClient(db.url, (client) => migrate(client));
    expect(second).toEqual({ applied: [], version: CURRENT_SCHEMA_VERSION });
    expect(await appliedVersions(db.url)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('bring an existing database that is behind up to date, keeping its data', async () => {
    await withClient(db.url, (client) => migrate(client));
    await withClient(db.url, async (client) => {
      await client.query(
        "INSERT INTO etl_control.loaded_batch (source_table, sequence, manifest_key, source_key, watermark) VALUES ('staff', 1, 'm', 's', 'w')",
      );
      // Roll the database back to version 1: the star schema (and what later versions add to it) never created.
      for (const table of ['fact_sales_order', 'fact_purchase_order', 'fact_payment']) await client.query(`DROP TABLE ${table} CASCADE`);
      for (const table of [
        'dim_date',
        'dim_staff',
        'dim_location',
        'dim_currency',
        'dim_design',
        'dim_counterparty',
        'dim_payment_type',
        'dim_transaction',
      ]) {
        await client.query(`DROP TABLE ${table}`);
      }
      await client.query('DROP TABLE etl_control.fact_observation');
      await client.query('DELETE FROM etl_control.schema_migration WHERE version >= 2');
    });
    const result = await withClient(db.url, (client) => migrate(client));
    expect(result.applied).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= 2));
    const [row] = await withClient(db.url, async (client) => (await client.query('SELECT count(*)::int AS n FROM fact_sales_order')).rows);
    expect(row).toEqual({ n: 0 });
    expect(await withClient(db.url, async (c) => (await c.query('SELECT source_table FROM etl_control.loaded_batch')).rows)).toEqual([
      { source_table: 'staff' },
    ]);
  });

  it('migration 3 rewrites versions written sequence-last, keeping placeholders lowest and rows otherwise untouched', async () => {
    await withClient(db.url, (client) => migrate(client));
    // As the previous release left it: at version 2, with `<last_updated>.<sequence>` versions.
    await withClient(db.url, async (client) => {
      await client.query('DELETE FROM etl_control.schema_migration WHERE version = 3');
      await client.query(
        `INSERT INTO dim_currency (currency_id, currency_code, currency_name, source_version, is_placeholder, loaded_at) VALUES
           (1, 'GBP', 'British Pound', '20990101T000000000.0000000003', false, '2024-01-01T00:00:00Z'),
           (2, '(pending)', '(pending)', '', true, '2024-01-01T00:00:00Z')`,
      );
      await client.query(
        `INSERT INTO dim_counterparty (counterparty_id, counterparty_legal_name, counterparty_legal_address_line_1, counterparty_legal_city,
           counterparty_legal_postal_code, counterparty_legal_country, counterparty_legal_phone_number, source_version)
         VALUES (1, 'Fahey and Sons', '6826 Herzog Via', 'Leeds', '28441', 'Turkey', '1803 637401',
           '20221103T142049962.0000000001/20990101T000000000.0000000012')`,
      );
    });
    const result = await withClient(db.url, (client) => migrate(client));
    expect(result.applied).toEqual([3]);
    const rows = await withClient(db.url, async (client) => ({
      currency: (
        await client.query(
          'SELECT currency_id, currency_code, source_version, is_placeholder, loaded_at::text FROM dim_currency ORDER BY currency_id',
        )
      ).rows,
      counterparty: (await client.query('SELECT counterparty_legal_city, source_version FROM dim_counterparty')).rows,
      comment: (
        await client.query(
          "SELECT col_description(attrelid, attnum) AS text FROM pg_attribute WHERE attrelid = 'dim_currency'::regclass AND attname = 'source_version'",
        )
      ).rows[0].text,
    }));
    expect(rows.currency).toEqual([
      {
        currency_id: 1,
        currency_code: 'GBP',
        source_version: '0000000003.20990101T000000000',
        is_placeholder: false,
        loaded_at: '2024-01-01 00:00:00+00',
      },
      { currency_id: 2, currency_code: '(pending)', source_version: '', is_placeholder: true, loaded_at: '2024-01-01 00:00:00+00' },
    ]);
    expect(rows.counterparty).toEqual([
      { counterparty_legal_city: 'Leeds', source_version: '0000000001.20221103T142049962/0000000012.20990101T000000000' },
    ]);
    expect(rows.comment).toMatch(/<ingestion sequence>\.<last_updated>.*ordered by ingestion sequence/);
  });

  it('apply each version exactly once when several processes migrate at the same moment', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectTo(db.url)));
    try {
      const results = await Promise.all(clients.map((client) => migrate(client)));
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
      expect(results.every((r) => r.version === CURRENT_SCHEMA_VERSION)).toBe(true);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await appliedVersions(db.url)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('refuse a database whose applied migration was since edited, naming it', async () => {
    await withClient(db.url, (client) => migrate(client));
    await withClient(db.url, (client) => client.query("UPDATE etl_control.schema_migration SET checksum = 'edited' WHERE version = 2"));
    await expect(withClient(db.url, (client) => migrate(client))).rejects.toThrow(/migration 2 .* has changed since it was applied/);
  });

  it.each([
    ['public', 'analytics'],
    ['analytics', 'public'],
  ])('refuse a warehouse schema setting changed from %s to %s, saying where the star schema is and what to do', async (was, now) => {
    await withClient(db.url, (client) => migrate(client, { schemas: { warehouse: was, control: 'etl_control' } }));
    const changed = withClient(db.url, (client) => migrate(client, { schemas: { warehouse: now, control: 'etl_control' } }));
    await expect(changed).rejects.toThrow(`the star schema is in "${was}"; the warehouse schema setting says "${now}"`);
    await expect(changed).rejects.toThrow(`--warehouse-schema ${was}; a stack: deploy with -c warehouseSchema=${was}`);
    await expect(changed).rejects.not.toThrow(/has changed since it was applied/);
    // Nothing was built in the other schema.
    const [row] = await withClient(
      db.url,
      async (c) => (await c.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [now])).rows,
    );
    expect(row).toEqual({ n: 0 });
    expect(await withClient(db.url, (client) => migrate(client, { schemas: { warehouse: was, control: 'etl_control' } }))).toEqual({
      applied: [],
      version: CURRENT_SCHEMA_VERSION,
    });
  });

  it('refuse a database newer than the code, rather than run old code against it', async () => {
    await withClient(db.url, (client) => migrate(client));
    await withClient(db.url, (client) =>
      client.query("INSERT INTO etl_control.schema_migration (version, name, checksum) VALUES (99, 'future', 'x')"),
    );
    await expect(withClient(db.url, (client) => migrate(client))).rejects.toThrow(/version 99, newer than this code knows/);
  });

  it('can put the star schema in a schema of its own', async () => {
    await withClient(db.url, (client) => migrate(client, { schemas: { warehouse: 'analytics', control: 'etl_control' } }));
    const [row] = await withClient(
      db.url,
      async (c) =>
        (
          await c.query(`SELECT count(*) FILTER (WHERE table_type = 'BASE TABLE')::int AS tables, count(*) FILTER (WHERE table_type = 'VIEW')::int AS views
        FROM information_schema.tables WHERE table_schema = 'analytics'`)
        ).rows,
    );
    expect(row).toEqual({ tables: 11, views: 3 });
  });
});
