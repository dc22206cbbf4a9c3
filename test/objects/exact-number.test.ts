import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactNumberReader } from '../../lambdas/core/objects/exact-number';

const money = new ExactNumberReader(2, 8); // numeric(10,2)
const read = (literal: string) => money.read(literal, 0, literal.length);

describe('exact decimal reading (numeric(10,2))', () => {
  it.each([
    ['361.39', 36139n],
    ['0.01', 1n],
    ['-0.01', -1n],
    ['0.1', 10n],
    ['0.3', 30n],
    ['99999999.99', 9999999999n],
    ['-99999999.99', -9999999999n],
    ['3', 300n],
    ['-3', -300n],
    ['3.5', 350n],
    ['3.500', 350n],
    ['2.0', 200n],
    ['0', 0n],
    ['-0', 0n],
    ['-0.00', 0n],
    ['0.000000', 0n],
  ])('%s is exactly %s hundredths', (literal, unscaled) => {
    expect(read(literal)).toBe(unscaled);
  });

  it.each([
    ['3.5e2', 35000n],
    ['1e-2', 1n],
    ['1E+2', 10000n],
  ])('evaluates exponent form %s exactly', (literal, unscaled) => {
    expect(read(literal)).toBe(unscaled);
  });

  it('evaluates exponent forms exactly, including ones that end up integral or out of range', () => {
    expect(read('123400e-4')).toBe(1234n); // 12.34
    expect(read('1.5e1')).toBe(1500n);
    expect(read('0.0001e4')).toBe(100n);
    expect(read('0e999999999999')).toBe(0n);
    expect(read('1.2345e2')).toBe(12345n); // 123.45
    expect(read('1e8')).toBe('too-many-integer-digits');
    expect(read('1e-3')).toBe('too-many-fraction-digits');
    expect(read('1e999999999999999999999')).toBe('too-many-integer-digits');
    expect(read('1e-999999999999999999999')).toBe('too-many-fraction-digits');
  });

  it('rejects more than 2 significant decimal places instead of rounding', () => {
    expect(read('12.345')).toBe('too-many-fraction-digits');
    expect(read('0.001')).toBe('too-many-fraction-digits');
    expect(read('0.30000000000000004')).toBe('too-many-fraction-digits');
  });

  it('rejects more than 8 integer digits (numeric(10,2) range)', () => {
    expect(read('100000000')).toBe('too-many-integer-digits');
    expect(read('123456789.00')).toBe('too-many-integer-digits');
    expect(read('-100000000.5')).toBe('too-many-integer-digits');
    expect(read('1'.repeat(400))).toBe('too-many-integer-digits');
  });

  it.each(['', '-', '+1', '.5', '5.', '01', '1.2.3', '1e', '1e+', 'NaN', 'Infinity', ' 1', '1 ', '0x10', '1,5', '--1'])(
    'rejects %j as not a number literal',
    (literal) => {
      expect(read(literal)).toBe('syntax');
    },
  );

  it('reads only the given stretch of a longer text', () => {
    const text = '{"unit_price": 361.39, "x": 1}';
    const start = text.indexOf('361');
    expect(money.read(text, start, start + 6)).toBe(36139n);
  });

  it('round-trips every numeric(10,2) value exactly, as plain and as exponent literals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -9_999_999_999n, max: 9_999_999_999n }), fc.integer({ min: 0, max: 3 }), (unscaled, extraZeros) => {
        const negative = unscaled < 0n;
        const digits = (negative ? -unscaled : unscaled).toString().padStart(3, '0');
        const plain = `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}${'0'.repeat(extraZeros)}`;
        expect(read(plain)).toBe(unscaled);
        // The same value as <all digits>e-2, and with a shifted exponent.
        const exponentForm = `${negative ? '-' : ''}${BigInt(digits)}e-2`;
        expect(read(exponentForm)).toBe(unscaled);
        const shifted = `${negative ? '-' : ''}${BigInt(digits) * 10n ** BigInt(extraZeros)}E-${2 + extraZeros}`;
        expect(read(shifted)).toBe(unscaled);
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts a value with a non-zero third decimal', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -99_999_999_999n, max: 99_999_999_999n }).filter((v) => v % 10n !== 0n),
        (thousandths) => {
          const negative = thousandths < 0n;
          const digits = (negative ? -thousandths : thousandths).toString().padStart(4, '0');
          const literal = `${negative ? '-' : ''}${digits.slice(0, -3)}.${digits.slice(-3)}`;
          expect(read(literal)).toBe('too-many-fraction-digits');
        },
      ),
    );
  });
});

describe('exact integer reading (scale 0)', () => {
  const integers = new ExactNumberReader(0, 10);
  const readInteger = (literal: string) => integers.readSmall(literal, 0, literal.length);

  it('accepts integral values in any JSON number notation', () => {
    expect(readInteger('42972')).toBe(42972);
    expect(readInteger('2.0')).toBe(2);
    expect(readInteger('2.00')).toBe(2);
    expect(readInteger('2e0')).toBe(2);
    expect(readInteger('1.5e1')).toBe(15);
    expect(readInteger('-7')).toBe(-7);
    expect(Object.is(readInteger('-0'), 0)).toBe(true);
    expect(readInteger('9999999999')).toBe(9_999_999_999); // range is the caller's check
  });

  it('reports fractions and too many digits', () => {
    expect(readInteger('2.5')).toBe('too-many-fraction-digits');
    expect(readInteger('25e-1')).toBe('too-many-fraction-digits');
    expect(readInteger('10000000000')).toBe('too-many-integer-digits');
    expect(readInteger('1e10')).toBe('too-many-integer-digits');
  });
});

describe('precision beyond 15 digits (BigInt path)', () => {
  const wide = new ExactNumberReader(4, 30);
  it('stays exact', () => {
    const literal = '123456789012345678901234567890.1234';
    expect(wide.read(literal, 0, literal.length)).toBe(1234567890123456789012345678901234n);
    expect(wide.read('-0.00010', 0, 8)).toBe(-1n);
    expect(wide.read('0.00001', 0, 7)).toBe('too-many-fraction-digits');
  });
});
