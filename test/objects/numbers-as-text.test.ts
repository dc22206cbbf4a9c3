/**
 * CONTRACT.md §2: a JSON number in a text column (one team's dump typed phone numbers as numbers)
 * is that number's literal text, exactly as written. Both reading paths must give the same
 * text and count such values; everything around the rule (length limits, malformed
 * numbers, enum columns) stays a bad row with the same reason on both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBothWays } from './both-paths';
import { readAll, type SampleTable, sampleLine } from './support';

const lines = (...texts: string[]) => `${texts.join('\n')}\n`;

describe('a JSON number in a text column', () => {
  it.each([
    ['1803637401', '1803637401'],
    ['1.50', '1.50'],
    ['-0', '-0'],
    ['1e3', '1e3'],
    ['0', '0'],
    ['-12.5E-3', '-12.5E-3'],
    ['1E+2', '1E+2'],
    ['44.0', '44.0'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
  ])('%s is the text %j, on both paths, counted', (literal, text) => {
    // Line 1 as the sample has it, then the number: the fast path reads line 2 by comparing templates.
    const { fast, general } = readBothWays('address', lines(sampleLine('address'), sampleLine('address', { phone: literal })));
    expect(fast.rejected).toEqual([]);
    expect(fast.rows[1]?.row.phone).toBe(text);
    expect(fast.rows).toEqual(general.rows);
    expect(fast.fastLines).toBe(2);
    expect(fast.numbersAsText).toBe(1);
    expect(general.numbersAsText).toBe(1);
  });

  it('counts every such value of an object, and only those, in the batches it yields', async () => {
    const text = lines(
      sampleLine('address', { phone: '1803637401' }),
      sampleLine('address', { phone: '"1803 637401"' }),
      sampleLine('address', { phone: '1803637402', postal_code: '28441', address_line_2: '12' }),
      '',
      sampleLine('address', { phone: '  7 ' }),
    );
    const { rows, rejected, batches } = await readAll(text, { table: 'address' });
    expect(rejected).toEqual([]);
    expect(rows.map(({ row }) => [row.phone, row.postal_code, row.address_line_2])).toEqual([
      ['1803637401', '28441', null],
      ['1803 637401', '28441', null],
      ['1803637402', '28441', '12'],
      ['7', '28441', null],
    ]);
    expect(batches.reduce((sum, batch) => sum + batch.numbersAsText, 0)).toBe(5);
    const { fast, general } = readBothWays('address', text);
    expect(fast.rows).toEqual(general.rows);
    expect([fast.numbersAsText, general.numbersAsText]).toEqual([5, 5]);
  });

  it('does not count numbers of a row that is rejected for another column', () => {
    const text = lines(sampleLine('address', { phone: '1803637401', city: 'null' }));
    const { fast, general } = readBothWays('address', text);
    expect(fast.rejected).toMatchObject([{ line: 1, column: 'city', reason: 'column "city": null in a non-null column' }]);
    expect(fast.rejected).toEqual(general.rejected);
    expect([fast.numbersAsText, general.numbersAsText]).toEqual([0, 0]);
  });

  /** A reason at `offset` characters into the phone value of `line` (positions are 1-based). */
  const atPhone = (offset: number, expected: string) => (line: string) =>
    `malformed JSON at character ${line.indexOf('"phone": ') + '"phone": '.length + 1 + offset}: ${expected}`;

  it.each<[string, SampleTable, Record<string, string>, string | undefined, string | ((line: string) => string)]>([
    [
      'a number longer than varchar(3)',
      'currency',
      { currency_code: '1234' },
      'currency_code',
      'column "currency_code": 1234 is longer than 3 characters',
    ],
    [
      'a number in an enum column',
      'payment_type',
      { payment_type_name: '1' },
      'payment_type_name',
      'column "payment_type_name": expected one of SALES_RECEIPT, SALES_REFUND, PURCHASE_PAYMENT, PURCHASE_REFUND, got 1',
    ],
    ['a leading zero', 'address', { phone: '01803637401' }, undefined, atPhone(1, 'expected "," or "}"')],
    ['a bare decimal point', 'address', { phone: '1.' }, undefined, atPhone(2, 'invalid number')],
    ['a lone minus', 'address', { phone: '-' }, undefined, atPhone(1, 'invalid number')],
    ['an empty exponent', 'address', { phone: '1e' }, undefined, atPhone(2, 'invalid number')],
    ['a plus sign', 'address', { phone: '+1' }, undefined, atPhone(0, 'expected a value')],
  ])('%s is a bad row with the same reason on both paths', (_, table, overrides, column, reason) => {
    // After a clean line, so the fast path has templates to try first.
    const bad = sampleLine(table, overrides);
    const { fast, general } = readBothWays(table, lines(sampleLine(table), bad));
    expect(fast.rejected).toHaveLength(1);
    expect(fast.rejected[0]).toMatchObject({ line: 2, reason: typeof reason === 'string' ? reason : reason(bad) });
    expect(fast.rejected[0]?.column).toBe(column);
    expect(fast.rejected).toEqual(general.rejected);
    expect(fast.numbersAsText).toBe(0);
  });

  /** Any JSON number literal, including the odd-looking ones. */
  const numberLiteral = fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{0,25}$/)).map(([d, rest]) => `${d}${rest}`),
      ),
      fc.option(fc.stringMatching(/^[0-9]{1,12}$/)),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,4}$/))),
    )
    .map(
      ([sign, integer, fraction, exponent]) =>
        `${sign}${integer}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`,
    );

  it('is read to its exact literal by both paths, whatever the literal', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(numberLiteral, fc.option(numberLiteral)), { minLength: 1, maxLength: 6 }), (values) => {
        const text = lines(...values.map(([phone, district]) => sampleLine('address', { phone, district: district ?? '"Avon"' })));
        const { fast, general } = readBothWays('address', text);
        expect(fast.rejected).toEqual([]);
        expect(fast.rows.map(({ row }) => [row.phone, row.district])).toEqual(
          values.map(([phone, district]) => [phone, district ?? 'Avon']),
        );
        expect(fast.rows).toEqual(general.rows);
        const count = values.reduce((sum, [, district]) => sum + (district === null ? 1 : 2), 0);
        expect([fast.numbersAsText, general.numbersAsText]).toEqual([count, count]);
        expect(fast.fastLines).toBe(values.length);
      }),
      { numRuns: 300 },
    );
  });
});
