/** Our Snappy compressor: the same bytes as hyparquet-writer's (the algorithm it ports), and lossless. */
import fc from 'fast-check';
import { snappyUncompress } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { snappyCompress as referenceCompress } from '../../lambdas/core/parquet/hyparquet-writer-internals';
import { snappyCompress } from '../../lambdas/core/parquet/snappy';

function roundTrip(input: Uint8Array): Uint8Array {
  const output = new Uint8Array(input.length);
  snappyUncompress(snappyCompress(input), output);
  return output;
}

/** Bytes drawn from a few symbols, in runs and repeats: text, ids and hashes as pages hold them. */
const pageLike = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 300 })).map(([byte, count]) => new Uint8Array(count).fill(byte)),
      fc.constantFrom(...['a3f9c2', 'PURCHASE', 'SALE', '0000000001.20241114T093012345'].map((text) => Buffer.from(text))),
    ),
    { maxLength: 400 },
  )
  .map((pieces) => Uint8Array.from(Buffer.concat(pieces)));

describe('snappyCompress', () => {
  it('writes exactly what hyparquet-writer writes, and decompresses to its input', () => {
    fc.assert(
      fc.property(pageLike, (input) => {
        expect(Buffer.from(snappyCompress(input))).toEqual(Buffer.from(referenceCompress(input)));
        expect(roundTrip(input)).toEqual(input);
      }),
      { numRuns: 500 },
    );
  });

  it('handles the edges: empty, under the 15-byte margin, literals over 60 and 65,536 bytes, matches over 64 bytes and 65,535 back', () => {
    let state = 7;
    const noise = (length: number) =>
      Uint8Array.from({ length }, () => {
        state = (Math.imul(state, 1664525) + 1013904223) | 0;
        return state >>> 24;
      });
    const block = noise(70_000);
    const inputs = [
      new Uint8Array(0),
      Uint8Array.of(1),
      noise(14),
      noise(15),
      noise(61),
      noise(300_000),
      new Uint8Array(1_000_000),
      Uint8Array.from(Buffer.concat([block, block, block])),
      Uint8Array.from(Buffer.concat([noise(65_535), noise(10), noise(65_536)])),
    ];
    for (const input of inputs) {
      expect(Buffer.from(snappyCompress(input)), `${input.length} bytes`).toEqual(Buffer.from(referenceCompress(input)));
      expect(roundTrip(input)).toEqual(input);
    }
    expect(snappyCompress(new Uint8Array(1_000_000)).length).toBeLessThan(50_000);
  });
});
