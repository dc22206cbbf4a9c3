/**
 * CONTRACT.md §5 end to end (transform, then load into a real Postgres): dimension versions are
 * ordered by ingestion sequence. A row once sent with last_updated 2099-01-01 (a typo) is
 * corrected by a later object with an earlier last_updated; a late, older object never
 * overwrites. And the upgrade: join state and a warehouse left by the previous release
 * (versions `<last_updated>.<sequence>`) let newer objects win.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../lambdas/adapters/aws/s3-object-store';
import { loadPendingBatches } from '../../lambdas/core/load/loader';
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { PROCESSED_BUCKET, TransformHarness } from '../transform/support/harness';
import { RecordingLog, RecordingMetrics } from '../support/recorders';
import { line } from '../support/source-rows';
import { connectPostgres, newPostgresClient } from '../../lambdas/adapters/pg/connect';

const h = new TransformHarness();
let database: TestDatabase;

beforeEach(async () => {
  h.reset();
  database = await createTestDatabase();
});
afterEach(() => database.drop());
afterAll(() => {
  h.s3.restore();
  h.ssm.restore();
});

const TYPO = '2099-01-01T00:00:00.000000';

async function query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
  const client = newPostgresClient(database.url);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Lands an object of `table` rows and transforms it; fails the test if the transform fails. */
async function transform(table: SourceTableName, sequence: number, rows: Record<string, unknown>[]): Promise<void> {
  const summary = await h.transform(h.ingest(table, sequence, rows));
  expect(summary.outcome).toBe('processed');
}

/** One load run over everything pending; fails the test if a batch fails. */
async function load(): Promise<void> {
  const summary = await loadPendingBatches(
    {
      connect: () => connectPostgres(database.url),
      store: new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), PROCESSED_BUCKET),
      layout: h.layout,
      log: new RecordingLog(),
      metrics: new RecordingMetrics(),
    },
    { deadline: Date.now() + 60_000 },
  );
  expect(summary.batchesFailed).toEqual([]);
}

const design = () => query('SELECT design_name FROM dim_design WHERE design_id = 8');
const staff = () => query('SELECT last_name, department_name FROM dim_staff WHERE staff_id = 1');

describe('a row sent with a last_updated in the future (2099-01-01)', () => {
  it('is corrected by a later object with an earlier last_updated', async () => {
    await transform('design', 1, [line('design', { design_name: 'Wooden typo', last_updated: TYPO })]);
    await load();
    expect(await design()).toEqual([{ design_name: 'Wooden typo' }]);

    await transform('design', 2, [line('design', { design_name: 'Wooden', last_updated: '2024-11-14T10:00:00.000000' })]);
    await load();
    expect(await design()).toEqual([{ design_name: 'Wooden' }]);
  });

  it('in a joined dimension, is corrected by a later object of either partner', async () => {
    await transform('department', 1, [line('department', { department_name: 'Salse', last_updated: TYPO })]);
    await transform('staff', 1, [line('staff', { last_name: 'Franney', last_updated: TYPO })]);
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franney', department_name: 'Salse' }]);

    await transform('staff', 2, [line('staff', { last_name: 'Franey', last_updated: '2024-11-14T10:00:00.000000' })]);
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franey', department_name: 'Salse' }]);

    await transform('department', 2, [line('department', { department_name: 'Sales', last_updated: '2024-11-14T10:00:00.000000' })]);
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franey', department_name: 'Sales' }]);
  });

  it('sent again in a late object (a lower sequence) never overwrites the newer row', async () => {
    // design has no join state: the transform emits the late row and the loader's version guard holds.
    await transform('design', 4, [line('design', { design_name: 'Pine', last_updated: '2024-11-15T10:00:00.000000' })]);
    await load();
    await transform('design', 3, [line('design', { design_name: 'Late typo', last_updated: TYPO })]);
    await load();
    expect(await design()).toEqual([{ design_name: 'Pine' }]);

    // staff has join state: the transform itself holds the late row back.
    await transform('department', 1, [line('department')]);
    await transform('staff', 6, [line('staff', { last_name: 'Franey', last_updated: '2024-11-15T10:00:00.000000' })]);
    await load();
    await transform('staff', 5, [line('staff', { last_name: 'Late typo', last_updated: TYPO })]);
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franey', department_name: 'Sales' }]);
  });
});

describe('upgrading from the release that ordered versions by last_updated', () => {
  /** Naive milliseconds of a `YYYY-MM-DD` midnight. */
  const at = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

  /** The previous release's join state file: format 1, versions `<last_updated>.<sequence>`. */
  const legacyState = (table: SourceTableName, version: string, row: Record<string, unknown>) =>
    h.s3.put(PROCESSED_BUCKET, h.layout.state(table), JSON.stringify({ formatVersion: 1, table, rows: [{ version, row }] }));

  /** The previous release's rows: a department, and its staff member stuck at a 2099 `last_updated` typo. */
  const department = {
    department_id: 1,
    department_name: 'Sales',
    location: 'Manchester',
    manager: 'Richard Roma',
    created_at: at('2022-11-03'),
    last_updated: at('2022-11-03'),
  };
  const member = {
    staff_id: 1,
    first_name: 'Jeremie',
    last_name: 'Franney',
    department_id: 1,
    email_address: 'jeremie.franey@terrifictotes.com',
    created_at: at('2022-11-03'),
    last_updated: at('2099-01-01'),
  };

  it('join state and warehouse rows stuck at a 2099 typo are overtaken by the next objects', async () => {
    legacyState('department', '20221103T000000000.0000000001', department);
    legacyState('staff', '20990101T000000000.0000000003', member);
    // The warehouse at schema version 2, holding what that release loaded.
    await load();
    await query('DELETE FROM etl_control.schema_migration WHERE version = 3');
    await query(
      `INSERT INTO dim_staff (staff_id, first_name, last_name, department_name, location, email_address, source_version)
       VALUES (1, 'Jeremie', 'Franney', 'Sales', 'Manchester', 'jeremie.franey@terrifictotes.com', '20990101T000000000.0000000003/20221103T000000000.0000000001')`,
    );

    await transform('staff', 4, [line('staff', { last_name: 'Franey', last_updated: '2024-11-14T10:00:00.000000' })]);
    await load();
    expect(await query('SELECT last_name, source_version FROM dim_staff')).toEqual([
      { last_name: 'Franey', source_version: '0000000004.20241114T100000000/0000000001.20221103T000000000' },
    ]);

    await transform('department', 2, [
      line('department', { department_name: 'Sales & Marketing', last_updated: '2024-01-01T00:00:00.000000' }),
    ]);
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franey', department_name: 'Sales & Marketing' }]);
    expect(JSON.parse(h.s3.text(PROCESSED_BUCKET, h.layout.state('staff'))!)).toMatchObject({
      formatVersion: 2,
      rows: [{ version: '0000000004.20241114T100000000' }],
    });
  });

  it('a fix the previous release dropped is applied by the documented replay and reload', async () => {
    // The previous release: staff 1 (the typo) and staff 2 (the fix, held back as older than state) both transformed and loaded.
    legacyState('department', '20221103T000000000.0000000001', department);
    legacyState('staff', '20990101T000000000.0000000001', member);
    const fix = h.ingest('staff', 2, [line('staff', { last_name: 'Franey', last_updated: '2024-11-14T10:00:00.000000' })]);
    await load();
    await query('DELETE FROM etl_control.schema_migration WHERE version = 3');
    await query(
      `INSERT INTO dim_staff (staff_id, first_name, last_name, department_name, location, email_address, source_version)
       VALUES (1, 'Jeremie', 'Franney', 'Sales', 'Manchester', 'jeremie.franey@terrifictotes.com', '20990101T000000000.0000000001/20221103T000000000.0000000001')`,
    );
    for (const [table, sequence] of [
      ['department', 1],
      ['staff', 1],
      ['staff', 2],
    ] as const) {
      await query(
        `INSERT INTO etl_control.loaded_batch (source_table, sequence, manifest_key, source_key, watermark) VALUES ($1, $2, 'm', 's', 'w')`,
        [table, sequence],
      );
    }

    // ops replay --table staff --from 2: the upgraded join state lets the fix through…
    expect((await h.transform({ ...fix, force: true })).rowsOut).toMatchObject({ dim_staff: 1 });
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franney', department_name: 'Sales' }]); // …but the ledger holds staff 2 as loaded
    await query(`DELETE FROM etl_control.loaded_batch WHERE source_table = 'staff' AND sequence >= 2`);
    await load();
    expect(await staff()).toEqual([{ last_name: 'Franey', department_name: 'Sales' }]);
  });
});
