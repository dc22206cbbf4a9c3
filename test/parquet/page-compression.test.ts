/** When a column's pages are Snappy-compressed, and when they are stored as they are. */
import { snappyUncompress } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { snappyCompress } from '../../lambdas/core/parquet/hyparquet-writer-internals';
import { PageCompression } from '../../lambdas/core/parquet/page-compression';

/** Bytes that do not compress (a 32-bit LCG's high bytes). */
function noise(length: number, seed = 1): Uint8Array {
  let state = seed;
  return Uint8Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    return state >>> 24;
  });
}

function uncompressed(compressed: Uint8Array, length: number): Uint8Array {
  const output = new Uint8Array(length);
  snappyUncompress(compressed, output);
  return output;
}

describe('PageCompression', () => {
  it('compresses pages that pay, and every later page of the column, exactly', () => {
    const compression = new PageCompression(snappyCompress);
    const repetitive = Uint8Array.from({ length: 200_000 }, (_, i) => i % 251);
    for (const page of [repetitive, noise(100_000), repetitive.subarray(0, 1000)]) {
      const compressed = compression.page(page);
      expect(compressed).toBeDefined();
      expect(uncompressed(compressed!, page.length)).toEqual(page);
    }
  });

  it('gives up on a column whose first large page does not compress: that page and every later one are stored as they are', () => {
    const compression = new PageCompression(snappyCompress);
    expect(compression.page(noise(300_000))).toBeUndefined();
    expect(compression.page(Uint8Array.from({ length: 200_000 }, (_, i) => i % 251))).toBeUndefined();
    expect(compression.page(new Uint8Array(100))).toBeUndefined();
  });

  it('judges by the start of the first large page only', () => {
    // Noise first, zeros after: the start decides, though the whole page would compress.
    const noisyStart = new Uint8Array(1_000_000);
    noisyStart.set(noise(64 * 1024));
    expect(new PageCompression(snappyCompress).page(noisyStart)).toBeUndefined();
    // Zeros first, noise after: compressed, and exactly.
    const quietStart = new Uint8Array(1_000_000);
    quietStart.set(noise(900_000), 100_000);
    const compressed = new PageCompression(snappyCompress).page(quietStart);
    expect(compressed).toBeDefined();
    expect(uncompressed(compressed!, quietStart.length)).toEqual(quietStart);
  });

  it('compresses small pages without judging, so a small table is always compressed', () => {
    const compression = new PageCompression(snappyCompress);
    const small = noise(1000);
    expect(uncompressed(compression.page(small)!, small.length)).toEqual(small);
    expect(compression.page(noise(300_000))).toBeUndefined();
  });

  it('always compresses dictionary pages, even after giving up on the data pages', () => {
    const compression = new PageCompression(snappyCompress);
    expect(compression.page(noise(300_000))).toBeUndefined();
    const dictionary = noise(5000);
    expect(uncompressed(compression.dictionaryPage(dictionary), dictionary.length)).toEqual(dictionary);
  });
});
