import { describe, expect, it } from 'vitest';
import { readIngestionObject } from '../../lambdas/core/objects';
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';
import { generateSalesOrderLines } from '../../local/generator';
import { literalToCents, numberLiteral } from './support/source-text';

function collect(chunks: Iterable<Buffer>): { chunks: Buffer[]; text: string } {
  const all = [...chunks];
  return { chunks: all, text: Buffer.concat(all).toString('utf8') };
}

describe('generateSalesOrderLines (benchmark input)', () => {
  const { chunks, text } = collect(generateSalesOrderLines({ seed: 3, rows: 10_001, linesPerChunk: 1000, firstId: 500 }));
  const lines = text.split('\n').slice(0, -1);

  it('yields the rows in chunks of whole lines, at most linesPerChunk each', () => {
    expect(chunks).toHaveLength(11);
    for (const chunk of chunks) {
      expect(chunk.at(-1)).toBe(0x0a);
      expect(chunk.toString('utf8').split('\n').length - 1).toBeLessThanOrEqual(1000);
    }
    expect(lines).toHaveLength(10_001);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('numbers orders from firstId, with creation times that never go back', () => {
    const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => row.sales_order_id)).toEqual(rows.map((_, index) => 500 + index));
    const created = rows.map((row) => row.created_at as string);
    expect(created.every((value, index) => index === 0 || value.padEnd(26, '.000000') >= created[index - 1]!.padEnd(26, '.000000'))).toBe(
      true,
    );
    expect(rows.every((row) => row.last_updated === row.created_at)).toBe(true);
  });

  it('writes lines the pipeline reads without a single rejection', async () => {
    let count = 0;
    async function* body(): AsyncIterable<Uint8Array> {
      yield* chunks;
    }
    for await (const batch of readIngestionObject(body(), {
      objectKey: 'sales_order/0000000001_20241114T093012345.jsonl',
      table: SOURCE_TABLES.sales_order,
      gzip: false,
    })) {
      expect(batch.rejected).toEqual([]);
      count += batch.rows.length;
    }
    expect(count).toBe(10_001);
  });

  it('writes prices in the dump’s form, integral floats included, within £2.00–£4.00', () => {
    const prices = lines.map((line) => numberLiteral(line, 'unit_price'));
    expect(prices.every((price) => /^\d+\.\d{1,2}$/.test(price))).toBe(true);
    expect(prices.some((price) => /^\d\.0$/.test(price))).toBe(true);
    const cents = prices.map(literalToCents);
    expect(cents.every((value) => value >= 200n && value <= 400n)).toBe(true);
  });

  it('is deterministic for a seed, different for another', () => {
    expect(collect(generateSalesOrderLines({ seed: 3, rows: 10_001, linesPerChunk: 1000, firstId: 500 })).text).toBe(text);
    expect(collect(generateSalesOrderLines({ seed: 4, rows: 10_001, linesPerChunk: 1000, firstId: 500 })).text).not.toBe(text);
  });

  it('does not depend on the chunk size', () => {
    expect(collect(generateSalesOrderLines({ seed: 3, rows: 10_001, linesPerChunk: 7, firstId: 500 })).text).toBe(text);
  });

  it('yields nothing for zero rows and refuses nonsense', () => {
    expect([...generateSalesOrderLines({ seed: 1, rows: 0 })]).toEqual([]);
    expect(() => [...generateSalesOrderLines({ seed: 1, rows: -1 })]).toThrow(/rows/);
    expect(() => [...generateSalesOrderLines({ seed: 1, rows: 5, linesPerChunk: 0 })]).toThrow(/linesPerChunk/);
  });
});
