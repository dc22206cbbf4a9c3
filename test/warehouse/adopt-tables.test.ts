import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WarehouseTableDefinition, WAREHOUSE_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { TableAdoptionError } from '../../lambdas/core/warehouse/adopt-tables';
import { warehouseTablesInOrder } from '../../lambdas/core/warehouse/ddl';
import { MIGRATIONS, migrate } from '../../lambdas/core/warehouse/migrations';
import { expectedShape } from '../../lambdas/core/warehouse/table-shape';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { withClient } from './support';

const SCHEMAS = { warehouse: 'analytics', control: 'etl_control' };

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

/** The table as the analysts made it: their columns, types and keys, none of the loader's audit columns. */
function analystsDdl(table: WarehouseTableDefinition, schema = 'analytics'): string {
  const shape = expectedShape(table);
  const columns = shape.columns
    .filter((c) => !c.audit)
    .map((c) => `${c.name} ${c.ddlType}${c.nullable ? '' : ' NOT NULL'}${c.name === shape.primaryKey ? ' PRIMARY KEY' : ''}`);
  const references = shape.references.map((r) => `FOREIGN KEY (${r.column}) REFERENCES ${schema}.${r.table} (${r.targetColumn})`);
  return `CREATE TABLE ${schema}.${table.name} (${[...columns, ...references].join(', ')})`;
}

const columnsOf = (url: string, table: string) =>
  withClient(
    url,
    async (client) =>
      (
        await client.query<{ column_name: string; data_type: string; is_nullable: string }>(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'analytics' AND table_name = $1 ORDER BY column_name`,
          [table],
        )
      ).rows,
  );

const migrationError = async (url: string): Promise<TableAdoptionError> => {
  const outcome = await withClient(url, (client) => migrate(client, { schemas: SCHEMAS })).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(TableAdoptionError);
  return outcome as TableAdoptionError;
};

describe('a warehouse schema where the analysts already made the star-schema tables', () => {
  it('adopts tables that match, adding the audit columns and keys, the same shape as tables it creates', async () => {
    await withClient(db.url, async (client) => {
      await client.query('CREATE SCHEMA analytics');
      for (const table of warehouseTablesInOrder()) await client.query(analystsDdl(table));
      await client.query(
        "INSERT INTO analytics.dim_date (date_id, year, month, day, day_of_week, day_name, month_name, quarter) VALUES ('2024-01-01', 2024, 1, 1, 1, 'Monday', 'January', 1)",
      );
    });
    const result = await withClient(db.url, (client) => migrate(client, { schemas: SCHEMAS }));
    expect(result.applied).toContain(2);

    // A fresh schema made by the loader itself, to compare with.
    await withClient(db.url, (client) => migrate(client, { schemas: { warehouse: 'fresh', control: 'fresh_control' } }));
    for (const table of ['fact_sales_order', 'dim_staff', 'dim_date']) {
      const adopted = await columnsOf(db.url, table);
      const fresh = await withClient(
        db.url,
        async (client) =>
          (
            await client.query(
              `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'fresh' AND table_name = $1 ORDER BY column_name`,
              [table],
            )
          ).rows,
      );
      expect(adopted).toEqual(fresh);
    }
    // The analysts' row is still there, and the loader's history key exists.
    const [kept] = await withClient(db.url, async (c) => (await c.query('SELECT count(*)::int AS n FROM analytics.dim_date')).rows);
    expect(kept).toEqual({ n: 1 });
    const keys = await withClient(
      db.url,
      async (c) =>
        (
          await c.query(
            "SELECT conname FROM pg_constraint WHERE conname = 'fact_sales_order_history_key' AND connamespace = 'analytics'::regnamespace",
          )
        ).rows,
    );
    expect(keys).toHaveLength(1);
  });

  it('refuses tables that differ, listing each difference with SQL that fixes it, and changes nothing', async () => {
    await withClient(db.url, async (client) => {
      await client.query('CREATE SCHEMA analytics');
      await client.query(analystsDdl(WAREHOUSE_TABLES.dim_date));
      // first_name too short and nullable; no primary key; an extra NOT NULL column.
      await client.query(
        analystsDdl(WAREHOUSE_TABLES.dim_staff)
          .replace('first_name varchar NOT NULL', 'first_name varchar(10)')
          .replace(' PRIMARY KEY', '')
          .replace(/\)$/, ', badge_number int NOT NULL)'),
      );
    });
    const error = await migrationError(db.url);
    expect(error.differences.map((d) => d.difference)).toEqual([
      'column first_name is character varying(10), expected character varying',
      'column first_name is nullable, expected NOT NULL',
      'column badge_number is not in the star schema and is NOT NULL without a default, so the loader cannot insert rows',
      'has no primary key, expected (staff_id)',
    ]);
    expect(error.message).toContain('dim_staff: column first_name is character varying(10)');
    expect(error.message).toContain('fix: ALTER TABLE "analytics"."dim_staff" ALTER COLUMN "first_name" TYPE varchar;');
    // Nothing was created or recorded: the database is as the analysts left it.
    const tables = await withClient(
      db.url,
      async (c) => (await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'analytics' ORDER BY 1")).rows,
    );
    expect(tables).toEqual([{ table_name: 'dim_date' }, { table_name: 'dim_staff' }]);

    // The fixes, run as given, make the tables adoptable.
    await withClient(db.url, async (client) => {
      for (const { fix } of error.differences) await client.query(fix);
    });
    const result = await withClient(db.url, (client) => migrate(client, { schemas: SCHEMAS }));
    expect(result.applied).toEqual(MIGRATIONS.map((migration) => migration.version));
  });

  it('refuses a table holding rows it cannot give audit values to, saying how to move them aside', async () => {
    await withClient(db.url, async (client) => {
      await client.query('CREATE SCHEMA analytics');
      for (const table of warehouseTablesInOrder()) if (table.kind === 'dimension') await client.query(analystsDdl(table));
      await client.query(
        "INSERT INTO analytics.dim_staff VALUES (1, 'Jeremie', 'Franey', 'Purchasing', 'Manchester', 'j@terrifictotes.com')",
      );
    });
    const error = await migrationError(db.url);
    expect(error.differences).toEqual([
      expect.objectContaining({
        table: 'dim_staff',
        difference:
          'audit column source_version is missing and the table already holds rows the loader did not load (it cannot give them a source_version)',
      }),
    ]);
  });

  it('refuses to alter tables it does not own, listing the statements for their owner', async () => {
    const role = `analyst_${db.name}`;
    await withClient(db.url, async (client) => {
      await client.query(`CREATE ROLE ${role}`);
      await client.query('CREATE SCHEMA analytics');
      await client.query(analystsDdl(WAREHOUSE_TABLES.dim_date));
      await client.query(`ALTER TABLE analytics.dim_date OWNER TO ${role}`);
    });
    try {
      // The test server's login is a superuser, who owns everything: run as a plain login.
      const error = await withClient(db.url, async (client) => {
        const loader = `loader_${db.name}`;
        await client.query(`CREATE ROLE ${loader}`);
        await client.query(`GRANT CREATE ON DATABASE ${db.name} TO ${loader}`);
        await client.query(`GRANT USAGE, CREATE ON SCHEMA analytics TO ${loader}`);
        await client.query(`GRANT SELECT ON analytics.dim_date TO ${loader}`);
        await client.query(`SET ROLE ${loader}`);
        return migrate(client, { schemas: SCHEMAS }).then(
          () => undefined,
          (e: unknown) => e,
        );
      });
      expect(error).toBeInstanceOf(TableAdoptionError);
      expect((error as TableAdoptionError).differences).toEqual([
        {
          table: 'dim_date',
          difference: 'audit column loaded_at is missing; the login does not own the table to add it',
          fix: 'ALTER TABLE "analytics"."dim_date" ADD COLUMN "loaded_at" timestamptz DEFAULT now() NOT NULL;',
        },
      ]);
    } finally {
      await withClient(db.url, async (client) => {
        await client.query('DROP SCHEMA analytics CASCADE');
        await client.query(`DROP OWNED BY ${role}, loader_${db.name}`);
        await client.query(`DROP ROLE ${role}`);
        await client.query(`DROP ROLE loader_${db.name}`);
      });
    }
  });
});
