/**
 * The adapters the extract core runs on: the pg source (xid widening across epochs,
 * text exactly as stored) and the S3 store (multipart upload, conditional writes).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { fullXminExpression } from '../../lambdas/adapters/pg/totesys-source';
import { GzipSpool } from '../../lambdas/core/extract/gzip-spool';
import { ExtractHarness, INGESTION, done } from './support/harness';

let h: ExtractHarness;

afterEach(async () => {
  await h.dispose();
});

describe('pg source', () => {
  beforeEach(async () => {
    h = await ExtractHarness.create();
  });

  it('widens a 32-bit xmin to the full xid8 of its epoch, across a wraparound', async () => {
    const epoch5 = 5n * 2n ** 32n;
    const cases: [bigint, number, bigint][] = [
      [epoch5 + 100n, 40, epoch5 + 40n], // same epoch
      [epoch5 + 100n, 4294967290, epoch5 - 6n], // the previous epoch, just before the wrap
      [epoch5 + 100n, 99, epoch5 + 99n],
    ];
    for (const [xmax, xid32, expected] of cases) {
      const { rows } = await h.sql(`SELECT ${fullXminExpression(xmax, `${xid32}::bigint`)}::text AS full`);
      expect(BigInt(rows[0].full)).toBe(expected);
    }
  });

  it('extracts text exactly as stored: quotes, tabs, newlines, backslashes, non-ASCII', async () => {
    const awkward = 'Flat 2\t"B"\\ \r\nLine\u00a0two — Zoë 🧳';
    await h.sql(
      `INSERT INTO address VALUES (1, $1, NULL, NULL, 'C', 'P', 'Côte d''Ivoire', '+44 (0)1', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`,
      [awkward],
    );
    done(await h.run());
    const [row] = h.rows(h.keys('address')[0]!);
    expect(row).toMatchObject({ address_line_1: awkward, country: "Côte d'Ivoire", district: null });
  });

  it('extracts the enum and quoted-name tables (transaction, payment_type)', async () => {
    await h.sql(`INSERT INTO payment_type VALUES (1, 'SALES_RECEIPT', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`);
    await h.sql(`INSERT INTO "transaction" VALUES (1, 'SALE', 2, NULL, '2022-11-03 14:20:49.962', '2022-11-03 14:20:49.962')`);
    done(await h.run());
    expect(h.rows(h.keys('transaction')[0]!)).toEqual([
      {
        transaction_id: 1,
        transaction_type: 'SALE',
        sales_order_id: 2,
        purchase_order_id: null,
        created_at: '2022-11-03 14:20:49.962',
        last_updated: '2022-11-03 14:20:49.962',
      },
    ]);
    expect(h.rows(h.keys('payment_type')[0]!)[0]).toMatchObject({ payment_type_name: 'SALES_RECEIPT' });
  });
});

describe('S3 store', () => {
  it('uploads a large object in parts, with its metadata', async () => {
    h = await ExtractHarness.create({ partBytes: 5 * 1024 });
    await h.sql(`INSERT INTO sales_order SELECT i, 3, 19, 8, i, 1.00, 1, '2022-11-10', '2022-11-03', 8, '2022-11-03 14:20:52', '2022-11-03 14:20:52'
      FROM generate_series(1, 3000) AS i`);
    done(await h.run());
    const key = h.keys('sales_order')[0]!;
    expect(h.rows(key)).toHaveLength(3000);
    expect(h.s3.get(INGESTION, key)!.body.length).toBeGreaterThan(5 * 1024);
    expect(h.s3.get(INGESTION, key)!.metadata['extract-rows']).toBe('3000');
    expect(h.s3.uploads.size).toBe(0);
  });

  it('never replaces an existing object, by single or multipart upload', async () => {
    h = await ExtractHarness.create({ partBytes: 1024 });
    h.s3.objects.set(`${INGESTION}/k`, { body: new Uint8Array([1]), etag: '"x"', metadata: {} });
    for (const lines of [1, 2000]) {
      const spool = await GzipSpool.create(1);
      try {
        for (let i = 0; i < lines; i++) await spool.writeLine(`{"i":${i},"pad":"${Math.random()}"}`);
        const body = await spool.finish();
        expect(await h.ingestion.createFrom('k', body)).toBe(false);
        expect(await h.ingestion.createFrom(`new-${lines}`, body)).toBe(true);
        expect(
          gunzipSync(h.s3.get(INGESTION, `new-${lines}`)!.body)
            .toString()
            .split('\n'),
        ).toHaveLength(lines + 1);
      } finally {
        await spool.dispose();
      }
    }
    expect(h.s3.get(INGESTION, 'k')!.body).toEqual(new Uint8Array([1]));
    expect(h.s3.uploads.size).toBe(0); // the refused multipart upload was aborted
  });

  it('replaces only the version it read (If-Match)', async () => {
    h = await ExtractHarness.create();
    expect(await h.processed.write('lease', 'a', { ifAbsent: true })).toBe(true);
    expect(await h.processed.write('lease', 'b', { ifAbsent: true })).toBe(false);
    const current = await h.processed.read('lease');
    expect(await h.processed.write('lease', 'c', { ifMatch: 'stale' })).toBe(false);
    expect(await h.processed.write('lease', 'c', { ifMatch: current!.etag })).toBe(true);
    expect(new TextDecoder().decode((await h.processed.read('lease'))!.body)).toBe('c');
  });
});
