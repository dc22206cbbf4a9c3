/**
 * The ingest stage against a real Postgres source: what each run extracts, how it is
 * encoded, and how state survives crashes and concurrent runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExtractHarness, done, insertSalesOrder } from './support/harness';

// Source timestamps are naive: a far zone on this machine must not move them.
process.env.TZ = 'Pacific/Kiritimati';

let h: ExtractHarness;

beforeEach(async () => {
  h = await ExtractHarness.create();
});

afterEach(async () => {
  await h.dispose();
});

describe('first run', () => {
  it('writes one gzip object per table with rows, encoded exactly, and records sequence 1', async () => {
    await h.sql(`INSERT INTO currency VALUES (1, 'GBP', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962'),
      (2, 'USD', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49')`);
    await h.sql(`INSERT INTO payment VALUES (2, 2, 15, 552548.62, 2, 3, false, '2022-11-04', 67305075, 31622269,
      '2022-11-03 14:20:52.187', '2022-11-03 14:20:52.187')`);
    await h.sql(`INSERT INTO address VALUES (1, '6826 Herzog Via', NULL, 'Avon', 'New Patienceburgh', '28441', 'Turkey', '1803 637401',
      '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`);

    const summary = done(await h.run());

    expect(summary.failures).toEqual([]);
    expect(h.keys('currency')).toEqual(['landing/currency/0000000001_20221103T142049962.jsonl.gz']);
    expect(h.lines(h.keys('currency')[0]!)).toEqual([
      '{"currency_id":1,"currency_code":"GBP","created_at":"2022-11-03 14:20:49.962","last_updated":"2022-11-03 14:20:49.962"}',
      '{"currency_id":2,"currency_code":"USD","created_at":"2022-11-03 14:20:49.962","last_updated":"2022-11-03 14:20:49.000"}',
    ]);
    expect(h.lines(h.keys('payment')[0]!)).toEqual([
      '{"payment_id":2,"transaction_id":2,"counterparty_id":15,"payment_amount":"552548.62","currency_id":2,"payment_type_id":3,' +
        '"paid":false,"payment_date":"2022-11-04","company_ac_number":67305075,"counterparty_ac_number":31622269,' +
        '"created_at":"2022-11-03 14:20:52.187","last_updated":"2022-11-03 14:20:52.187"}',
    ]);
    expect(h.rows(h.keys('address')[0]!)[0]).toMatchObject({ address_line_2: null, district: 'Avon', phone: '1803 637401' });
    // Tables with no rows write nothing.
    expect(h.keys('sales_order')).toEqual([]);
    expect(h.state('currency')?.sequence).toBe(1);
    expect(h.state('sales_order')?.sequence).toBe(0);
  });

  it("records in each object's metadata when its run read the source (UTC ISO), for the freshness lag", async () => {
    await insertSalesOrder(h, 1);
    const before = Date.now();
    done(await h.run());
    const after = Date.now();
    await insertSalesOrder(h, 2, { lastUpdated: '2022-11-05 00:00:00.000' });
    done(await h.run());

    const [first, second] = h.keys('sales_order');
    const metadata = (await h.ingestion.metadata(first!))!;
    const readAt = metadata['source-read-at']!;
    // UTC whatever this machine's zone (Pacific/Kiritimati here), and the run's snapshot time.
    expect(readAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(readAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(readAt)).toBeLessThanOrEqual(after);
    expect(JSON.parse(metadata['extract-cursor']!).takenAt).toBe(readAt);
    const next = (await h.ingestion.metadata(second!))!['source-read-at']!;
    expect(Date.parse(next)).toBeGreaterThan(Date.parse(readAt));
  });

  it('keeps money to the cent and naive timestamps unshifted under a far TZ', async () => {
    await insertSalesOrder(h, 1, { unitPrice: '0.01', lastUpdated: '2024-12-31 23:59:59.999', createdAt: '2024-01-01 00:00:00' });
    await insertSalesOrder(h, 2, { unitPrice: '99999999.99' });
    await insertSalesOrder(h, 3, { unitPrice: '12.3' });

    done(await h.run());

    const [key] = h.keys('sales_order');
    expect(key).toBe('landing/sales_order/0000000001_20241231T235959999.jsonl.gz');
    const rows = h.rows(key!);
    expect(rows.map((row) => row.unit_price)).toEqual(['0.01', '99999999.99', '12.30']);
    expect(rows[0]).toMatchObject({ created_at: '2024-01-01 00:00:00.000', last_updated: '2024-12-31 23:59:59.999', units_sold: 42972 });
  });
});

describe('incremental runs', () => {
  it('extracts new and changed rows only, in a new sequence', async () => {
    await insertSalesOrder(h, 1);
    await insertSalesOrder(h, 2);
    done(await h.run());

    await insertSalesOrder(h, 3, { lastUpdated: '2022-11-04 09:00:00.000' });
    await h.sql(`UPDATE sales_order SET units_sold = 7, last_updated = '2022-11-04 10:00:00.5' WHERE sales_order_id = 2`);
    done(await h.run());

    const keys = h.keys('sales_order');
    expect(keys).toEqual([
      'landing/sales_order/0000000001_20221103T142052186.jsonl.gz',
      'landing/sales_order/0000000002_20221104T100000500.jsonl.gz',
    ]);
    expect(h.rows(keys[1]!).map((row) => [row.sales_order_id, row.units_sold])).toEqual(
      expect.arrayContaining([
        [2, 7],
        [3, 42972],
      ]),
    );
    expect(h.rows(keys[1]!)).toHaveLength(2);
    expect(h.state('sales_order')?.sequence).toBe(2);
  });

  it('extracts a row sharing the previous watermark timestamp', async () => {
    await insertSalesOrder(h, 1, { lastUpdated: '2022-11-03 14:20:52.186' });
    done(await h.run());
    await insertSalesOrder(h, 2, { lastUpdated: '2022-11-03 14:20:52.186' });

    done(await h.run());

    const keys = h.keys('sales_order');
    expect(keys).toHaveLength(2);
    expect(h.rows(keys[1]!).map((row) => row.sales_order_id)).toEqual([2]);
  });

  it('extracts a row whose transaction commits after a run read past its older last_updated', async () => {
    const late = await h.connect();
    await late.query('BEGIN');
    await insertSalesOrder(h, 1, { lastUpdated: '2022-11-03 09:00:00.000' }, late);
    await insertSalesOrder(h, 2, { lastUpdated: '2022-11-03 18:00:00.000' });
    done(await h.run());
    expect(h.rows(h.keys('sales_order')[0]!).map((row) => row.sales_order_id)).toEqual([2]);

    await late.query('COMMIT');
    done(await h.run());

    const keys = h.keys('sales_order');
    expect(keys[1]).toBe('landing/sales_order/0000000002_20221103T090000000.jsonl.gz');
    expect(h.rows(keys[1]!).map((row) => row.sales_order_id)).toEqual([1]);
  });

  it('extracts a row written under a savepoint of a transaction still open during the previous run', async () => {
    const late = await h.connect();
    await late.query('BEGIN');
    await late.query('SAVEPOINT s');
    await insertSalesOrder(h, 5, {}, late);
    await late.query('RELEASE SAVEPOINT s');
    done(await h.run());
    expect(h.keys('sales_order')).toEqual([]);

    await late.query('COMMIT');
    done(await h.run());

    expect(h.rows(h.keys('sales_order')[0]!).map((row) => row.sales_order_id)).toEqual([5]);
  });

  it('extracts a row changed without last_updated moving, and not one updated to the same values', async () => {
    await insertSalesOrder(h, 1);
    await insertSalesOrder(h, 2);
    done(await h.run());

    await h.sql(`UPDATE sales_order SET unit_price = 4.10 WHERE sales_order_id = 1`);
    await h.sql(`UPDATE sales_order SET units_sold = units_sold WHERE sales_order_id = 2`);
    done(await h.run());

    const keys = h.keys('sales_order');
    expect(keys).toHaveLength(2);
    expect(h.rows(keys[1]!)).toEqual([
      expect.objectContaining({ sales_order_id: 1, unit_price: '4.10', last_updated: '2022-11-03 14:20:52.186' }),
    ]);
  });

  it('writes no object for a table with no changes, and moves its cursor on', async () => {
    await insertSalesOrder(h, 1);
    done(await h.run());
    const first = h.state('sales_order');

    await h.sql(`INSERT INTO currency VALUES (1, 'GBP', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`);
    const summary = done(await h.run());

    expect(h.keys('sales_order')).toHaveLength(1);
    expect(summary.tables.find((t) => t.table === 'sales_order')).toMatchObject({ outcome: 'unchanged', rows: 0, sequence: 1 });
    const second = h.state('sales_order');
    expect(second?.sequence).toBe(1);
    expect(BigInt(second!.cursor!.xmax)).toBeGreaterThan(BigInt(first!.cursor!.xmax));
  });

  it('does not extract deleted rows (a delete is not seen: the warehouse keeps the last version)', async () => {
    await insertSalesOrder(h, 1);
    await insertSalesOrder(h, 2);
    done(await h.run());
    await h.sql('DELETE FROM sales_order WHERE sales_order_id = 1');

    done(await h.run());

    expect(h.keys('sales_order')).toHaveLength(1);
  });
});

describe('crashes and lost state', () => {
  it('adopts an object uploaded by a run that crashed before recording it: no second key, no gap', async () => {
    await insertSalesOrder(h, 1);
    h.ssm.failPut = (name) => name.endsWith('/sales_order');
    const crashed = done(await h.run());
    expect(crashed.failures.map((f) => f.table)).toEqual(['sales_order']);
    expect(h.keys('sales_order')).toHaveLength(1);
    expect(h.state('sales_order')).toBeUndefined();

    h.ssm.failPut = undefined;
    await insertSalesOrder(h, 2, { lastUpdated: '2022-11-05 00:00:00.000' });
    const next = done(await h.run());

    expect(next.tables.find((t) => t.table === 'sales_order')?.adoptedKey).toBe(
      'landing/sales_order/0000000001_20221103T142052186.jsonl.gz',
    );
    const keys = h.keys('sales_order');
    expect(keys).toEqual([
      'landing/sales_order/0000000001_20221103T142052186.jsonl.gz',
      'landing/sales_order/0000000002_20221105T000000000.jsonl.gz',
    ]);
    expect(h.rows(keys[1]!).map((row) => row.sales_order_id)).toEqual([2]);
    expect(h.state('sales_order')?.sequence).toBe(2);
  });

  it('continues after the highest key when its parameters are lost', async () => {
    await insertSalesOrder(h, 1);
    done(await h.run());
    await insertSalesOrder(h, 2, { lastUpdated: '2022-11-05 00:00:00.000' });
    done(await h.run());
    h.ssm.parameters.clear();

    await insertSalesOrder(h, 3, { lastUpdated: '2022-11-06 00:00:00.000' });
    done(await h.run());

    const keys = h.keys('sales_order');
    expect(keys).toHaveLength(3);
    expect(keys[2]).toBe('landing/sales_order/0000000003_20221106T000000000.jsonl.gz');
    expect(h.rows(keys[2]!).map((row) => row.sales_order_id)).toEqual([3]);
  });

  it('leaves the state unchanged when the upload fails, and the next run writes the same sequence', async () => {
    await insertSalesOrder(h, 1);
    h.s3.failWrite = (key) => key.startsWith('landing/sales_order/');
    const failed = done(await h.run());
    expect(failed.failures).toEqual([{ table: 'sales_order', error: expect.stringContaining('injected failure') }]);
    expect(h.keys('sales_order')).toEqual([]);

    h.s3.failWrite = undefined;
    done(await h.run());

    expect(h.keys('sales_order')).toEqual(['landing/sales_order/0000000001_20221103T142052186.jsonl.gz']);
    expect(h.rows(h.keys('sales_order')[0]!).map((row) => row.sales_order_id)).toEqual([1]);
  });

  it('resyncs every row when the cursor is ahead of the database, emitting only changed rows', async () => {
    await insertSalesOrder(h, 1);
    await insertSalesOrder(h, 2);
    done(await h.run());
    await h.sql(`UPDATE sales_order SET units_sold = 1 WHERE sales_order_id = 2`);
    // As after a restore: the recorded cursor is far beyond the database's transactions.
    const name = '/totesys/ingest/sales_order';
    const state = JSON.parse(h.ssm.parameters.get(name)!);
    state.cursor.xmin = '999999999999';
    state.cursor.xmax = '999999999999';
    h.ssm.parameters.set(name, JSON.stringify(state));

    const summary = done(await h.run());

    expect(summary.tables.find((t) => t.table === 'sales_order')).toMatchObject({ mode: 'resync', rowsRead: 2, rows: 1 });
    expect(h.rows(h.keys('sales_order')[1]!).map((row) => [row.sales_order_id, row.units_sold])).toEqual([[2, 1]]);
    expect(h.logs.some((l) => l.level === 'warn' && l.message.includes('ahead of the source'))).toBe(true);
  });
});

describe('one run at a time', () => {
  it('lets exactly one of two simultaneous runs work; the other exits cleanly', async () => {
    await insertSalesOrder(h, 1);

    const results = await Promise.all([h.run(), h.run()]);

    expect(results.map((r) => r.status).sort()).toEqual(['busy', 'done']);
    expect(h.keys('sales_order')).toHaveLength(1);
  });

  it('exits while a lease is held, and takes over an expired one', async () => {
    await insertSalesOrder(h, 1);
    const leaseKey = 'extract/lease.json';
    const held = JSON.stringify({ owner: 'other', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await h.processed.write(leaseKey, held);
    expect((await h.run()).status).toBe('busy');
    expect(h.keys('sales_order')).toEqual([]);

    await h.processed.write(leaseKey, JSON.stringify({ owner: 'other', expiresAt: new Date(Date.now() - 1).toISOString() }));
    expect((await h.run()).status).toBe('done');
    expect(h.keys('sales_order')).toHaveLength(1);
    // Released: a next run is not blocked.
    expect((await h.run()).status).toBe('done');
  });
});

describe('failures', () => {
  it('fails clearly when the source is down, writes nothing and releases the lease', async () => {
    await insertSalesOrder(h, 1);
    const down = new URL(h.database.url);
    down.port = '1';
    const { sourceAt } = await import('./support/harness');

    await expect(h.run({}, sourceAt(down.toString()))).rejects.toThrow(
      /cannot connect to the source database at .*:1\/.*the next run retries/,
    );
    expect(h.keys('sales_order')).toEqual([]);
    expect((await h.run()).status).toBe('done');
    expect(h.keys('sales_order')).toHaveLength(1);
  });

  it('names table, row and column of a value it cannot encode, and extracts the other tables', async () => {
    await insertSalesOrder(h, 7, { lastUpdated: 'infinity' });
    // Enough rows after the bad one that the read stops mid-stream, and the session must recover.
    await h.sql(`INSERT INTO sales_order SELECT i, 3, 19, 8, 1, 1.00, 1, '2022-11-10', '2022-11-03', 8, '2022-11-03 14:20:52', '2022-11-03 14:20:52'
      FROM generate_series(100, 20099) AS i`);
    await h.sql(`INSERT INTO currency VALUES (1, 'GBP', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`);

    const summary = done(await h.run({ tables: ['sales_order', 'currency'] }));

    expect(summary.failures).toEqual([
      { table: 'sales_order', error: expect.stringMatching(/sales_order, row 7, column last_updated: not a timestamp/) },
    ]);
    expect(h.keys('currency')).toHaveLength(1);
    expect(h.keys('sales_order')).toEqual([]);
    expect(h.state('sales_order')).toBeUndefined();
  });
});
