import { describe, expect, it } from 'vitest';
import { FingerprintCollector, FingerprintFormatError, Fingerprints, mergeFingerprints } from '../../lambdas/core/extract/fingerprints';
import { rowHash } from '../../lambdas/core/extract/row-hash';

function collect(entries: [number, number][]): Fingerprints {
  const collector = new FingerprintCollector();
  for (const [id, hash] of entries) collector.add(id, hash);
  return collector.sorted();
}

describe('fingerprints', () => {
  it('sorts collected rows by id, a later entry for an id winning', () => {
    const fingerprints = collect([
      [5, 50],
      [1, 10],
      [5, 51],
      [3, 30],
    ]);
    expect([...fingerprints.ids]).toEqual([1, 3, 5]);
    expect(fingerprints.get(5)).toBe(51);
    expect(fingerprints.get(2)).toBeUndefined();
  });

  it('grows past its initial capacity', () => {
    const entries: [number, number][] = Array.from({ length: 5000 }, (_, i) => [5000 - i, i]);
    const fingerprints = collect(entries);
    expect(fingerprints.size).toBe(5000);
    expect(fingerprints.get(1)).toBe(4999);
  });

  it('merges changes over a base: changed ids replaced, new ids added, others kept', () => {
    const merged = mergeFingerprints(
      collect([
        [1, 10],
        [2, 20],
        [4, 40],
      ]),
      collect([
        [2, 21],
        [3, 30],
        [9, 90],
      ]),
    );
    expect([...merged.ids]).toEqual([1, 2, 3, 4, 9]);
    expect([...merged.hashes]).toEqual([10, 21, 30, 40, 90]);
  });

  it('round-trips through its binary form, odd counts included', () => {
    const fingerprints = collect([
      [1, rowHash('a')],
      [2, rowHash('b')],
      [-7, 2 ** 53 - 1],
    ]);
    const decoded = Fingerprints.decode(fingerprints.encode(), 'k');
    expect([...decoded.ids]).toEqual([-7, 1, 2]);
    expect(decoded.get(1)).toBe(rowHash('a'));
    expect(decoded.get(-7)).toBe(2 ** 53 - 1);
  });

  it('refuses bytes that are not a fingerprint object, naming the key', () => {
    expect(() => Fingerprints.decode(new TextEncoder().encode('not fingerprints'), 'extract/fingerprints/x.bin')).toThrow(
      FingerprintFormatError,
    );
    const truncated = collect([
      [1, 1],
      [2, 2],
    ])
      .encode()
      .subarray(0, 20);
    expect(() => Fingerprints.decode(truncated, 'extract/fingerprints/x.bin')).toThrow(/x\.bin: length 20 does not match 2 rows/);
  });

  it('hashes different lines differently, the same line the same', () => {
    expect(rowHash('{"a":1}')).toBe(rowHash('{"a":1}'));
    expect(rowHash('{"a":1}')).not.toBe(rowHash('{"a":2}'));
    expect(Number.isSafeInteger(rowHash('x'.repeat(1000)))).toBe(true);
  });
});
