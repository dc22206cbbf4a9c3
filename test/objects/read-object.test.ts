/**
 * Reading whole ingestion objects: streaming, gzip, line handling, bad rows versus bad
 * objects. Gzip goes through real zlib streams.
 */
import { Buffer } from 'node:buffer';
import { createGzip, gzipSync } from 'node:zlib';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BadObjectError, readIngestionObject } from '../../lambdas/core/objects';
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';
import { readAll, sampleLine } from './support';

const KEY = 'sales_order/0000000042_20241114T093012345.jsonl';
const order = (id: number, overrides: Record<string, string | undefined> = {}) =>
  sampleLine('sales_order', { sales_order_id: String(id), ...overrides });
const jsonl = (...lines: string[]) => `${lines.join('\n')}\n`;
const ids = (result: { rows: { row: Record<string, unknown> }[] }) => result.rows.map((r) => r.row.sales_order_id);

async function badObject(promise: Promise<unknown>): Promise<BadObjectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadObjectError);
  return error as BadObjectError;
}

/** gzip through a real zlib stream, as the ingestion job would write it. */
async function gzipStreamed(text: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of Readable.from([Buffer.from(text)]).pipe(createGzip())) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('reading an ingestion object', () => {
  it('yields every row in line order with its 1-based line number', async () => {
    const result = await readAll(jsonl(order(1), order(2), order(3)));
    expect(ids(result)).toEqual([1, 2, 3]);
    expect(result.rows.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(result.rejected).toEqual([]);
  });

  it('an empty object and an object of blank lines are valid and yield nothing', async () => {
    expect(await readAll('')).toMatchObject({ rows: [], rejected: [] });
    expect(await readAll('\n\n  \r\n\t\n')).toMatchObject({ rows: [], rejected: [] });
  });

  it('reads a last line without a trailing newline', async () => {
    expect(ids(await readAll(`${order(1)}\n${order(2)}`))).toEqual([1, 2]);
  });

  it('skips blank lines but counts them for line numbers', async () => {
    const result = await readAll(`\n${order(1)}\n   \n\n${order(2)}\n\n`);
    expect(result.rows.map((r) => [r.line, r.row.sales_order_id])).toEqual([
      [2, 1],
      [5, 2],
    ]);
  });

  it('accepts CRLF line ends', async () => {
    const result = await readAll(`${order(1)}\r\n\r\n${order(2)}\r\n`);
    expect(result.rows.map((r) => [r.line, r.row.sales_order_id])).toEqual([
      [1, 1],
      [3, 2],
    ]);
  });

  it('skips a UTF-8 byte order mark at the start, even split across chunks', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonl(order(1), order(2)))]);
    for (const chunkSize of [1, 2, 4, 1024]) {
      const result = await readAll(body, { chunkSize });
      expect(ids(result)).toEqual([1, 2]);
      expect(result.rejected).toEqual([]);
    }
  });

  it('a byte order mark elsewhere is not skipped', async () => {
    const result = await readAll(`${order(1)}\n\ufeff${order(2)}\n`);
    expect(ids(result)).toEqual([1]);
    expect(result.rejected[0]).toMatchObject({ line: 2, reason: 'malformed JSON at character 1: expected a JSON object "{"' });
  });

  it('gives the same result whatever the chunking, multi-byte characters split included', async () => {
    const lines = [
      sampleLine('address', { address_line_1: '"Łódź ulica 東京 🙂 Zoë"' }),
      '',
      sampleLine('address', { address_id: '2', city: '"Ærøskøbing €"' }),
      sampleLine('address', { address_id: '3', city: 'true' }),
      sampleLine('address', { address_id: '4', district: '"🙂🙂🙂"' }),
    ];
    const body = Buffer.from(`\ufeff${lines.join('\r\n')}`);
    const whole = await readAll(body, { table: 'address' });
    expect(whole.rows.map((r) => r.row.address_id)).toEqual([1, 2, 4]);
    expect(whole.rows[0]!.row.address_line_1).toBe('Łódź ulica 東京 🙂 Zoë');
    expect(whole.rows[2]!.row.district).toBe('🙂🙂🙂');
    expect(whole.rejected).toEqual([expect.objectContaining({ line: 4, column: 'city' })]);
    for (const chunkSize of [1, 2, 3, 5, 7, 64, 333]) {
      const chunked = await readAll(body, { table: 'address', chunkSize });
      expect(chunked.rows).toEqual(whole.rows);
      expect(chunked.rejected).toEqual(whole.rejected);
    }
  });

  it('yields batches per stretch of input, not per row, and in line order', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 1000 === 999 ? order(i + 1, { units_sold: '0.5' }) : order(i + 1)));
    const result = await readAll(jsonl(...lines), { chunkSize: 16 * 1024 });
    expect(result.rows).toHaveLength(4995);
    expect(result.rejected.map((r) => r.line)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(result.batches.length).toBeGreaterThan(1);
    expect(result.batches.length).toBeLessThan(50);
    const lineOrder = result.batches.flatMap((b) => [...b.rows.map((r) => r.line), ...b.rejected.map((r) => r.line)]).sort((a, b) => a - b);
    expect(lineOrder).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    // Within the stream, rows keep their order.
    expect(result.rows.map((r) => r.line)).toEqual([...result.rows.map((r) => r.line)].sort((a, b) => a - b));
  });

  it('onRowValues takes every valid row as its values in column order, the same rows as the objects', async () => {
    // Fast path (the usual shape), general path (keys reordered, escapes), blank lines, a bad row.
    const { units_sold: _, ...others } = JSON.parse(order(4)) as Record<string, unknown>;
    const reordered = JSON.stringify({ units_sold: 7, ...others });
    const lines = [order(1), '', order(2, { units_sold: '0.5' }), reordered, order(5, { created_at: '"2022-11-03T14:20:52.18\\u0036"' })];
    lines.push(...Array.from({ length: 2500 }, (_, i) => order(i + 10)));
    const text = jsonl(...lines);
    const asObjects = await readAll(text, { chunkSize: 4096 });
    const names = SOURCE_TABLES.sales_order.columns.map((column) => column.name);
    const delivered: { line: number; row: Record<string, unknown> }[] = [];
    let lastArray: readonly unknown[] | undefined;
    let arrays = 0;
    const asValues = await readAll(text, {
      chunkSize: 4096,
      onRowValues: (values, line) => {
        if (values !== lastArray) arrays++;
        lastArray = values;
        delivered.push({ line, row: Object.fromEntries(names.map((name, index) => [name, values[index]])) });
      },
    });
    expect(asObjects.rows.map((r) => r.row.units_sold).slice(0, 3)).toEqual([42972, 7, 42972]);
    expect(delivered).toEqual(asObjects.rows.map(({ line, row }) => ({ line, row })));
    expect(delivered).toHaveLength(2503);
    // No object per row: the batches carry none, one array is reused, and the counts still add up.
    expect(asValues.rows).toEqual([]);
    expect(arrays).toBe(1);
    expect(asValues.batches.reduce((sum, batch) => sum + batch.rowCount, 0)).toBe(2503);
    expect(asValues.rejected).toEqual(asObjects.rejected);
    expect(asValues.rejected.map((r) => r.line)).toEqual([3]);
  });

  it.each([false, true])('stops reading and releases the body when the consumer stops early (gzip: %s)', async (gzip) => {
    const text = jsonl(...Array.from({ length: 100 }, (_, k) => order(k + 1)));
    const piece = gzip ? gzipSync(text) : Buffer.from(text);
    let chunksPulled = 0;
    let released = false;
    async function* body() {
      try {
        for (let i = 0; i < 1000; i++) {
          chunksPulled++;
          yield piece;
        }
      } finally {
        released = true;
      }
    }
    for await (const batch of readIngestionObject(body(), { objectKey: KEY, table: SOURCE_TABLES.sales_order, gzip })) {
      expect(batch.rows.length).toBeGreaterThan(0);
      break;
    }
    expect(chunksPulled).toBeLessThan(100);
    expect(released).toBe(true);
  });
});

describe('a body that stalls', () => {
  it.each([false, true])('is destroyed when the consumer stops early, with a read still waiting for data (gzip: %s)', async (gzip) => {
    const text = jsonl(...Array.from({ length: 3000 }, (_, k) => order(k + 1)));
    const body = new PassThrough();
    // The whole start of an object, then nothing: the connection stalls, never ending.
    body.write(gzip ? gzipSync(text).subarray(0, 40_000) : Buffer.from(text));
    const stopped = (async () => {
      for await (const batch of readIngestionObject(body, { objectKey: KEY, table: SOURCE_TABLES.sales_order, gzip })) {
        expect(batch.rows.length).toBeGreaterThan(0);
        break;
      }
      return 'stopped';
    })();
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000).unref());
    expect(await Promise.race([stopped, timeout])).toBe('stopped');
    expect(body.destroyed).toBe(true);
  });
});

describe('bad rows: rejected, the rest flows', () => {
  it('carry the object key, line, column, reason and the raw line', async () => {
    const bad = order(2, { unit_price: '12.345' });
    const result = await readAll(jsonl(order(1), bad, order(3)));
    expect(ids(result)).toEqual([1, 3]);
    expect(result.rejected).toEqual([
      { objectKey: KEY, line: 2, column: 'unit_price', reason: 'column "unit_price": 12.345 has more than 2 decimal places', raw: bad },
    ]);
  });

  it('malformed JSON is a bad row without a column', async () => {
    const result = await readAll(jsonl(order(1), '{"sales_order_id": 2, "design_id":', order(3)));
    expect(ids(result)).toEqual([1, 3]);
    expect(result.rejected).toEqual([
      {
        objectKey: KEY,
        line: 2,
        reason: 'malformed JSON at the end of the line: expected a value',
        raw: '{"sales_order_id": 2, "design_id":',
      },
    ]);
  });

  it('nested values and duplicate keys are bad rows (not schema drift)', async () => {
    const nested = order(2, { design_id: '{"id": 3}' });
    const duplicate = `${order(3).slice(0, -1)}, "units_sold": 5}`;
    const nestedUnknown = order(4, { extra: '[1]' });
    const result = await readAll(jsonl(order(1), nested, duplicate, nestedUnknown, order(5)));
    expect(ids(result)).toEqual([1, 5]);
    expect(result.rejected.map((r) => [r.line, r.column, r.reason])).toEqual([
      [2, 'design_id', 'key "design_id" has a nested object; row values must be scalars'],
      [3, 'units_sold', 'duplicate key "units_sold"'],
      [4, undefined, 'key "extra" has a nested array; row values must be scalars'],
    ]);
  });

  it('the raw line is truncated to 500 characters', async () => {
    const long = order(1, { unit_price: `"${'9'.repeat(2000)}"` });
    const { rejected } = await readAll(jsonl(long));
    expect(rejected[0]!.raw).toBe(`${long.slice(0, 500)}…`);
    expect(rejected[0]!.reason).toMatch(/^column "unit_price": "9{80}"… is out of range for numeric\(10,2\)$/);
  });

  it('invalid UTF-8 rejects only its line, saying which byte', async () => {
    const good = Buffer.from(`${order(1)}\n`);
    const bad = Buffer.concat([Buffer.from('{"sales_order_id": 2, "x": "ab'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const overlong = Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xe0, 0x80, 0xaf]), Buffer.from('"}\n')]);
    const surrogate = Buffer.concat([Buffer.from('{"a": "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')]);
    const truncated = Buffer.concat([Buffer.from('{"a": "é'), Buffer.from([0xf0, 0x9f, 0x99])]);
    const body = Buffer.concat([good, bad, overlong, surrogate, Buffer.from(`${order(5)}\n`), truncated]);
    for (const chunkSize of [1, 3, 1 << 16]) {
      const result = await readAll(body, { chunkSize });
      expect(ids(result)).toEqual([1, 5]);
      expect(result.rejected.map((r) => [r.line, r.reason])).toEqual([
        [2, 'invalid UTF-8 at byte 31 of the line'],
        [3, 'invalid UTF-8 at byte 8 of the line'],
        [4, 'invalid UTF-8 at byte 8 of the line'],
        [6, 'invalid UTF-8 at byte 10 of the line'],
      ]);
      expect(result.rejected[0]!.raw).toBe('{"sales_order_id": 2, "x": "ab\ufffd("}');
    }
  });

  it('a line over the size limit is skipped without buffering it, and the next lines still flow', async () => {
    const huge = order(2, { item: `"${'x'.repeat(300_000)}"` });
    for (const chunkSize of [1000, 64 * 1024, 1 << 20]) {
      const result = await readAll(jsonl(order(1), huge, order(3), order(4)), { maxLineBytes: 100_000, chunkSize });
      expect(ids(result)).toEqual([1, 3, 4]);
      expect(result.rejected).toEqual([
        {
          objectKey: KEY,
          line: 2,
          reason: `line is ${Buffer.byteLength(huge)} bytes long, over the limit of 100000 bytes; skipped`,
          raw: `${huge.slice(0, 500)}…`,
        },
      ]);
    }
  });

  it('the default line limit is 1 MiB', async () => {
    const justUnder = order(1, { unit_price: `"1.${'0'.repeat(1024 * 1024 - order(1, { unit_price: '"1."' }).length)}"` });
    expect(Buffer.byteLength(justUnder)).toBe(1024 * 1024);
    const over = order(2, { unit_price: `"1.${'0'.repeat(1024 * 1024)}"` });
    const result = await readAll(jsonl(justUnder, over, order(3)), { chunkSize: 256 * 1024 });
    expect(result.rows.map((r) => [r.line, r.row.unit_price])).toEqual([
      [1, 100n],
      [3, 394n],
    ]);
    expect(result.rejected[0]).toMatchObject({ line: 2, reason: expect.stringContaining('over the limit of 1048576 bytes') });
  });

  it("an over-long line's raw text is that line alone, even when it is short and lines follow in its chunk", async () => {
    const maxLineBytes = Buffer.byteLength(order(1)) + 10;
    // Over the limit in bytes, yet under the 500 characters a raw text keeps.
    const long = order(2, { item: `"${'é'.repeat(60)}"` });
    expect(Buffer.byteLength(long)).toBeGreaterThan(maxLineBytes);
    expect(long.length).toBeLessThan(500);
    // A valid chunk, and a chunk whose other line has invalid UTF-8 (read line by line).
    for (const body of [jsonl(order(1), long, order(3)), Buffer.concat([Buffer.from(jsonl(order(1), long)), Buffer.from([0xff, 0x0a])])]) {
      const result = await readAll(body, { maxLineBytes });
      expect(result.rejected[0]).toMatchObject({ line: 2, raw: `${long}…` });
    }
  });

  it('a very long final line without a newline is still reported', async () => {
    const result = await readAll(`${order(1)}\n${'z'.repeat(5000)}`, { maxLineBytes: 1000, chunkSize: 100 });
    expect(ids(result)).toEqual([1]);
    expect(result.rejected[0]).toMatchObject({ line: 2, reason: 'line is 5000 bytes long, over the limit of 1000 bytes; skipped' });
  });
});

describe('bad objects: nothing of them may be used', () => {
  it('a key that is not a column is schema drift, naming line and column', async () => {
    const error = await badObject(readAll(jsonl(order(1), order(2), order(3, { discount: '0.1' }))));
    expect(error).toMatchObject({ objectKey: KEY, line: 3, column: 'discount' });
    expect(error.message).toBe(
      `cannot process ingestion object "${KEY}" (line 3, column "discount"): schema drift: "discount" is not a column of table sales_order`,
    );
  });

  it('a missing column is schema drift, even when another value is bad too', async () => {
    const error = await badObject(readAll(jsonl(order(1), order(2, { currency_id: undefined, unit_price: '1.234' }))));
    expect(error).toMatchObject({ line: 2, column: 'currency_id' });
    expect(error.reason).toBe('schema drift: column "currency_id" of table sales_order is missing');
  });

  it('a row that cannot be parsed is a bad row, never drift', async () => {
    const result = await readAll(jsonl(order(1), '{"discount": 0.1, "sales_order_id": ', order(3)));
    expect(ids(result)).toEqual([1, 3]);
  });

  it('not JSON Lines at all: no line is a JSON object', async () => {
    const csv = 'sales_order_id,design_id\n1,2\n3,4\n';
    const error = await badObject(readAll(csv));
    expect(error.reason).toBe('not JSON Lines: none of its 3 non-blank line(s) is a JSON object');
    expect(error.line).toBe(1);
    // A pretty-printed JSON document or an array is not JSON Lines either.
    await badObject(readAll(JSON.stringify([JSON.parse(order(1))], null, 2)));
    await badObject(readAll(`[${order(1)}, ${order(2)}]\n`));
  });

  it('one parseable object line makes it JSON Lines, with the rest bad rows', async () => {
    const result = await readAll(jsonl('garbage', order(2, { units_sold: '"many"' }), 'more garbage'));
    expect(result.rows).toEqual([]);
    expect(result.rejected.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('a line that is a JSON object with a duplicate key still counts as JSON Lines', async () => {
    const result = await readAll(jsonl(`${order(1).slice(0, -1)}, "units_sold": 5}`));
    expect(result.rejected).toHaveLength(1);
  });
});

describe('gzip', () => {
  const text = jsonl(order(1), order(2), '', order(3, { unit_price: '-0.01' }));

  it('gunzips a .jsonl.gz object written by a zlib stream, whatever the chunking', async () => {
    const compressed = await gzipStreamed(text);
    for (const chunkSize of [1, 7, 1 << 16]) {
      const result = await readAll(compressed, { gzip: true, chunkSize });
      expect(ids(result)).toEqual([1, 2, 3]);
      expect(result.rows.map((r) => r.line)).toEqual([1, 2, 4]);
      expect(result.rows[2]!.row.unit_price).toBe(-1n);
    }
  });

  it('recognises gzip by its magic bytes even when the key lacks .gz', async () => {
    const result = await readAll(await gzipStreamed(text), { gzip: false, chunkSize: 1 });
    expect(ids(result)).toEqual([1, 2, 3]);
  });

  it('reads concatenated gzip members as one object', async () => {
    const body = Buffer.concat([gzipSync(jsonl(order(1))), gzipSync(jsonl(order(2)))]);
    expect(ids(await readAll(body, { gzip: true }))).toEqual([1, 2]);
  });

  it('streams a large compressed object', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => order(i + 1));
    const result = await readAll(gzipSync(jsonl(...lines)), { gzip: true });
    expect(result.rows).toHaveLength(20_000);
    expect(result.rows.at(-1)).toMatchObject({ line: 20_000, row: { sales_order_id: 20_000 } });
  });

  it('truncated gzip is a bad object saying so', async () => {
    const compressed = await gzipStreamed(text);
    const error = await badObject(readAll(compressed.subarray(0, compressed.length - 10), { gzip: true }));
    expect(error.objectKey).toBe(KEY);
    expect(error.reason).toMatch(/^corrupt gzip: the compressed data is truncated/);
  });

  it('corrupt gzip is a bad object', async () => {
    const compressed = Buffer.from(await gzipStreamed(text));
    compressed.fill(0xff, 12, 40);
    const error = await badObject(readAll(compressed, { gzip: true }));
    expect(error.reason).toMatch(/^corrupt gzip: /);
  });

  it('a .gz key whose body is not gzip, or is empty, is a bad object', async () => {
    expect((await badObject(readAll(text, { gzip: true }))).reason).toMatch(/^corrupt gzip: incorrect header check/);
    expect((await badObject(readAll('', { gzip: true }))).reason).toMatch(/^corrupt gzip: the compressed data is truncated/);
  });

  it('an error reading the body is passed through, not mistaken for a bad object', async () => {
    const networkError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const compressed = gzipSync(text);
    async function* failing() {
      yield compressed.subarray(0, 20);
      throw networkError;
    }
    await expect(readAll(failing(), { gzip: true })).rejects.toBe(networkError);
    async function* failingPlain() {
      yield Buffer.from(jsonl(order(1)));
      throw networkError;
    }
    await expect(readAll(failingPlain())).rejects.toBe(networkError);
  });
});

describe('bounded memory', () => {
  it('reads a 200 MB object streamed in chunks without holding it', async () => {
    const line = Buffer.from(`${order(7)}\n`);
    const chunk = Buffer.concat(Array.from({ length: Math.floor((1 << 20) / line.length) }, () => line));
    const chunks = Math.ceil((200 * 1024 * 1024) / chunk.length);
    async function* body() {
      for (let i = 0; i < chunks; i++) yield chunk;
    }
    const before = process.memoryUsage().heapUsed;
    let rows = 0;
    let peak = 0;
    for await (const batch of readIngestionObject(body(), { objectKey: KEY, table: SOURCE_TABLES.sales_order, gzip: false })) {
      rows += batch.rows.length;
      peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(rows).toBe(chunks * (chunk.length / line.length));
    expect(peak).toBeLessThan(100 * 1024 * 1024);
  }, 120_000);
});
