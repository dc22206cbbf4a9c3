/** transformObject end to end: ingestion object in fake S3 → processed batch in fake S3, SSM. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TransformMetric } from '../../lambdas/core/metric-names';
import { duckdbQuery } from '../support/duckdb';
import { TransformHarness } from './support/harness';
import { line, rawLine } from '../support/source-rows';

const h = new TransformHarness();
beforeEach(() => h.reset());
afterAll(() => {
  h.s3.restore();
  h.ssm.restore();
});

/** Runs DuckDB over the bytes saved as a file; `sql` gets the quoted file path. */
async function duckdb(bytes: Uint8Array, sql: (path: string) => string) {
  const dir = await mkdtemp(join(tmpdir(), 'transform-'));
  const path = join(dir, 'batch.parquet');
  await writeFile(path, bytes);
  return duckdbQuery(sql(`'${path}'`));
}

describe('a fact object', () => {
  it('becomes Parquet files DuckDB reads with the right logical types and exact values', async () => {
    const object = h.ingest('sales_order', 1, [
      line('sales_order', { created_at: '2024-11-14 09:30:12.345', last_updated: '2024-11-14T09:30:12.345678' }),
      line('sales_order', { sales_order_id: 3, unit_price: '12345678.99' }),
    ]);
    const summary = await h.transform(object);
    expect(summary).toMatchObject({
      outcome: 'processed',
      sourceTable: 'sales_order',
      sequence: 1,
      rowsIn: 2,
      rowsRejected: 0,
      rowsOut: { fact_sales_order: 2, dim_date: 4 },
      sequenceGap: 0,
      late: false,
    });

    const fact = h.parquet('sales_order', 1, 'fact_sales_order')!;
    const types = await duckdb(fact, (f) => `DESCRIBE SELECT * FROM read_parquet(${f})`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
      created_date: 'DATE',
      created_time: 'TIME',
      unit_price: 'DECIMAL(10,2)',
      sales_staff_id: 'INTEGER',
      agreed_payment_date: 'DATE',
      version_hash: 'VARCHAR',
    });
    const values = await duckdb(
      fact,
      (f) =>
        `SELECT sales_order_id id, created_date::VARCHAR cd, created_time::VARCHAR ct, last_updated_time::VARCHAR lt,
                unit_price::VARCHAR price, sales_staff_id staff FROM read_parquet(${f}) ORDER BY id`,
    );
    expect(values).toEqual([
      { id: 2, cd: '2024-11-14', ct: '09:30:12.345', lt: '09:30:12.345', price: '3.94', staff: 19 },
      { id: 3, cd: '2022-11-03', ct: '14:20:52.186', lt: '14:20:52.186', price: '12345678.99', staff: 19 },
    ]);
    const kv = await duckdb(fact, (f) => `SELECT decode(key) k, decode(value) v FROM parquet_kv_metadata(${f})`);
    expect(Object.fromEntries(kv.map((r) => [r.k, r.v]))).toMatchObject({
      source_key: object.key,
      source_table: 'sales_order',
      sequence: '1',
      warehouse_table: 'fact_sales_order',
      rows: '2',
    });

    const dates = await duckdb(
      h.parquet('sales_order', 1, 'dim_date')!,
      (f) => `SELECT date_id::VARCHAR d, day_of_week, day_name, month_name, quarter FROM read_parquet(${f}) ORDER BY date_id`,
    );
    expect(dates).toEqual([
      { d: '2022-11-03', day_of_week: 4, day_name: 'Thursday', month_name: 'November', quarter: 4 },
      { d: '2022-11-07', day_of_week: 1, day_name: 'Monday', month_name: 'November', quarter: 4 },
      { d: '2022-11-08', day_of_week: 2, day_name: 'Tuesday', month_name: 'November', quarter: 4 },
      { d: '2024-11-14', day_of_week: 4, day_name: 'Thursday', month_name: 'November', quarter: 4 },
    ]);
  });

  it('commits with a manifest listing every file, written after them', async () => {
    const object = h.ingest('payment', 7, [line('payment')]);
    await h.transform(object);
    const manifest = h.manifest('payment', 7)!;
    expect(manifest).toMatchObject({
      formatVersion: 1,
      sourceTable: 'payment',
      sequence: 7,
      watermark: '20241114T093012345',
      sourceKey: object.key,
      sourceETag: object.etag,
      rowsIn: 1,
      rowsRejected: 0,
      files: [
        { table: 'dim_date', key: 'processed/batches/payment/0000000007/dim_date.parquet', rows: 1 },
        { table: 'fact_payment', key: 'processed/batches/payment/0000000007/fact_payment.parquet', rows: 1 },
      ],
    });
    expect(new Date(manifest.transformedAt).toISOString()).toBe(manifest.transformedAt);
    const puts = h.s3.putKeys();
    expect(puts.at(-1)).toBe('processed/manifests/payment/0000000007.json');
    expect(puts.slice(0, -1).sort()).toEqual(manifest.files.map((f) => f.key).sort());
  });
});

describe('freshness: when the source was read', () => {
  it("carries the object's source-read-at metadata into the manifest as sourceReadAt", async () => {
    const object = h.ingest('sales_order', 1, [line('sales_order')], { metadata: { 'source-read-at': '2024-11-14T11:58:30.125Z' } });
    await h.transform(object);
    expect(h.manifest('sales_order', 1)!.sourceReadAt).toBe('2024-11-14T11:58:30.125Z');
  });

  it('leaves sourceReadAt out when the object has none (objects from other jobs)', async () => {
    const object = h.ingest('sales_order', 1, [line('sales_order')], { metadata: { 'content-encoding': 'identity' } });
    await h.transform(object);
    expect(h.manifest('sales_order', 1)).not.toHaveProperty('sourceReadAt');
  });

  it('leaves out, with a warning naming the object, a value that is not an ISO instant; the batch still publishes', async () => {
    const object = h.ingest('sales_order', 1, [line('sales_order')], { metadata: { 'source-read-at': '2024-11-14 11:58:30' } });
    const summary = await h.transform(object);
    expect(summary.outcome).toBe('processed');
    expect(h.manifest('sales_order', 1)).not.toHaveProperty('sourceReadAt');
    expect(h.log.at('warn')).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining('"source-read-at" is not an ISO instant'),
        attributes: { sourceKey: object.key, value: '2024-11-14 11:58:30' },
      }),
    );
  });
});

describe('value encodings seen in real dumps (CONTRACT.md §2)', () => {
  it('accepts timestamps with 0–6 fractional digits, integral floats, money strings and "t"/"f" booleans', async () => {
    const object = h.ingest('payment', 1, [
      rawLine(
        'payment',
        { payment_id: 1, created_at: '2024-01-02 03:04:05', last_updated: '2024-01-02T03:04:05.1' },
        {
          transaction_id: '2.0',
          payment_amount: '"552548.62"',
          paid: '"t"',
        },
      ),
      rawLine(
        'payment',
        { payment_id: 2, created_at: '2024-01-02 03:04:05.12', last_updated: '2024-01-02 03:04:05.123456' },
        {
          currency_id: '3.0',
          payment_amount: '0.1',
          paid: '"f"',
        },
      ),
      rawLine('payment', { payment_id: 3, paid: true }, { payment_amount: '99999999.99' }),
    ]);
    const summary = await h.transform(object);
    expect(summary.rowsRejected).toBe(0);
    const rows = await h.rows('payment', 1, 'fact_payment');
    expect(
      rows!.map((r) => [r.payment_id, r.created_time, r.last_updated_time, r.transaction_id, r.currency_id, r.payment_amount, r.paid]),
    ).toEqual([
      [1, 11_045_000, 11_045_100, 2, 2, 55_254_862n, true],
      [2, 11_045_120, 11_045_123, 2, 3, 10n, false],
      [3, 51_652_187, 51_652_187, 2, 2, 9_999_999_999n, true],
    ]);
    const cents = await duckdb(
      h.parquet('payment', 1, 'fact_payment')!,
      (f) => `SELECT sum(payment_amount)::VARCHAR total FROM read_parquet(${f})`,
    );
    expect(cents).toEqual([{ total: '100552548.71' }]);
  });

  it('reads a gzip object', async () => {
    const object = h.ingest('currency', 1, [line('currency'), line('currency', { currency_id: 2, currency_code: 'USD' })], { gzip: true });
    expect(object.key.endsWith('.jsonl.gz')).toBe(true);
    await h.transform(object);
    const rows = await h.rows('currency', 1, 'dim_currency');
    expect(rows!.map((r) => r.currency_name)).toEqual(['British Pound', 'US Dollar']);
  });
});

describe('bad rows', () => {
  it('go to rejected/<table>/<sequence>.jsonl naming object, line, column and reason; the rest flows', async () => {
    const object = h.ingest('sales_order', 3, [
      line('sales_order', { sales_order_id: 1 }),
      line('sales_order', { sales_order_id: 2, agreed_delivery_date: '2024-02-30' }),
      line('sales_order', { sales_order_id: 3 }),
    ]);
    const summary = await h.transform(object);
    expect(summary).toMatchObject({ rowsIn: 3, rowsRejected: 1, rowsOut: { fact_sales_order: 2 } });
    expect(summary.rejectedKey).toBe('processed/rejected/sales_order/0000000003.jsonl');
    const rejected = h.s3
      .text('totesys-processed', summary.rejectedKey!)!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected).toEqual([expect.objectContaining({ objectKey: object.key, line: 2, column: 'agreed_delivery_date' })]);
    expect(rejected[0].reason).toMatch(/date/i);
    expect(h.manifest('sales_order', 3)).toMatchObject({ rowsRejected: 1, rejectedKey: summary.rejectedKey });
    expect(h.metrics.total(TransformMetric.RowsRejected, 'sales_order')).toBe(1);
    expect(h.metrics.total(TransformMetric.RowsIn, 'sales_order')).toBe(3);
    expect((await h.rows('sales_order', 3, 'fact_sales_order'))!.map((r) => r.sales_order_id)).toEqual([1, 3]);
  });
});

describe('a bad object', () => {
  it('publishes nothing, leaves SSM alone and fails with an error naming the object and line', async () => {
    const object = h.ingest('design', 2, [line('design'), line('design', { design_id: 9, colour: 'red' })]);
    await expect(h.transform(object)).rejects.toMatchObject({
      name: 'BadObjectError',
      message: expect.stringContaining(object.key),
    });
    await expect(h.transform(object)).rejects.toThrow(/line 2/);
    expect(h.processedKeys()).toEqual([]);
    expect(h.lastSequence('design')).toBeUndefined();
    expect(h.metrics.total(TransformMetric.ObjectsFailed, 'design')).toBe(2);
    expect(h.log.at('error')[0]!.attributes).toMatchObject({ sourceKey: object.key, errorName: 'BadObjectError' });
  });

  it('a key outside the ingestion format fails clearly', async () => {
    h.s3.put('totesys-ingestion', 'sales_order/latest.json', '{}\n');
    await expect(h.transform({ key: 'sales_order/latest.json' })).rejects.toMatchObject({
      name: 'BadObjectKeyError',
      message: expect.stringContaining('sales_order/latest.json'),
    });
    await expect(h.transform({ key: 'widgets/0000000001_20241114T093012345.jsonl' })).rejects.toThrow(/unknown table "widgets"/);
    expect(h.processedKeys()).toEqual([]);
  });

  it('a missing object fails clearly', async () => {
    await expect(h.transform({ key: 'design/0000000001_20241114T093012345.jsonl', etag: 'abc' })).rejects.toThrow(
      /"design\/0000000001_20241114T093012345.jsonl" does not exist/,
    );
  });
});

describe('delivery semantics (CONTRACT.md §5)', () => {
  it('a re-delivered object changes nothing: skipped, no writes', async () => {
    const object = h.ingest('sales_order', 1, [line('sales_order')]);
    await h.transform(object);
    const before = new Map(h.processedKeys().map((k) => [k, h.s3.get('totesys-processed', k)!.etag]));
    h.s3.mock.resetHistory();
    h.ssm.mock.resetHistory();

    const again = await h.transform(object);
    expect(again).toMatchObject({ outcome: 'skipped', rowsIn: 1, rowsOut: { fact_sales_order: 1, dim_date: 3 } });
    expect(h.s3.putKeys()).toEqual([]);
    expect(new Map(h.processedKeys().map((k) => [k, h.s3.get('totesys-processed', k)!.etag]))).toEqual(before);
    expect(h.lastSequence('sales_order')).toBe('1');
    expect(h.metrics.total(TransformMetric.ObjectsSkipped, 'sales_order')).toBe(1);
  });

  it('a redelivery without an event ETag reads the ETag from the object and still skips', async () => {
    const object = h.ingest('design', 1, [line('design')]);
    await h.transform(object);
    h.s3.mock.resetHistory();
    expect((await h.transform({ key: object.key })).outcome).toBe('skipped');
    expect(h.s3.putKeys()).toEqual([]);
  });

  it('an object replaced under the same key (new ETag) is refused loudly, its batch left as published', async () => {
    const original = h.ingest('design', 1, [line('design', { design_name: 'Wooden' })]);
    await h.transform(original);
    const replaced = h.ingest('design', 1, [line('design', { design_name: 'Oak' })]);
    h.s3.mock.resetHistory();
    await expect(h.transform(replaced)).rejects.toThrow(
      /"design\/0000000001_\d+T\d+\.jsonl" was replaced after its batch was published .*next sequence/,
    );
    expect(h.s3.putKeys()).toEqual([]);
    expect((await h.rows('design', 1, 'dim_design'))!.map((r) => r.design_name)).toEqual(['Wooden']);
    expect(h.manifest('design', 1)!.sourceETag).toBe(original.etag);
  });

  it('an object overwritten between its event and the read: the manifest records the ETag of the bytes read', async () => {
    const first = h.ingest('design', 1, [line('design', { design_name: 'Wooden' })]);
    const second = h.ingest('design', 1, [line('design', { design_name: 'Oak' })]); // lands before the first event is handled
    expect((await h.transform(first)).outcome).toBe('processed');
    expect((await h.rows('design', 1, 'dim_design'))!.map((r) => r.design_name)).toEqual(['Oak']);
    expect(h.manifest('design', 1)!.sourceETag).toBe(second.etag);
    expect(h.log.at('warn')).toContainEqual(
      expect.objectContaining({
        message: 'ingestion object changed since its event: transforming the bytes read',
        attributes: { sourceKey: first.key, eventETag: first.etag, readETag: second.etag },
      }),
    );

    // The second object's own event finds its bytes published; the first event again is stale: both skip.
    h.s3.mock.resetHistory();
    expect((await h.transform(second)).outcome).toBe('skipped');
    expect((await h.transform(first)).outcome).toBe('skipped');
    expect(h.s3.putKeys()).toEqual([]);
  });

  it('a forced replay transforms a published object again, recording its ETag', async () => {
    await h.transform(h.ingest('design', 1, [line('design', { design_name: 'Wooden' })]));
    const replaced = h.ingest('design', 1, [line('design', { design_name: 'Oak' })]);
    expect((await h.transform({ ...replaced, force: true })).outcome).toBe('processed');
    expect((await h.rows('design', 1, 'dim_design'))!.map((r) => r.design_name)).toEqual(['Oak']);
    expect(h.manifest('design', 1)!.sourceETag).toBe(replaced.etag);
  });

  it('a late object is processed and leaves the last processed sequence where it was', async () => {
    await h.transform(h.ingest('design', 5, [line('design', { design_id: 5 })]));
    const late = await h.transform(h.ingest('design', 4, [line('design', { design_id: 4 })]));
    expect(late).toMatchObject({ outcome: 'processed', late: true, sequenceGap: 0 });
    expect((await h.rows('design', 4, 'dim_design'))!.map((r) => r.design_id)).toEqual([4]);
    expect(h.lastSequence('design')).toBe('5');
  });

  it('a gap in sequences logs a warning and counts the missing sequences', async () => {
    await h.transform(h.ingest('currency', 1, [line('currency')]));
    const summary = await h.transform(h.ingest('currency', 4, [line('currency')]));
    expect(summary.sequenceGap).toBe(2);
    expect(h.lastSequence('currency')).toBe('4');
    expect(h.log.at('warn')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/gap/),
        attributes: expect.objectContaining({ sequence: 4, lastProcessedSequence: 1, missingSequences: 2 }),
      }),
    ]);
    expect(h.metrics.total(TransformMetric.SequenceGaps, 'currency')).toBe(2);
  });

  it('a crash before the manifest is repaired by re-delivery, with the same batch', async () => {
    await h.transform(h.ingest('department', 1, [line('department')]));
    const staff = h.ingest('staff', 1, [line('staff'), line('staff', { staff_id: 2 })]);
    h.s3.failPut = (_bucket, key) => key.includes('/manifests/');
    await expect(h.transform(staff)).rejects.toThrow(/injected failure/);
    expect(h.manifest('staff', 1)).toBeUndefined();
    expect(h.lastSequence('staff')).toBeUndefined();

    h.s3.failPut = undefined;
    const retried = await h.transform(staff);
    expect(retried).toMatchObject({ outcome: 'processed', rowsOut: { dim_staff: 2 } });
    expect((await h.rows('staff', 1, 'dim_staff'))!.map((r) => r.staff_id)).toEqual([1, 2]);
    expect(h.lastSequence('staff')).toBe('1');
  });

  it('a crash after the manifest but before SSM is repaired by the skipped re-delivery', async () => {
    const object = h.ingest('design', 3, [line('design')]);
    h.ssm.failPut = () => true;
    await expect(h.transform(object)).rejects.toThrow(/injected failure/);
    expect(h.manifest('design', 3)).toBeDefined();
    expect(h.lastSequence('design')).toBeUndefined();
    h.ssm.failPut = undefined;
    expect((await h.transform(object)).outcome).toBe('skipped');
    expect(h.lastSequence('design')).toBe('3');
  });
});

describe('joins across objects through state in the processed bucket', () => {
  it('department rename re-emits its staff; address change re-emits location and counterparties', async () => {
    await h.transform(h.ingest('department', 1, [line('department', { department_id: 4, department_name: 'Dispatch', location: 'Leds' })]));
    await h.transform(
      h.ingest('staff', 1, [line('staff', { staff_id: 1, department_id: 4 }), line('staff', { staff_id: 2, department_id: 4 })]),
    );
    expect((await h.rows('staff', 1, 'dim_staff'))!.map((r) => [r.staff_id, r.department_name, r.location])).toEqual([
      [1, 'Dispatch', 'Leds'],
      [2, 'Dispatch', 'Leds'],
    ]);
    expect(h.s3.text('totesys-processed', 'processed/state/staff.json')).toContain('jeremie.franey');

    await h.transform(
      h.ingest('department', 2, [
        line('department', { department_id: 4, department_name: 'Shipping', location: 'Leds', last_updated: '2024-11-14 10:00:00' }),
      ]),
    );
    expect((await h.rows('department', 2, 'dim_staff'))!.map((r) => [r.staff_id, r.department_name])).toEqual([
      [1, 'Shipping'],
      [2, 'Shipping'],
    ]);

    await h.transform(
      h.ingest('counterparty', 1, [
        line('counterparty', { counterparty_id: 1, legal_address_id: 15 }),
        line('counterparty', { counterparty_id: 2, legal_address_id: 15 }),
      ]),
    );
    expect(await h.rows('counterparty', 1, 'dim_counterparty')).toBeUndefined(); // waiting for the address
    await h.transform(h.ingest('address', 1, [line('address', { address_id: 15 })]));
    await h.transform(h.ingest('address', 2, [line('address', { address_id: 15, city: 'Leeds', last_updated: '2024-11-14 10:00:00' })]));
    expect((await h.rows('address', 2, 'dim_location'))!.map((r) => [r.location_id, r.city])).toEqual([[15, 'Leeds']]);
    expect((await h.rows('address', 2, 'dim_counterparty'))!.map((r) => [r.counterparty_id, r.counterparty_legal_city])).toEqual([
      [1, 'Leeds'],
      [2, 'Leeds'],
    ]);
  });

  it('an older dimension version arriving late is not re-emitted', async () => {
    await h.transform(h.ingest('address', 2, [line('address', { city: 'Newer', last_updated: '2024-11-14 10:00:00' })]));
    const late = await h.transform(h.ingest('address', 1, [line('address', { city: 'Older', last_updated: '2024-11-01 10:00:00' })]));
    expect(late).toMatchObject({ olderThanState: 1, rowsOut: {} });
    expect(h.manifest('address', 1)!.files).toEqual([]);
  });
});

describe('observability', () => {
  it('logs start and completion with the source key, row counts and duration, and records metrics', async () => {
    const object = h.ingest('sales_order', 1, [line('sales_order')]);
    await h.transform(object);
    const messages = h.log.entries.map((e) => e.message);
    expect(messages[0]).toBe('transform started');
    expect(messages.at(-1)).toBe('transform completed');
    expect(h.log.entries.at(-1)!.attributes).toMatchObject({
      sourceKey: object.key,
      rowsIn: 1,
      rowsRejected: 0,
      rowsOut: { fact_sales_order: 1, dim_date: 3 },
      durationMs: expect.any(Number),
    });
    expect(h.log.entries.filter((e) => e.message === 'warehouse table written').map((e) => e.attributes!.warehouseTable)).toEqual([
      'dim_date',
      'fact_sales_order',
    ]);
    expect(h.metrics.total(TransformMetric.RowsOut, 'fact_sales_order')).toBe(1);
    expect(h.metrics.total(TransformMetric.RowsOut, 'dim_date')).toBe(3);
    expect(h.metrics.total(TransformMetric.ObjectsProcessed, 'sales_order')).toBe(1);
    expect(h.metrics.points.find((p) => p.name === TransformMetric.Duration)).toMatchObject({ unit: 'Milliseconds' });
  });

  it('an empty object is a valid batch with no files', async () => {
    const summary = await h.transform(h.ingest('transaction', 1, []));
    expect(summary).toMatchObject({ rowsIn: 0, rowsOut: {} });
    expect(h.manifest('transaction', 1)).toMatchObject({ rowsIn: 0, files: [] });
  });
});
