/**
 * SQL-injection and path-traversal text, in values and in object keys. Values are data:
 * they reach the warehouse verbatim (including text that means something to COPY, such as
 * `\N` and `\.`), and nothing else happens. Keys choose nothing: whatever an ingestion
 * key holds, the processed bucket's keys come from the table and sequence alone; the
 * local filesystem store refuses keys that would leave its root.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessedLayout } from '../../lambdas/core/layout';
import { FACT_TABLES, WAREHOUSE_TABLE_NAMES } from '../../lambdas/core/schema/warehouse-tables';
import { currentVersionView } from '../../lambdas/core/warehouse/fact-history-ddl';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { RecordingLog, RecordingMetrics } from '../support/recorders';
import { BadInputHarness } from './support/harness';
import { body, validLine, withRawValue } from './support/source-lines';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

/** Text that would do harm if it were ever spliced into SQL, a COPY stream or a path. */
const HOSTILE_TEXT = [
  "Robert'); DROP TABLE dim_design; --",
  "' OR '1'='1",
  '$$; DROP SCHEMA public CASCADE; $$',
  '"; DELETE FROM etl_control.loaded_batch; --',
  '\\N',
  '\\.',
  'tab\there',
  'line\nbreak',
  'carriage\rreturn',
  'back\\slash\\\\',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/shadow',
  '\u202Egnp.exe',
  '👜 tote',
  '   ',
  '',
];

const SQL_KEY_PREFIX = "x'); DROP TABLE etl_control.loaded_batch; --/";
const TRAVERSAL_KEY_PREFIX = '../../';

const h = new BadInputHarness();
let database: TestDatabase;

async function warehouse<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  const client = newPostgresClient(database.url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const designs = HOSTILE_TEXT.map((text, i) =>
    validLine('design', {
      design_id: i + 1,
      design_name: text,
      file_location: HOSTILE_TEXT[(i + 1) % HOSTILE_TEXT.length]!,
      file_name: HOSTILE_TEXT[(i + 2) % HOSTILE_TEXT.length]!,
    }),
  );
  const departments = [validLine('department', { department_id: 1, department_name: "Sales'; --", location: '\\N', manager: null })];
  const staff = [
    validLine('staff', { staff_id: 1, department_id: 1, first_name: "O'Brien", last_name: 'Robert"); DROP TABLE dim_staff;--' }),
    validLine('staff', { staff_id: 2, department_id: 1, first_name: '../..', last_name: '\\.' }),
  ];
  const sales = [
    validLine('sales_order', { sales_order_id: 1, design_id: 1, staff_id: 1 }),
    withRawValue(validLine('sales_order', { sales_order_id: 2 }), 'units_sold', '"1; DROP TABLE fact_sales_order; --"'),
    validLine('sales_order', { sales_order_id: 3, design_id: 4, staff_id: 2 }),
  ];
  const outcomes = [
    await h.transform(h.key('design', 1, { prefix: TRAVERSAL_KEY_PREFIX }), body(...designs)),
    await h.transform(h.key('department', 1), body(...departments)),
    await h.transform(h.key('staff', 1), body(...staff)),
    await h.transform(h.key('sales_order', 1, { prefix: SQL_KEY_PREFIX }), body(...sales)),
  ];
  for (const outcome of outcomes) if (outcome.error) throw outcome.error;
  const { batchesLoaded } = await h.load(database.url);
  if (batchesLoaded !== 4) throw new Error(`loaded ${batchesLoaded} batches, expected 4`);
}, 60_000);

afterAll(async () => {
  h.restore();
  await database?.drop();
});

describe('hostile text in values', () => {
  it('reaches the warehouse verbatim, nulls only where the source had null', async () => {
    const rows = await warehouse<{ name: string; location: string; file: string }>(
      'SELECT design_name AS name, file_location AS location, file_name AS file FROM dim_design ORDER BY design_id',
    );
    expect(rows).toEqual(
      HOSTILE_TEXT.map((text, i) => ({
        name: text,
        location: HOSTILE_TEXT[(i + 1) % HOSTILE_TEXT.length],
        file: HOSTILE_TEXT[(i + 2) % HOSTILE_TEXT.length],
      })),
    );
  });

  it('survives the joins: staff and their department, verbatim', async () => {
    expect(await warehouse('SELECT staff_id, first_name, last_name, department_name, location FROM dim_staff ORDER BY staff_id')).toEqual([
      {
        staff_id: 1,
        first_name: "O'Brien",
        last_name: 'Robert"); DROP TABLE dim_staff;--',
        department_name: "Sales'; --",
        location: '\\N',
      },
      { staff_id: 2, first_name: '../..', last_name: '\\.', department_name: "Sales'; --", location: '\\N' },
    ]);
  });

  it('in a value of the wrong type is a rejected row, kept verbatim in the rejection; the other rows load', async () => {
    expect(h.rejected('sales_order', 1)).toEqual([
      expect.objectContaining({
        line: 2,
        column: 'units_sold',
        reason: 'column "units_sold": expected an integer, got "1; DROP TABLE fact_sales_order; --"',
      }),
    ]);
    expect(await warehouse('SELECT sales_order_id, design_id, sales_staff_id FROM fact_sales_order ORDER BY sales_order_id')).toEqual([
      { sales_order_id: 1, design_id: 1, sales_staff_id: 1 },
      { sales_order_id: 3, design_id: 4, sales_staff_id: 2 },
    ]);
  });

  it('does nothing else: every table is still there, the ledger holds the four batches', async () => {
    const tables = await warehouse<{ name: string }>(
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
        WHERE table_schema IN ('public', 'etl_control') ORDER BY 1`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      [
        ...WAREHOUSE_TABLE_NAMES.map((t) => `public.${t}`),
        ...Object.values(FACT_TABLES).map((fact) => `public.${currentVersionView(fact)}`),
        'etl_control.fact_observation',
        'etl_control.loaded_batch',
        'etl_control.schema_migration',
      ].sort(),
    );
    expect(await warehouse('SELECT count(*)::int AS n FROM etl_control.loaded_batch')).toEqual([{ n: 4 }]);
  });
});

describe('hostile text in object keys', () => {
  it('is recorded verbatim as the source key, and chooses no processed key', async () => {
    const ledger = await warehouse<{ source_key: string }>('SELECT source_key FROM etl_control.loaded_batch ORDER BY source_table');
    expect(ledger.map((row) => row.source_key)).toEqual([
      h.key('department', 1),
      h.key('design', 1, { prefix: TRAVERSAL_KEY_PREFIX }),
      h.key('sales_order', 1, { prefix: SQL_KEY_PREFIX }),
      h.key('staff', 1),
    ]);
    const layout = h.layout;
    expect(h.processedKeys()).toEqual(
      [
        layout.batchFile('design', 1, 'dim_design'),
        layout.batchFile('sales_order', 1, 'dim_date'),
        layout.batchFile('sales_order', 1, 'fact_sales_order'),
        layout.batchFile('staff', 1, 'dim_staff'),
        layout.manifest('department', 1),
        layout.manifest('design', 1),
        layout.manifest('sales_order', 1),
        layout.manifest('staff', 1),
        layout.rejected('sales_order', 1),
        layout.state('department'),
        layout.state('staff'),
      ].sort(),
    );
  });

  it('on the local filesystem, a key that climbs out of the store is refused and nothing is written', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hostile-keys-'));
    const ingestion = new FileObjectStore(join(root, 'ingestion'));
    const processed = new FileObjectStore(join(root, 'processed'));
    await ingestion.put('design/0000000001_20241114T093012345.jsonl', body(validLine('design')));
    const log = new RecordingLog();
    for (const key of ['../ingestion/design/0000000001_20241114T093012345.jsonl', '/etc/design/0000000001_20241114T093012345.jsonl']) {
      await expect(
        transformObject(
          {
            ingestion,
            processed,
            layout: new ProcessedLayout(),
            parameters: new FileParameterStore(join(root, 'parameters.json')),
            sequenceParameterPath: '/totesys/local/transform',
            log,
            metrics: new RecordingMetrics(),
          },
          { key },
        ),
      ).rejects.toMatchObject({ name: 'InvalidObjectKeyError', key });
    }
    // Only the transform lock's released lease was written: no batch, no state, no parameter.
    expect(await readdir(root)).toEqual(['ingestion', 'processed']);
    const written = (await readdir(join(root, 'processed'), { recursive: true })).filter((path) => !path.startsWith('.'));
    expect(written.sort()).toEqual(['state', 'state/locks', 'state/locks/design.json']);
    expect(log.at('error').map((e) => e.attributes?.errorName)).toEqual(['InvalidObjectKeyError', 'InvalidObjectKeyError']);
  });

  it('percent-encoded dots are just characters: the object stays inside the store', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hostile-keys-'));
    const store = new FileObjectStore(join(root, 'bucket'));
    await store.put('%2e%2e/%2e%2e/design/0000000001_20241114T093012345.jsonl', 'x');
    expect(await readdir(root)).toEqual(['bucket']);
    expect(await readFile(join(root, 'bucket', '%2e%2e', '%2e%2e', 'design', '0000000001_20241114T093012345.jsonl'), 'utf8')).toBe('x');
  });
});
