/**
 * The byte fast path (ascii-row-parser.ts) is an optimisation, never a second set of
 * rules: whatever it accepts, the general path (flat-json.ts + column-validators.ts)
 * must accept too, with the very same values. Here both read the same lines: real-shaped
 * samples of every table, and property-generated variants full of edge cases.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiRowParser } from '../../lambdas/core/objects/ascii-row-parser';
import { TableRowReader } from '../../lambdas/core/objects/table-row-reader';
import type { CellValue } from '../../lambdas/core/schema/column-types';
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';
import { SAMPLE_LINES, type SampleTable } from './support';

const KEY = 'sales_order/0000000042_20241114T093012345.jsonl';
const TABLES = Object.keys(SAMPLE_LINES) as SampleTable[];

/** The general path's verdict on one line: the row's values in column order, or undefined. */
function generalValues(table: SampleTable, line: string): CellValue[] | undefined {
  const reader = new TableRowReader(KEY, SOURCE_TABLES[table]);
  try {
    reader.line(line, 0, line.length, 1);
  } catch {
    return undefined; // schema drift
  }
  const { rows } = reader.takeBatch();
  return rows[0] && SOURCE_TABLES[table].columns.map((column) => rows[0]!.row[column.name]!);
}

/**
 * The fast path's verdict, after learning the key order of the table's sample line and,
 * when `previous` is given, after reading that line first (so that `line` may be read by
 * matching the bytes between values against the previous line's).
 */
function fastValues(table: SampleTable, line: string, previous?: string): CellValue[] | undefined {
  const columns = SOURCE_TABLES[table].columns;
  const parser = new AsciiRowParser(columns);
  const sampleKeys = Object.keys(JSON.parse(SAMPLE_LINES[table]) as object);
  parser.learnOrder(sampleKeys.map((key) => columns.findIndex((column) => column.name === key)));
  const values = new Array<CellValue>(columns.length).fill(null);
  if (previous !== undefined) {
    const bytes = Buffer.from(`${previous}\n`, 'utf8');
    parser.parse(bytes, 0, bytes.length - 1, values);
  }
  // Bytes after the line must not be read: a newline and more JSON follow it here.
  const bytes = Buffer.from(`${line}\n"}, 1\n`, 'utf8');
  return parser.parse(bytes, 0, Buffer.byteLength(line), values) ? values : undefined;
}

describe('the byte fast path', () => {
  it.each(TABLES)('reads the %s sample line exactly as the general path does', (table) => {
    const fast = fastValues(table, SAMPLE_LINES[table]);
    expect(fast).toBeDefined();
    expect(fast).toEqual(generalValues(table, SAMPLE_LINES[table]));
  });

  it('declines keys in an order it has not learnt, then follows the learnt order', () => {
    const columns = SOURCE_TABLES.currency.columns;
    const line = Buffer.from(SAMPLE_LINES.currency);
    const parser = new AsciiRowParser(columns);
    const values = new Array<CellValue>(columns.length).fill(null);
    // The sample's order (currency_id, currency_code, created_at, last_updated) is the table's.
    expect(parser.parse(line, 0, line.length, values)).toBe(true);
    const reordered = Buffer.from(
      '{"currency_code": "GBP", "currency_id": 1, "created_at": "2022-11-03T14:20:49.962000", "last_updated": "2022-11-03T14:20:49.962000"}',
    );
    expect(parser.parse(reordered, 0, reordered.length, values)).toBe(false);
    parser.learnOrder([1, 0, 2, 3]);
    expect(parser.parse(reordered, 0, reordered.length, values)).toBe(true);
    const created = Date.UTC(2022, 10, 3, 14, 20, 49, 962);
    expect(values).toEqual([1, 'GBP', created, created]);
  });

  it('after a clean line, declines or agrees on every one-byte change of the next (ASCII or not)', () => {
    const columns = SOURCE_TABLES.sales_order.columns;
    const clean = Buffer.from(SAMPLE_LINES.sales_order);
    const sampleKeys = Object.keys(JSON.parse(SAMPLE_LINES.sales_order) as object);
    const order = sampleKeys.map((key) => columns.findIndex((column) => column.name === key));
    for (let at = 0; at < clean.length; at++) {
      for (const byte of [0x00, 0x20, 0x7f, 0x80, 0xf0, 0xff, clean[at]! ^ 0x01, clean[at]! ^ 0x10]) {
        const parser = new AsciiRowParser(columns);
        parser.learnOrder(order);
        const values = new Array<CellValue>(columns.length).fill(null);
        expect(parser.parse(clean, 0, clean.length, values)).toBe(true);
        const changed = Buffer.from(clean);
        changed[at] = byte;
        if (!parser.parse(changed, 0, changed.length, values)) continue;
        expect(byte, `byte ${byte} at ${at}`).toBeLessThan(0x80);
        expect(values, `byte ${byte} at ${at}`).toEqual(generalValues('sales_order', changed.toString('latin1')));
      }
    }
  });

  /** Value texts around the edges of every column type's rules. */
  const tricky = [
    '0',
    '-0',
    '7',
    '-7',
    '007',
    '2.0',
    '2.50',
    '1e2',
    '1E+2',
    '-',
    '2147483647',
    '2147483648',
    '999999999',
    '1000000000',
    '3.94',
    '-3.94',
    '3.940',
    '3.945',
    '0.01',
    '.5',
    '5.',
    '12345678.99',
    '123456789.99',
    '99999999.999',
    '1e-2',
    '"3.94"',
    '"-0"',
    '" 3.94"',
    '"3.94 "',
    '"+1"',
    '"1e2"',
    '"3.940"',
    '""',
    '"2022-11-07"',
    '"2024-02-29"',
    '"2023-02-29"',
    '"0000-01-01"',
    '"0001-01-01"',
    '"9999-12-31"',
    '"2022-13-01"',
    '"2022-1-07"',
    '"2022-11-07 "',
    '"2022-11-03T14:20:52.186000"',
    '"2022-11-03 14:20:52"',
    '"2022-11-03t14:20:52.1"',
    '"2022-11-03T24:00:00"',
    '"2022-11-03T14:60:00"',
    '"2022-11-03T14:20:60"',
    '"2022-11-03T14:20:52."',
    '"2022-11-03T14:20:52.1234567"',
    '"2022-11-03T14:20:52Z"',
    '"2022-11-03T14:20:52+01:00"',
    '"2022-11-03T14:20"',
    'true',
    'false',
    'null',
    'nul',
    'True',
    '"t"',
    '"f"',
    '"true"',
    '"T"',
    '"SALE"',
    '"PURCHASE"',
    '"sale"',
    '"SALE "',
    '"SALES_RECEIPT"',
    '"S\\u0041LE"',
    '"GBP"',
    '"GBPX"',
    '"G\\"P"',
    '"G\\\\P"',
    '"café"',
    '"\\u00e9"',
    '"tab\there"',
    '"a\\nb"',
    '"\\u0000"',
    '[]',
    '{}',
    '"x',
    'x',
  ];

  /** A change applied to about one line in eight, so that most lines stay acceptable. */
  const rarely = <T>(change: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(null), weight: 7 }, { arbitrary: change, weight: 1 });

  const variant = (table: SampleTable) => {
    const sample = JSON.parse(SAMPLE_LINES[table]) as Record<string, unknown>;
    const keys = Object.keys(sample);
    const valueText = (key: string) => {
      const raw = new RegExp(`"${key}": (-?[0-9][0-9.eE+-]*)`).exec(SAMPLE_LINES[table])?.[1];
      return raw ?? JSON.stringify(sample[key]);
    };
    return fc
      .record({
        replacements: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...tricky), { maxKeys: 2 }),
        space: fc.constantFrom('', ' ', '  ', '\t', '\r'),
        drop: rarely(fc.constantFrom(...keys)),
        extra: rarely(fc.constantFrom('"extra": 1', '"sales_order_id": 1', `"${keys[0]}": 2`)),
        swap: rarely(fc.nat(keys.length - 2)),
        mutation: rarely(
          fc.tuple(fc.nat(), fc.constantFrom('', '"', ',', '}', ' ', '\\', 'é', '\u0001', '\u0000', '\u{1F600}', '\uFFFF', '0', '-')),
        ),
      })
      .map(({ replacements, space, drop, extra, swap, mutation }) => {
        const build = (order: string[], values: Record<string, string>, extras: string[]) =>
          `${space}{${[...order.map((key) => `"${key}":${space}${values[key] ?? valueText(key)}`), ...extras].join(`,${space}`)}}${space}`;
        // The same layout with the sample's values: read first, as the line before.
        const previous = build(keys, {}, []);
        const order = keys.filter((key) => key !== drop);
        if (swap !== null && swap + 1 < order.length) [order[swap], order[swap + 1]] = [order[swap + 1]!, order[swap]!];
        let line = build(order, replacements, extra === null ? [] : [extra]);
        if (mutation !== null) {
          const at = mutation[0] % (line.length + 1);
          line = line.slice(0, at) + mutation[1] + line.slice(at + (mutation[1] === '' ? 1 : 0));
        }
        return { previous, line };
      });
  };

  it.each(TABLES)('accepts only %s lines the general path accepts, with the same values', (table) => {
    let accepted = 0;
    fc.assert(
      fc.property(variant(table), fc.boolean(), ({ previous, line }, afterPrevious) => {
        const fast = fastValues(table, line, afterPrevious ? previous : undefined);
        if (fast === undefined) return;
        accepted++;
        expect(generalValues(table, line), line).toEqual(fast);
      }),
      { numRuns: 3000 },
    );
    // The property says something only if the fast path took a good share of the lines.
    expect(accepted).toBeGreaterThan(300);
  });
});
