import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readIngestionObject } from '../../lambdas/core/objects';
import { parseIngestionKey } from '../../lambdas/core/layout';
import { SOURCE_TABLE_NAMES, SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import {
  type IngestionObject,
  IngestionObjectWriter,
  type SourceRecord,
  evolve,
  generateDataset,
  serializeRows,
  snapshot,
  toIngestionObject,
} from '../../local/generator';
import { timestampToWatermark } from './support/source-text';

const dataset = generateDataset({ seed: 11, scale: 0.05 });
const firstRun = snapshot(dataset);
const secondRun = evolve(dataset).changes;

async function newStore(): Promise<FileObjectStore> {
  return new FileObjectStore(await mkdtemp(join(tmpdir(), 'ingestion-')));
}

async function keysIn(store: FileObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.list('')) keys.push(key);
  return keys;
}

/** The newest last_updated of the rows, worked out from the text (fixed width once the fraction is padded). */
function expectedWatermark(rows: readonly SourceRecord[]): string {
  return rows
    .map((row) => timestampToWatermark(row.last_updated as string))
    .sort()
    .at(-1)!;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

describe('IngestionObjectWriter', () => {
  it('lands one object per table, sequence 1, keyed with the newest last_updated', async () => {
    const store = await newStore();
    const written = await new IngestionObjectWriter(store).write(firstRun);
    expect(written.map((object) => object.table)).toEqual([...SOURCE_TABLE_NAMES]);
    for (const object of written) {
      const rows = dataset.tables[object.table];
      expect(object.key).toBe(`${object.table}/0000000001_${expectedWatermark(rows)}.jsonl`);
      expect(parseIngestionKey(object.key)).toEqual({
        key: object.key,
        table: object.table,
        sequence: 1,
        watermark: expectedWatermark(rows),
        gzip: false,
      });
      expect(object.rows).toBe(rows.length);
      expect(Buffer.from((await store.getBytes(object.key))!).toString('utf8')).toBe(serializeRows(object.table, rows));
    }
    expect(await keysIn(store)).toEqual(written.map((object) => object.key).sort());
  });

  it('numbers each table’s objects on by one, writes only tables that changed, and resumes over an existing store', async () => {
    const store = await newStore();
    await new IngestionObjectWriter(store).write(firstRun);
    const second = await new IngestionObjectWriter(store).write(secondRun);
    const changedTables = SOURCE_TABLE_NAMES.filter((table) => secondRun.tables[table].length > 0);
    expect(second.map((object) => object.table)).toEqual(changedTables);
    // Some tables changed and some did not, or "only tables that changed" would say nothing.
    expect(changedTables.length).toBeGreaterThan(0);
    expect(changedTables).not.toContain('currency');
    for (const object of second) {
      expect(object.sequence).toBe(2);
      expect(object.watermark).toBe(expectedWatermark(secondRun.tables[object.table]));
    }
    const writer = new IngestionObjectWriter(store);
    const third = await writer.writeTable('sales_order', secondRun.tables.sales_order);
    const fourth = await writer.writeTable('sales_order', secondRun.tables.sales_order);
    expect([third?.sequence, fourth?.sequence]).toEqual([3, 4]);
    expect(await writer.writeTable('currency', [])).toBeUndefined();
    const salesKeys = (await keysIn(store)).filter((key) => key.startsWith('sales_order/'));
    expect(salesKeys.map((key) => parseIngestionKey(key).sequence)).toEqual([1, 2, 3, 4]);
  });

  it('puts the watermark of rows changed without last_updated moving at their old last_updated', async () => {
    const silentOnly = secondRun.events.filter((event) => event.kind === 'silently-updated' && event.table === 'payment');
    const rows = secondRun.tables.payment.filter((row) => silentOnly.some((event) => event.id === row.payment_id));
    const object = toIngestionObject('payment', rows, 9);
    expect(object.watermark).toBe(expectedWatermark(rows));
    expect(object.watermark < expectedWatermark(secondRun.tables.payment)).toBe(true);
  });

  it('writes real gzip under .jsonl.gz, and under a prefix when given one', async () => {
    const store = await newStore();
    const written = await new IngestionObjectWriter(store, { gzip: true, prefix: 'landing' }).write(firstRun);
    for (const object of written) {
      expect(object.key).toMatch(new RegExp(`^landing/${object.table}/0000000001_\\d{8}T\\d{9}\\.jsonl\\.gz$`));
      const stored = (await store.getBytes(object.key))!;
      expect([stored[0], stored[1]]).toEqual([0x1f, 0x8b]);
      expect(gunzipSync(stored).toString('utf8')).toBe(serializeRows(object.table, dataset.tables[object.table]));
      expect(parseIngestionKey(object.key)).toMatchObject({ table: object.table, sequence: 1, gzip: true });
    }
    // The prefix is part of where the writer looks for earlier sequences.
    const next = await new IngestionObjectWriter(store, { gzip: true, prefix: 'landing/' }).writeTable('staff', dataset.tables.staff);
    expect(next?.key).toMatch(/^landing\/staff\/0000000002_/);
  });

  it('lands objects the pipeline’s own reader accepts in full, with the exact values generated', async () => {
    const objects: IngestionObject[] = [
      ...SOURCE_TABLE_NAMES.map((table) => toIngestionObject(table, dataset.tables[table], 1, { gzip: table === 'payment' })),
      ...SOURCE_TABLE_NAMES.filter((table) => secondRun.tables[table].length > 0).map((table) =>
        toIngestionObject(table, secondRun.tables[table], 2),
      ),
    ];
    for (const object of objects) {
      const source = object.sequence === 1 ? dataset.tables[object.table] : secondRun.tables[object.table];
      const rows = [];
      for await (const batch of readIngestionObject(once(object.body), {
        objectKey: object.key,
        table: SOURCE_TABLES[object.table],
        gzip: object.key.endsWith('.gz'),
      })) {
        expect(batch.rejected, object.key).toEqual([]);
        rows.push(...batch.rows.map((parsed) => parsed.row));
      }
      expect(rows).toHaveLength(source.length);
      expect(rows).toEqual(source.map((row) => typed(object.table, row)));
    }
  });

  it('can write every value form CONTRACT.md §2 accepts, seeded, and the reader still gets the same values', async () => {
    const variants = {
      spaceTimestamp: /"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/,
      tTimestamp: /"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/,
      millisecondTimestamp: /:\d{2}\.\d{3}"/,
      integralFloat: /"payment_id": \d+\.0,/,
      moneyString: /"payment_amount": "\d+\.\d{2}"/,
      moneyNumber: /"payment_amount": \d+\.\d{1,2},/,
      booleanLetter: /"paid": "[tf]"/,
      booleanWord: /"paid": (true|false)/,
    };
    for (const table of ['payment', 'address', 'transaction'] as const) {
      const object = toIngestionObject(table, dataset.tables[table], 1, { mixedEncodings: 42 });
      const again = toIngestionObject(table, dataset.tables[table], 1, { mixedEncodings: 42 }).body;
      expect(Buffer.from(again).equals(Buffer.from(object.body))).toBe(true);
      const text = Buffer.from(object.body).toString('utf8');
      if (table === 'payment') {
        for (const [name, pattern] of Object.entries(variants)) expect(pattern.test(text), name).toBe(true);
      }
      expect(object.watermark).toBe(toIngestionObject(table, dataset.tables[table], 1).watermark);
      const rows = [];
      for await (const batch of readIngestionObject(once(object.body), {
        objectKey: object.key,
        table: SOURCE_TABLES[table],
        gzip: false,
      })) {
        expect(batch.rejected).toEqual([]);
        rows.push(...batch.rows.map((parsed) => parsed.row));
      }
      expect(rows).toHaveLength(dataset.tables[table].length);
      expect(rows).toEqual(dataset.tables[table].map((row) => typed(table, row)));
    }
  });

  it('makes a zero-row object only with an explicit watermark, and checks the sequence', () => {
    const empty = toIngestionObject('staff', [], 3, { emptyWatermark: '20241114T093012345' });
    expect(empty.key).toBe('staff/0000000003_20241114T093012345.jsonl');
    expect(empty.body.byteLength).toBe(0);
    expect(() => toIngestionObject('staff', [], 3)).toThrow(/emptyWatermark/);
    expect(() => toIngestionObject('staff', dataset.tables.staff, 0)).toThrow(/sequence/);
  });
});

/** The generated row as the reader should type it: money as unscaled cents, times as naive ms, dates as days. */
function typed(table: SourceTableName, generated: SourceRecord): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of SOURCE_TABLES[table].columns) {
    const value = generated[column.name];
    if (column.type.kind === 'timestamp') row[column.name] = Date.parse(`${(value as string).slice(0, 23)}Z`);
    else if (column.type.kind === 'date') row[column.name] = Date.parse(`${value as string}T00:00:00Z`) / 86_400_000;
    else row[column.name] = value;
  }
  return row;
}
