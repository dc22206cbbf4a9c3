/** The text the loader sends Postgres for each value: exact and zone-free. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeCopyText, formatDate, formatTime } from '../../lambdas/core/load/copy-text';
import { formatUnscaled } from '../../lambdas/core/money';

describe('COPY text for values', () => {
  it('prints decimals from the unscaled integer, digit for digit', () => {
    expect(formatUnscaled(1234n, 2)).toBe('12.34');
    expect(formatUnscaled(5n, 2)).toBe('0.05');
    expect(formatUnscaled(-5n, 2)).toBe('-0.05');
    expect(formatUnscaled(0n, 2)).toBe('0.00');
    expect(formatUnscaled(9_999_999_999n, 2)).toBe('99999999.99');
    expect(formatUnscaled(42n, 0)).toBe('42');
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.integer({ min: 1, max: 6 }), (unscaled, scale) => {
        const text = formatUnscaled(unscaled, scale);
        // Reading the text back as an integer of 10^-scale units gives the same value.
        expect(BigInt(text.replace('.', ''))).toBe(unscaled);
        expect(text.split('.')[1]).toHaveLength(scale);
      }),
    );
  });

  it('prints dates from day numbers without consulting any zone', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(19_782)).toBe('2024-02-29');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatDate(-719_162)).toBe('0001-01-01');
    expect(formatDate(2_932_896)).toBe('9999-12-31');
    expect(() => formatDate(2_932_897)).toThrow(/out of range/);
    fc.assert(
      fc.property(fc.integer({ min: -700_000, max: 2_900_000 }), (days) => {
        // toISOString is UTC by definition: an independent, zone-free oracle.
        expect(formatDate(days)).toBe(new Date(days * 86_400_000).toISOString().slice(0, 10));
      }),
    );
  });

  it('prints times with their milliseconds', () => {
    expect(formatTime(0)).toBe('00:00:00.000');
    expect(formatTime(34_212_345)).toBe('09:30:12.345');
    expect(formatTime(86_399_999)).toBe('23:59:59.999');
    expect(() => formatTime(86_400_000)).toThrow(/not a time of day/);
    expect(() => formatTime(-1)).toThrow(/not a time of day/);
  });

  it('escapes exactly the characters COPY text format gives meaning to', () => {
    expect(escapeCopyText('plain text, «unicode» ✓')).toBe('plain text, «unicode» ✓');
    expect(escapeCopyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
  });
});
