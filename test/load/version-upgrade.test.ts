/**
 * Upgrading to versions ordered by ingestion sequence (CONTRACT.md §5): a warehouse loaded by
 * the code before (versions `<last_updated>.<sequence>`) and batches that code
 * transformed but did not load yet. Either, read as it was, would sort above every new
 * version and freeze its rows; after the upgrade, newer objects win and late ones don't.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dims, version } from './support/rows';
import { LoadTestEnvironment } from './support/warehouse';

let env: LoadTestEnvironment;
beforeEach(async () => {
  env = new LoadTestEnvironment();
  await env.start();
});
afterEach(() => env.stop());

/** A version as the code before the upgrade wrote it. */
const legacy = (lastUpdated: string, sequence: number) => `${lastUpdated}.${String(sequence).padStart(10, '0')}`;

/**
 * The warehouse as the previous release left it: schema at migration 2, and rows with
 * versions in the old format (a design and a staff member sent with a 2099 typo, and a
 * placeholder currency).
 */
async function warehouseBeforeUpgrade(): Promise<void> {
  await env.load();
  await env.query('DELETE FROM etl_control.schema_migration WHERE version = 3');
  await env.query(
    `INSERT INTO dim_design (design_id, design_name, file_location, file_name, source_version, loaded_at)
     VALUES (1, 'Typo', '/usr', 'wooden.json', $1, '2024-01-01T00:00:00Z')`,
    [legacy('20990101T000000000', 3)],
  );
  await env.query(
    `INSERT INTO dim_staff (staff_id, first_name, last_name, department_name, location, email_address, source_version)
     VALUES (1, 'Jeremie', 'Franney', 'Purchasing', 'Manchester', 'jeremie.franey@terrifictotes.com', $1)`,
    [`${legacy('20990101T000000000', 3)}/${legacy('20221103T142049962', 1)}`],
  );
  await env.query(
    `INSERT INTO dim_currency (currency_id, currency_code, currency_name, source_version, is_placeholder)
     VALUES (1, '(pending)', '(pending)', '', true)`,
  );
}

describe('a warehouse loaded before versions were ordered by sequence', () => {
  it('is migrated on the next load, so a later object wins over the typo and a late one does not', async () => {
    await warehouseBeforeUpgrade();
    const { bucket } = env;
    // Transformed after the upgrade: a late object (2), the fix (4), the real currency.
    await bucket.writeBatch({
      sourceTable: 'design',
      sequence: 2,
      tables: { dim_design: [dims.design({ design_name: 'Late', source_version: version('20990102T000000000', 2) })] },
    });
    await bucket.writeBatch({
      sourceTable: 'design',
      sequence: 4,
      tables: { dim_design: [dims.design({ design_name: 'Fixed', source_version: version('20240501T000000000', 4) })] },
    });
    await bucket.writeBatch({
      sourceTable: 'staff',
      sequence: 4,
      tables: {
        dim_staff: [
          dims.staff({ last_name: 'Franey', source_version: `${version('20240501T000000000', 4)}/${version('20221103T142049962', 1)}` }),
        ],
      },
    });
    await bucket.writeBatch({
      sourceTable: 'currency',
      sequence: 1,
      tables: { dim_currency: [dims.currency({ source_version: version('20221103T142049962', 1) })] },
    });

    const run = await env.load();
    expect(run.batchesFailed).toEqual([]);
    expect(await env.query('SELECT version FROM etl_control.schema_migration WHERE version = 3')).toEqual([{ version: 3 }]);
    expect(await env.query('SELECT design_name, source_version FROM dim_design')).toEqual([
      { design_name: 'Fixed', source_version: '0000000004.20240501T000000000' },
    ]);
    expect(await env.query('SELECT last_name, source_version FROM dim_staff')).toEqual([
      { last_name: 'Franey', source_version: '0000000004.20240501T000000000/0000000001.20221103T142049962' },
    ]);
    expect(await env.query('SELECT currency_code, is_placeholder FROM dim_currency')).toEqual([
      { currency_code: 'GBP', is_placeholder: false },
    ]);
  });
});

describe('batches transformed before the upgrade, loaded after it', () => {
  it('have their versions upgraded on the way in: a late one never overwrites, a later one wins', async () => {
    const { bucket } = env;
    await bucket.writeBatch({
      sourceTable: 'design',
      sequence: 5,
      tables: { dim_design: [dims.design({ design_name: 'Current', source_version: version('20240501T000000000', 5) })] },
    });
    await env.load();

    // Old-format versions: read as they are, '2099…' would sort above '0000000005…'.
    await bucket.writeBatch({
      sourceTable: 'design',
      sequence: 3,
      tables: { dim_design: [dims.design({ design_name: 'Late typo', source_version: legacy('20990101T000000000', 3) })] },
    });
    const late = await env.load();
    expect(late.batchesLoaded).toBe(1);
    expect(await env.query('SELECT design_name, source_version FROM dim_design')).toEqual([
      { design_name: 'Current', source_version: '0000000005.20240501T000000000' },
    ]);

    await bucket.writeBatch({
      sourceTable: 'design',
      sequence: 7,
      tables: { dim_design: [dims.design({ design_name: 'Later', source_version: legacy('20240101T000000000', 7) })] },
    });
    await bucket.writeBatch({
      sourceTable: 'staff',
      sequence: 7,
      tables: { dim_staff: [dims.staff({ source_version: `${legacy('20240101T000000000', 7)}/${legacy('20990101T000000000', 2)}` })] },
    });
    await env.load();
    expect(await env.query('SELECT design_name, source_version FROM dim_design')).toEqual([
      { design_name: 'Later', source_version: '0000000007.20240101T000000000' },
    ]);
    expect(await env.query('SELECT source_version FROM dim_staff')).toEqual([
      { source_version: '0000000007.20240101T000000000/0000000002.20990101T000000000' },
    ]);
  });
});
