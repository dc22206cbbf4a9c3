/** Money as text on the unscaled bigint: the one module the loader, ops and the generator print and parse with. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUnscaled, formatUnscaledShortest, parseUnscaled } from '../../lambdas/core/money';

describe('money as text', () => {
  it('prints a fixed number of fraction digits from the unscaled integer', () => {
    expect(formatUnscaled(1234n, 2)).toBe('12.34');
    expect(formatUnscaled(-5n, 2)).toBe('-0.05');
    expect(formatUnscaled(0n, 2)).toBe('0.00');
    expect(formatUnscaled(42n, 0)).toBe('42');
  });

  it('prints the shortest decimal form, keeping one fraction digit', () => {
    expect(formatUnscaledShortest(36139n, 2)).toBe('361.39');
    expect(formatUnscaledShortest(390n, 2)).toBe('3.9');
    expect(formatUnscaledShortest(300n, 2)).toBe('3.0');
    expect(formatUnscaledShortest(5n, 2)).toBe('0.05');
    expect(formatUnscaledShortest(-390n, 2)).toBe('-3.9');
    expect(formatUnscaledShortest(0n, 2)).toBe('0.0');
    expect(formatUnscaledShortest(7n, 0)).toBe('7.0');
  });

  it('parses back exactly what it prints, in either form, beyond any float precision', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 6 }), (unscaled, scale) => {
        expect(parseUnscaled(formatUnscaled(unscaled, scale), scale)).toBe(unscaled);
        expect(parseUnscaled(formatUnscaledShortest(unscaled, scale), scale)).toBe(unscaled);
      }),
    );
  });

  it('refuses text that is not a plain decimal or is finer than the scale', () => {
    expect(() => parseUnscaled('1e3', 2)).toThrow('"1e3" is not a decimal number');
    expect(() => parseUnscaled('1.234', 2)).toThrow('"1.234" has more than 2 decimal places');
    expect(parseUnscaled('1.230', 2)).toBe(123n);
  });
});
