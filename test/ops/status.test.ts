/**
 * `status` over a local-mode state built by the real pipeline, with a missing sequence, a
 * rejected row, an object that fails to transform and a batch committed but not loaded.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestionKey } from '../../lambdas/core/layout';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { ReplacedObjectError, transformObject } from '../../lambdas/core/transform/transform-object';
import type { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { SEQUENCE_PARAMETER_PATH } from '../../local/run-pipeline';
import { runCli } from '../../ops/cli';
import { readBatchManifest } from '../../ops/pipeline-listing';
import { type PipelineStatus, collectStatus } from '../../ops/status';
import type { Target } from '../../ops/targets';
import {
  type LocalState,
  AT,
  buildLocalState,
  captureIo,
  deleteObject,
  designRow,
  keyOf,
  putObject,
  STAFF_WITHOUT_DEPARTMENT,
} from './support/local-state';

/** When the unloaded batch was committed, and when status looks. */
const COMMITTED_AT = Date.UTC(2024, 10, 20, 12, 0, 0);
const LOOKED_AT = COMMITTED_AT + 2 * 3600_000 + 5_000;

let state: LocalState;
let status: PipelineStatus;
let deletedKey: string;
let rejectedSourceKey: string;
let failingKey: string;
let pendingKey: string;
let salesLoadedAt: string;
let salesReadAt: string;

beforeAll(async () => {
  state = await buildLocalState(async (ingestion) => {
    // A gap: sequence 2 of sales_order never arrives.
    deletedKey = await keyOf(ingestion, 'sales_order', 2);
    await deleteObject(ingestion, deletedKey);
    // A rejected row among valid ones.
    rejectedSourceKey = await putObject(ingestion, 'design', 4, [designRow(9001), { ...designRow(9002), design_id: 'abc' }]);
    // Schema drift: the whole object fails to transform.
    failingKey = await putObject(ingestion, 'currency', 2, [
      { currency_id: 4, currency_code: 'JPY', created_at: AT, last_updated: AT, symbol: '¥' },
    ]);
  });
  // A batch committed but not loaded: transformed after the run, at a known time.
  pendingKey = await putObject(state.ingestion, 'design', 5, [designRow(9003)]);
  await transformObject(
    {
      ingestion: state.ingestion,
      processed: state.processed,
      layout: state.target.layout,
      parameters: new FileParameterStore(join(state.stateDir, 'parameters.json')),
      sequenceParameterPath: SEQUENCE_PARAMETER_PATH,
      log: silentLog,
      metrics: noMetrics,
      clock: () => COMMITTED_AT,
    },
    { key: pendingKey },
  );
  // As if sales_order/3 came from the ingest stage: its rows read 12m 34s before they loaded.
  const [ledgerRow] = await state.query<{ loaded_at: string }>(
    `SELECT to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS loaded_at
       FROM etl_control.loaded_batch WHERE source_table = 'sales_order' AND sequence = 3`,
  );
  salesLoadedAt = ledgerRow!.loaded_at;
  salesReadAt = new Date(Date.parse(salesLoadedAt) - 754_000).toISOString();
  const salesManifest = (await readBatchManifest(state.target, 'sales_order', 3))!;
  await state.processed.put(
    state.target.layout.manifest('sales_order', 3),
    JSON.stringify({ ...salesManifest, sourceReadAt: salesReadAt }),
  );
  status = await collectStatus(state.target, { now: () => LOOKED_AT });
}, 180_000);

afterAll(async () => {
  await state?.dispose();
});

const tableStatus = (table: string) => status.tables.find((t) => t.table === table)!;

describe('status over a local-mode state', () => {
  it('the pipeline run behind it saw the failing object, the rejected row and the gap', () => {
    expect(state.firstRun.failedObjects.map((f) => f.key)).toEqual([failingKey]);
    expect(state.firstRun.transformed.find((t) => t.sourceKey === rejectedSourceKey)?.rowsRejected).toBe(1);
  });

  it('reports the last sequence ingested, transformed and loaded per table', () => {
    expect(tableStatus('sales_order')).toMatchObject({
      ingested: { objects: 2, lastSequence: 3, missing: [{ from: 2, to: 2 }] },
      transformed: { batches: 2, lastSequence: 3, parameterSequence: 3, notTransformed: [] },
      loaded: { batchesLoaded: 2, lastLoadedSequence: 3 },
      lag: { pendingBatches: 0, oldestAgeSeconds: null },
    });
    expect(tableStatus('design')).toMatchObject({
      ingested: { objects: 5, lastSequence: 5, missing: [] },
      transformed: { batches: 5, lastSequence: 5, parameterSequence: 5 },
      loaded: { batchesLoaded: 4, lastLoadedSequence: 4 },
    });
    expect(tableStatus('sales_order').loaded!.lastLoadedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('shows the freshness of the last loaded batch: from the ingest run reading the source to its load', () => {
    expect(tableStatus('sales_order').freshness).toEqual({
      sequence: 3,
      sourceReadAt: salesReadAt,
      loadedAt: salesLoadedAt,
      lagSeconds: 754,
    });
    // Objects without source-read-at (this state's, landed by the generator): unknown.
    expect(tableStatus('design').freshness).toBeNull();
  });

  it('lists the object that failed to transform', () => {
    expect(tableStatus('currency').transformed).toMatchObject({ batches: 1, lastSequence: 1, notTransformed: [{ from: 2, to: 2 }] });
  });

  it('measures lag: batches committed but not loaded, and how long the oldest has waited', () => {
    expect(tableStatus('design').lag).toEqual({
      pendingBatches: 1,
      pending: [{ from: 5, to: 5 }],
      oldestTransformedAt: new Date(COMMITTED_AT).toISOString(),
      oldestAgeSeconds: 2 * 3600 + 5,
    });
  });

  it('sums rejected rows from the manifests and names the objects holding them', () => {
    expect(tableStatus('design').rejected).toEqual({
      rows: 1,
      objects: [{ sequence: 4, sourceKey: rejectedSourceKey, key: 'rejected/design/0000000004.jsonl', rows: 1 }],
    });
    expect(status.tables.filter((t) => t.table !== 'design').every((t) => t.rejected.rows === 0)).toBe(true);
  });

  it('lists what needs attention: the gap and the failed object, not lag or rejected rows', () => {
    expect(status.attention).toEqual([
      'currency: ingested but not transformed (failed, or still queued): 2',
      'sales_order: sequences missing from the ingestion bucket: 2',
    ]);
  });

  it('reads placeholders and rows from the warehouse', async () => {
    expect(status.warehouse.state).toBe('ok');
    if (status.warehouse.state !== 'ok') return;
    const [{ n }] = await state.query<{ n: number }>('SELECT count(*)::int AS n FROM fact_sales_order');
    expect(status.warehouse.rows.fact_sales_order).toBe(n);
    expect(status.warehouse.placeholdersTotal).toBe(0);
  });

  it('counts placeholder rows outstanding per dimension', async () => {
    await state.query(
      `INSERT INTO dim_design (design_id, design_name, file_location, file_name, source_version, is_placeholder)
       VALUES (777, '(pending)', '(pending)', '(pending)', '', true)`,
    );
    try {
      const again = await collectStatus(state.target, { now: () => LOOKED_AT });
      expect(again.warehouse).toMatchObject({
        state: 'ok',
        placeholdersOutstanding: { dim_design: 1, dim_staff: 0 },
        placeholdersTotal: 1,
      });
    } finally {
      await state.query('DELETE FROM dim_design WHERE design_id = 777');
    }
  });

  it('prints a table and exits 1 because something needs attention; --json prints the same figures', async () => {
    const human = captureIo();
    expect(await runCli(['status', ...state.cliTarget], human.io, { now: () => LOOKED_AT })).toBe(1);
    const text = human.stdout.join('');
    expect(text).toMatch(/^sales_order\s+3\s+2\s+3\s+3\s+-\s+3\s+0\s+-\s+0\s+12m 34s$/m);
    expect(text).toMatch(/^design\s+5\s+-\s+5\s+5\s+-\s+4\s+1\s+2h 0m\s+1\s+-$/m);
    expect(text).toContain(`1 in ${rejectedSourceKey}: rejected/design/0000000004.jsonl`);
    expect(text).toContain('- sales_order: sequences missing from the ingestion bucket: 2');

    const machine = captureIo();
    expect(await runCli(['status', ...state.cliTarget, '--json'], machine.io, { now: () => LOOKED_AT })).toBe(1);
    const parsed = JSON.parse(machine.stdout.join('')) as PipelineStatus;
    expect(parsed.tables).toEqual(JSON.parse(JSON.stringify(status.tables)));
  });

  it('says when the warehouse cannot be read, and still reports the buckets', async () => {
    const io = captureIo();
    const code = await runCli(
      ['status', '--local', '--state-dir', state.stateDir, '--database-url', 'postgres://nobody:secret@127.0.0.1:1/none', '--json'],
      io.io,
    );
    expect(code).toBe(1);
    const parsed = JSON.parse(io.stdout.join('')) as PipelineStatus;
    expect(parsed.warehouse.state).toBe('unreachable');
    expect(parsed.tables.find((t) => t.table === 'sales_order')).toMatchObject({ ingested: { lastSequence: 3 }, loaded: null, lag: null });
    expect(io.stdout.join('')).not.toContain('secret');
  });
});

/**
 * Cases `status` used to call "Nothing needs attention": rows waiting for a join partner
 * that never arrived, an object replaced after its batch was published (the transform
 * refuses it), batches whose Parquet file or manifest is gone, and placeholders a day old.
 */
describe('status flags what no longer resolves by itself', () => {
  let flagged: LocalState;
  let found: PipelineStatus;
  /** A day and an hour after the run: the placeholders it created are overdue. */
  let later: number;
  let replacedKey: string;
  let missingFileSequence: number;
  let missingFileKey: string;
  let unreadableSequence: number;
  let staffSequence: number;
  let refusal: unknown;
  let loadAfterwards: { ok: boolean; report: string };

  const deps = (state: LocalState) => ({
    ingestion: state.ingestion,
    processed: state.processed,
    layout: state.target.layout,
    parameters: new FileParameterStore(join(state.stateDir, 'parameters.json')),
    sequenceParameterPath: SEQUENCE_PARAMETER_PATH,
    log: silentLog,
    metrics: noMetrics,
  });
  const lastSequence = async (store: FileObjectStore, table: SourceTableName) => {
    let last = 0;
    for await (const object of store.list(`${table}/`)) last = Math.max(last, parseIngestionKey(object.key).sequence);
    return last;
  };

  beforeAll(async () => {
    flagged = await buildLocalState(async (ingestion) => {
      // Staff 7777 of department 9999, counterparty 8888 at address 9999: neither partner ever arrives.
      staffSequence = (await lastSequence(ingestion, 'staff')) + 1;
      await putObject(ingestion, 'staff', staffSequence, [STAFF_WITHOUT_DEPARTMENT]);
      await putObject(ingestion, 'counterparty', (await lastSequence(ingestion, 'counterparty')) + 1, [
        {
          counterparty_id: 8888,
          counterparty_legal_name: 'Nowhere Ltd',
          legal_address_id: 9999,
          commercial_contact: null,
          delivery_contact: null,
          created_at: AT,
          last_updated: AT,
        },
      ]);
      // An order by both: its facts point at placeholders for them.
      const orderKey = await keyOf(ingestion, 'sales_order', 1);
      const order = JSON.parse(new TextDecoder().decode(await ingestion.getBytes(orderKey)).split('\n')[0]!) as Record<string, unknown>;
      await putObject(ingestion, 'sales_order', (await lastSequence(ingestion, 'sales_order')) + 1, [
        { ...order, sales_order_id: 999_999, staff_id: 7777, counterparty_id: 8888 },
      ]);
    });
    later = Date.now() + 25 * 3600_000;

    // design 1 replaced after its batch was published and loaded.
    replacedKey = await keyOf(flagged.ingestion, 'design', 1);
    await putObject(flagged.ingestion, 'design', 1, [designRow(9100, 'Replaced')], parseIngestionKey(replacedKey).watermark);
    refusal = await transformObject(deps(flagged), { key: replacedKey }).catch((error: unknown) => error);

    // A committed batch whose Parquet file is then lost, and one whose manifest is damaged.
    missingFileSequence = (await lastSequence(flagged.ingestion, 'design')) + 1;
    await transformObject(deps(flagged), { key: await putObject(flagged.ingestion, 'design', missingFileSequence, [designRow(9101)]) });
    missingFileKey = flagged.target.layout.batchFile('design', missingFileSequence, 'dim_design');
    await deleteObject(flagged.processed, missingFileKey);
    unreadableSequence = missingFileSequence + 1;
    await transformObject(deps(flagged), { key: await putObject(flagged.ingestion, 'design', unreadableSequence, [designRow(9102)]) });
    await flagged.processed.put(flagged.target.layout.manifest('design', unreadableSequence), '{"formatVersion": 1');
    loadAfterwards = await flagged.target.startLoad();

    found = await collectStatus(flagged.target, { now: () => later });
  }, 180_000);

  afterAll(async () => {
    await flagged?.dispose();
  });

  const tableOf = (table: string) => found.tables.find((t) => t.table === table)!;
  const item = (pattern: RegExp) => found.attention.filter((text) => pattern.test(text));

  it('the pipeline behind it refused the replaced object and cannot load the damaged batches', () => {
    expect(flagged.firstRun.failedObjects).toEqual([]);
    expect(refusal).toBeInstanceOf(ReplacedObjectError);
    expect(loadAfterwards.ok).toBe(false);
    expect(loadAfterwards.report).toContain('listed in the manifest but not in the bucket');
  });

  it('lists rows waiting for their join partner: how many, which partner, since when, and what to do', async () => {
    const manifest = await readBatchManifest(flagged.target, 'staff', staffSequence);
    expect(tableOf('staff').waitingForPartner).toEqual({
      partnerTable: 'department',
      foreignKey: 'department_id',
      dimension: 'dim_staff',
      rows: 1,
      missingPartnerIds: [9999],
      examples: [{ id: 7777, partnerId: 9999, sequence: staffSequence }],
      oldestSequence: staffSequence,
      since: manifest!.transformedAt,
      sinceAgeSeconds: Math.round((later - Date.parse(manifest!.transformedAt)) / 1000),
    });
    expect(tableOf('counterparty').waitingForPartner).toMatchObject({
      partnerTable: 'address',
      rows: 1,
      missingPartnerIds: [9999],
      examples: [{ id: 8888, partnerId: 9999 }],
    });
    expect(tableOf('design').waitingForPartner).toBeNull();
    const [staff] = item(/^staff: /);
    expect(staff).toMatch(
      /^staff: 1 row\(s\) wait for their department since \S+ \(1d 1h ago\), first brought by sequence \d+: staff_id 7777 needs department_id 9999\./,
    );
    expect(staff).toContain('Do: check why department 9999 never arrived and land it in a new department object');
    expect(item(/^counterparty: /)[0]).toContain('counterparty_id 8888 needs legal_address_id 9999');
  });

  it('lists the object the transform refuses because it was replaced after its batch was published', async () => {
    const manifest = await readBatchManifest(flagged.target, 'design', 1);
    const etag = (await flagged.ingestion.head(replacedKey))!.etag!;
    expect(tableOf('design').transformed.refused).toEqual([
      { sequence: 1, key: replacedKey, etag, batchETag: manifest!.sourceETag, batchSourceKey: replacedKey, batchLoaded: true },
    ]);
    expect(item(new RegExp(`^design: ${replacedKey} was replaced`))[0]).toContain(
      'the transform refuses it (ReplacedObjectError) and its new content reaches no batch. Do: restore the original object',
    );
  });

  it('tells how to publish a replaced object whose batch is not loaded yet: replay it', async () => {
    const key = await keyOf(flagged.ingestion, 'design', missingFileSequence);
    const original = (await flagged.ingestion.getBytes(key))!;
    await flagged.ingestion.put(key, `${JSON.stringify(designRow(9103))}\n`);
    try {
      const again = await collectStatus(flagged.target, { now: () => later });
      expect(again.tables.find((t) => t.table === 'design')!.transformed.refused).toContainEqual(
        expect.objectContaining({ sequence: missingFileSequence, key, batchLoaded: false }),
      );
      expect(again.attention.find((text) => text.startsWith(`design: ${key} was replaced`))).toContain(
        `Do: the batch is not loaded yet, so \`npm run ops -- replay <target> --table design --from ${missingFileSequence} --to ${missingFileSequence}\` publishes the new content`,
      );
    } finally {
      await flagged.ingestion.put(key, original);
    }
  });

  it('lists a batch whose Parquet file is missing, and one whose manifest cannot be read, not just "pending"', () => {
    const design = tableOf('design');
    expect(design.lag).toMatchObject({ pendingBatches: 2 });
    expect(design.transformed.missingFiles).toEqual([{ sequence: missingFileSequence, files: [missingFileKey] }]);
    expect(design.transformed.unreadableManifests).toEqual([
      {
        sequence: unreadableSequence,
        key: flagged.target.layout.manifest('design', unreadableSequence),
        error: expect.stringContaining('bad manifest: not JSON'),
      },
    ]);
    expect(item(new RegExp(`^design: batch ${missingFileSequence} names Parquet`))[0]).toBe(
      `design: batch ${missingFileSequence} names Parquet file(s) the processed bucket does not hold: ${missingFileKey}; the loader fails on it every run. ` +
        `Do: \`npm run ops -- replay <target> --table design --from ${missingFileSequence} --to ${missingFileSequence}\` rebuilds the batch from its ingestion object`,
    );
    expect(item(new RegExp(`^design: the manifest of batch ${unreadableSequence}`))).toHaveLength(1);
  });

  it('lists placeholder rows older than a day, with their ids and what to do', () => {
    expect(found.warehouse).toMatchObject({ state: 'ok', placeholderAgeSeconds: 86_400 });
    if (found.warehouse.state !== 'ok') return;
    const overdue = found.warehouse.placeholdersOverdue;
    expect(overdue.map((o) => [o.table, o.rows, o.ids])).toEqual([
      ['dim_staff', 1, [7777]],
      ['dim_counterparty', 1, [8888]],
    ]);
    expect(overdue[0]!.oldestAgeSeconds).toBeGreaterThanOrEqual(25 * 3600);
    expect(item(/^dim_staff: /)[0]).toMatch(
      /^dim_staff: 1 placeholder row\(s\) older than 1d 0h \(oldest created \S+Z, 1d 1h ago; ids 7777\): facts refer to staff rows that have not arrived\. Do: check that the staff ingestion holds these ids \(rows waiting for their department are listed above\)/,
    );
  });

  it('lists nothing else: the rest of the generated state is well', () => {
    expect(found.attention.map((text) => text.slice(0, text.indexOf(':')))).toEqual([
      'counterparty',
      'design',
      'design',
      'design',
      'staff',
      'dim_staff',
      'dim_counterparty',
    ]);
  });

  it('prints each item and exits 1; --json carries the new fields; --placeholder-age moves the threshold', async () => {
    const human = captureIo();
    expect(await runCli(['status', ...flagged.cliTarget], human.io, { now: () => later })).toBe(1);
    const text = human.stdout.join('');
    expect(text).toContain('of which older than 1d 0h: dim_staff 1, dim_counterparty 1');
    for (const entry of found.attention) expect(text).toContain(`  - ${entry}\n`);

    const machine = captureIo();
    expect(await runCli(['status', ...flagged.cliTarget, '--json', '--placeholder-age', '2d'], machine.io, { now: () => later })).toBe(1);
    const parsed = JSON.parse(machine.stdout.join('')) as PipelineStatus;
    expect(parsed.warehouse).toMatchObject({ placeholderAgeSeconds: 172_800, placeholdersOverdue: [] });
    expect(parsed.tables.find((t) => t.table === 'staff')!.waitingForPartner).toMatchObject({ rows: 1, missingPartnerIds: [9999] });
    expect(parsed.tables.find((t) => t.table === 'design')!.transformed).toMatchObject({
      refused: [{ key: replacedKey }],
      missingFiles: [{ sequence: missingFileSequence }],
      unreadableManifests: [{ sequence: unreadableSequence }],
    });
    expect(parsed.attention.filter((text) => text.startsWith('dim_'))).toEqual([]);
  });

  it('says when the join state cannot be read (the transform fails on it too)', async () => {
    const key = flagged.target.layout.state('staff');
    const original = (await flagged.processed.getBytes(key))!;
    await flagged.processed.put(key, 'not json');
    try {
      const again = await collectStatus(flagged.target, { now: () => later });
      expect(again.tables.find((t) => t.table === 'staff')!.waitingForPartner).toMatchObject({
        rows: 0,
        error: expect.stringContaining(key),
      });
      expect(again.attention).toContainEqual(
        expect.stringMatching(
          /^staff: the join state cannot be read \(join state object "state\/staff\.json" is unreadable: .*\); the transform fails on staff and department objects too$/,
        ),
      );
    } finally {
      await flagged.processed.put(key, original);
    }
  });

  it('says when a manifest vanishes between listing and reading', async () => {
    const vanished = flagged.target.layout.manifest('design', 2);
    const processed = flagged.target.processed;
    const racing: Target = {
      ...flagged.target,
      processed: {
        list: (prefix, startAfter) => processed.list(prefix, startAfter),
        head: (key) => processed.head(key),
        getStream: (key) => processed.getStream(key),
        put: (key, body, options) => processed.put(key, body, options),
        putIf: (key, body, condition, options) => processed.putIf(key, body, condition, options),
        // Deleted after the listing saw it.
        get: async (key) => (key === vanished ? undefined : processed.get(key)),
        getBytes: async (key) => (key === vanished ? undefined : processed.getBytes(key)),
      },
    };
    const again = await collectStatus(racing, { now: () => later });
    expect(again.tables.find((t) => t.table === 'design')!.transformed.unreadableManifests).toContainEqual({
      sequence: 2,
      key: vanished,
      error: 'the manifest was removed while status ran',
    });
  });

  it.each([['24'], ['0h'], ['1.5h'], ['1w']])('refuses --placeholder-age %s as a usage error', async (age) => {
    const io = captureIo();
    expect(await runCli(['status', ...flagged.cliTarget, '--placeholder-age', age], io.io)).toBe(2);
    expect(io.stderr.join('')).toContain(
      `--placeholder-age must be a whole number of minutes, hours or days, e.g. 90m, 24h or 2d, not "${age}"`,
    );
  });

  it('takes --placeholder-age with status only', async () => {
    const io = captureIo();
    expect(await runCli(['reconcile', ...flagged.cliTarget, '--placeholder-age', '2d'], io.io)).toBe(2);
    expect(io.stderr.join('')).toContain('--placeholder-age applies to status only');
  });
});
