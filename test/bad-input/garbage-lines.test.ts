/**
 * Property: whatever garbage lines are mixed into an object of valid rows (truncated
 * JSON, wrong types, impossible dates, invalid UTF-8, duplicate keys, non-objects,
 * over-long lines, money beyond numeric(10,2)), with blank lines, CRLF, a BOM, gzip and
 * any chunking of the body, exactly the valid rows flow, with their exact values, and
 * exactly the garbage lines are rejected, each under its own line number with its reason.
 * And: a drifted row anywhere holds the whole object.
 */
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../lambdas/core/time';
import { formatMoney } from '../../local/generator';
import { BadInputHarness } from './support/harness';
import { validLine, withExtraKey, withRawValue, withoutColumn } from './support/source-lines';

const h = new BadInputHarness();
beforeEach(() => h.reset());
afterAll(() => h.restore());

const MAX_LINE_BYTES = 4096;

interface ValidSale {
  readonly units: number;
  readonly cents: bigint;
  readonly moneyAsString: boolean;
  /** [year, month, day, hour, minute, second, millisecond] */
  readonly created: readonly [number, number, number, number, number, number, number];
  readonly fractionDigits: number;
  readonly separator: ' ' | 'T';
  readonly delivery: readonly [number, number, number];
}

const civil = fc.tuple(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }));
const validSale: fc.Arbitrary<ValidSale> = fc.record({
  units: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  cents: fc.bigInt({ min: -(10n ** 10n) + 1n, max: 10n ** 10n - 1n }),
  moneyAsString: fc.boolean(),
  created: fc
    .tuple(
      civil,
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(([[y, mo, d], hh, mm, ss, ms]) => [y, mo, d, hh, mm, ss, ms] as const),
  fractionDigits: fc.integer({ min: 3, max: 6 }),
  separator: fc.constantFrom(' ' as const, 'T' as const),
  delivery: civil,
});

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateText = ([y, m, d]: readonly number[]) => `${pad(y!, 4)}-${pad(m!)}-${pad(d!)}`;

function saleLine(id: number, sale: ValidSale): string {
  const [y, mo, d, hh, mm, ss, ms] = sale.created;
  const fraction = `${pad(ms, 3)}${'0'.repeat(sale.fractionDigits - 3)}`;
  const timestamp = `${dateText([y, mo, d])}${sale.separator}${pad(hh)}:${pad(mm)}:${pad(ss)}.${fraction}`;
  let line = validLine('sales_order', {
    sales_order_id: id,
    units_sold: sale.units,
    unit_price: sale.cents,
    agreed_delivery_date: dateText(sale.delivery),
    created_at: timestamp,
  });
  if (sale.moneyAsString) line = withRawValue(line, 'unit_price', `"${formatMoney(sale.cents)}"`);
  return line;
}

/** What the fact row must hold, worked out here (calendar arithmetic on UTC, never the machine's zone). */
function expectedFact(id: number, sale: ValidSale) {
  const [y, mo, d, hh, mm, ss, ms] = sale.created;
  const [dy, dm, dd] = sale.delivery;
  return {
    sales_order_id: id,
    units_sold: sale.units,
    unit_price: sale.cents,
    created_date: Date.UTC(y, mo - 1, d) / MS_PER_DAY,
    created_time: ((hh * 60 + mm) * 60 + ss) * 1000 + ms,
    agreed_delivery_date: Date.UTC(dy, dm - 1, dd) / MS_PER_DAY,
  };
}

interface Garbage {
  /** The bad line's bytes, made from a valid line. */
  readonly bytes: (valid: string) => Buffer;
  /** What its rejection must say (`cr`: the line ends CRLF; the CR counts towards its length). */
  readonly reason: (valid: string, cr: boolean) => string | RegExp;
  readonly column?: string;
}

const garbage: fc.Arbitrary<Garbage> = fc.oneof(
  fc.integer({ min: 1, max: 300 }).map((cut) => ({
    bytes: (l: string) => Buffer.from(l.slice(0, Math.min(cut, l.length - 1))),
    reason: () => /^malformed JSON /,
  })),
  fc.constantFrom('"12"', 'true', '1.5', '{}', 'null').map((raw) => ({
    bytes: (l: string) => Buffer.from(withRawValue(l, 'units_sold', raw)),
    reason: () => /^(column "units_sold": |key "units_sold" has a nested object)/,
    column: 'units_sold',
  })),
  fc.constantFrom('"2023-02-29"', '"2024-04-31"', '"2024-00-10"', '"2024-1-5"').map((raw) => ({
    bytes: (l: string) => Buffer.from(withRawValue(l, 'agreed_delivery_date', raw)),
    reason: () => new RegExp(`^column "agreed_delivery_date": ${raw} is not a (valid )?date`),
    column: 'agreed_delivery_date',
  })),
  fc.constantFrom('100000000', '"-100000000.00"', '0.001', '1e10').map((raw) => ({
    bytes: (l: string) => Buffer.from(withRawValue(l, 'unit_price', raw)),
    reason: () => /^column "unit_price": .* (is out of range for numeric\(10,2\)|has more than 2 decimal places)$/,
    column: 'unit_price',
  })),
  fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80])).map(([at, bad]) => ({
    bytes: (l: string) => {
      const position = at % l.length;
      return Buffer.concat([Buffer.from(l.slice(0, position)), Buffer.from(bad), Buffer.from(l.slice(position))]);
    },
    reason: (l: string) => `invalid UTF-8 at byte ${Buffer.byteLength(l.slice(0, at % l.length)) + 1} of the line`,
  })),
  fc.constant({
    bytes: (l: string) => Buffer.from(`${l.slice(0, -1)}, "sales_order_id": 1}`),
    reason: () => 'duplicate key "sales_order_id"',
    column: 'sales_order_id',
  }),
  fc.constantFrom('[1, 2]', '"a string"', 'null', '42', 'true', '\uFEFF{}').map((text) => ({
    bytes: () => Buffer.from(text),
    reason: () => /^malformed JSON at character 1: /,
  })),
  fc.integer({ min: MAX_LINE_BYTES, max: 3 * MAX_LINE_BYTES }).map((length) => ({
    bytes: (l: string) => Buffer.from(withRawValue(l, 'agreed_payment_date', JSON.stringify('9'.repeat(length)))),
    reason: (l: string, cr: boolean) => {
      const bytes = Buffer.byteLength(withRawValue(l, 'agreed_payment_date', JSON.stringify('9'.repeat(length)))) + (cr ? 1 : 0);
      return `line is ${bytes} bytes long, over the limit of ${MAX_LINE_BYTES} bytes; skipped`;
    },
  })),
);

type Entry = { kind: 'valid'; sale: ValidSale } | { kind: 'garbage'; garbage: Garbage } | { kind: 'blank'; text: string };

const entry: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 4, arbitrary: validSale.map((sale) => ({ kind: 'valid' as const, sale })) },
  { weight: 3, arbitrary: garbage.map((g) => ({ kind: 'garbage' as const, garbage: g })) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t').map((text) => ({ kind: 'blank' as const, text })) },
);

const objectShape = fc.record({
  first: validSale,
  entries: fc.array(entry, { maxLength: 25 }),
  crlf: fc.array(fc.boolean(), { minLength: 26, maxLength: 26 }),
  bom: fc.boolean(),
  gzip: fc.boolean(),
  chunkSize: fc.integer({ min: 1, max: 400 }),
  finalNewline: fc.boolean(),
});

describe('garbage lines among valid rows', () => {
  it('exactly the valid rows flow, exact; exactly the garbage is rejected, by line number and reason', async () => {
    await fc.assert(
      fc.asyncProperty(objectShape, async (shape) => {
        h.reset();
        h.s3.chunkSize = shape.chunkSize;
        const entries: Entry[] = [{ kind: 'valid', sale: shape.first }, ...shape.entries];
        const parts: Buffer[] = shape.bom ? [Buffer.from('\uFEFF')] : [];
        const expectedFacts: ReturnType<typeof expectedFact>[] = [];
        const expectedRejections: { line: number; reason: string | RegExp; column?: string }[] = [];
        for (const [index, item] of entries.entries()) {
          const id = index + 1;
          const lineNumber = index + 1;
          const last = index === entries.length - 1;
          const lineEnd = !last || shape.finalNewline ? (shape.crlf[index] ? '\r\n' : '\n') : '';
          if (item.kind === 'valid') {
            parts.push(Buffer.from(saleLine(id, item.sale)));
            expectedFacts.push(expectedFact(id, item.sale));
          } else if (item.kind === 'garbage') {
            const valid = saleLine(id, shape.first);
            parts.push(item.garbage.bytes(valid));
            expectedRejections.push({
              line: lineNumber,
              reason: item.garbage.reason(valid, lineEnd === '\r\n'),
              column: item.garbage.column,
            });
          } else {
            parts.push(Buffer.from(item.text));
          }
          parts.push(Buffer.from(lineEnd));
        }
        const key = h.key('sales_order', 1, { gzip: shape.gzip });
        const { summary, error } = await h.transform(key, Buffer.concat(parts), {
          gzip: shape.gzip,
          deps: { maxLineBytes: MAX_LINE_BYTES },
        });
        expect(error).toBeUndefined();
        expect(summary).toMatchObject({
          rowsIn: expectedFacts.length + expectedRejections.length,
          rowsRejected: expectedRejections.length,
        });

        const facts = await h.rows('sales_order', 1, 'fact_sales_order');
        expect(
          facts.map((f) => ({
            sales_order_id: f.sales_order_id,
            units_sold: f.units_sold,
            unit_price: f.unit_price,
            created_date: f.created_date,
            created_time: f.created_time,
            agreed_delivery_date: f.agreed_delivery_date,
          })),
        ).toEqual(expectedFacts);

        const rejected = h.rejected('sales_order', 1);
        expect(rejected.map((r) => r.line)).toEqual(expectedRejections.map((r) => r.line));
        for (const [i, rejection] of rejected.entries()) {
          const wanted = expectedRejections[i]!;
          expect(rejection.objectKey).toBe(key);
          if (typeof wanted.reason === 'string') expect(rejection.reason).toBe(wanted.reason);
          else expect(rejection.reason).toMatch(wanted.reason);
          if (wanted.column) expect(rejection.column).toBe(wanted.column);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('a drifted row anywhere', () => {
  it('holds the whole object, naming its line and column, and publishes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validSale, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.constantFrom<[string, (l: string) => string]>(
          ['colour', (l) => withExtraKey(l, 'colour', '"red"')],
          ['unit_price', (l) => withoutColumn(l, 'unit_price')],
          ['last_updated', (l) => withoutColumn(l, 'last_updated')],
        ),
        fc.boolean(),
        async (sales, at, [column, drift], gzip) => {
          h.reset();
          const lines = sales.map((sale, i) => saleLine(i + 1, sale));
          const driftLine = (at % lines.length) + 1;
          lines[driftLine - 1] = drift(lines[driftLine - 1]!);
          const key = h.key('sales_order', 2, { gzip });
          const { error } = await h.transform(key, `${lines.join('\n')}\n`, { gzip });
          expect(error).toMatchObject({ name: 'BadObjectError', objectKey: key, line: driftLine, column });
          expect(error!.message).toContain(`"${key}" (line ${driftLine}, column "${column}"): schema drift`);
          expect(h.processedKeys()).toEqual([]);
          expect(h.lastSequence('sales_order')).toBeUndefined();
        },
      ),
      { numRuns: 30 },
    );
  });
});
