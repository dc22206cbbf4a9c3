/** MurmurHash3 x86 128 against the reference implementation's test vectors. */
import { describe, expect, it } from 'vitest';
import { murmur3x86128, murmur3x86128Source } from '../../lambdas/core/transform/murmur3';

/** As the reference tests print it: h1…h4, each as 8 hex digits. */
function hash(text: string | Uint8Array, seed: number): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const out = new Int32Array(4);
  murmur3x86128(bytes, bytes.length, seed, out);
  return [...out].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}

describe('murmur3x86128', () => {
  it('gives the reference test vectors', () => {
    // github.com/PeterScott/murmur3 test.c (the reference MurmurHash3_x86_128).
    expect(hash('Hello, world!', 123)).toBe('61c9129e5a1aacd7a41621629e37c886');
    expect(hash('Hello, world!', 321)).toBe('d5fbdcb3c26c4193045880c5a7170f0f');
    expect(hash('xxxxxxxxxxxxxxxxxxxxxxxxxxxx', 123)).toBe('5e40bab278825a164cf929d31fec6047');
    expect(hash('', 123)).toBe('fedc524526f3e79926f3e79926f3e799');
    // github.com/karanlyons/murmurHash3.js README (seed 0).
    expect(hash("I will not buy this tobacconist's, it is scratched.", 0)).toBe('9b5b7ba2ef3f7866889adeaf00f3f98e');
    expect(
      hash(
        Uint8Array.from({ length: 256 }, (_, i) => i),
        0,
      ),
    ).toBe('2c56c88fdb4503dfd352b21a494ca2c0');
  });

  it('hashes only the given length, whatever the buffer holds after it', () => {
    const bytes = Buffer.from('Hello, world!0123456789');
    const out = new Int32Array(4);
    murmur3x86128(bytes, 13, 123, out);
    expect([...out].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('')).toBe('61c9129e5a1aacd7a41621629e37c886');
  });

  it('gives the same hash from aligned and unaligned bytes, and from a reused buffer rewritten', () => {
    const text = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxx';
    const backing = new Uint8Array(64);
    const unaligned = backing.subarray(1, 1 + text.length);
    unaligned.set(Buffer.from(text));
    expect(hash(unaligned, 123)).toBe('5e40bab278825a164cf929d31fec6047');
    const reused = new Uint8Array(32);
    reused.set(Buffer.from(text));
    expect(hash(reused.subarray(0, text.length), 123)).toBe('5e40bab278825a164cf929d31fec6047');
    const out = new Int32Array(4);
    reused.set(Buffer.from('Hello, world!'));
    murmur3x86128(reused, 13, 123, out);
    expect([...out].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('')).toBe('61c9129e5a1aacd7a41621629e37c886');
    reused.fill(0x78);
    murmur3x86128(reused, text.length, 123, out);
    expect([...out].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('')).toBe('5e40bab278825a164cf929d31fec6047');
  });

  it('generates straight-line code that gives the same hash as the function, at every length', () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 31 + 7) & 0xff);
      const padded = new Uint8Array((length + 3) & ~3);
      padded.set(bytes);
      const view = new DataView(padded.buffer);
      const words = Array.from({ length: padded.length / 4 }, (_, w) => String(view.getInt32(4 * w, true)));
      const generated = new Int32Array(4);
      new Function('out', murmur3x86128Source(words, length, 'out'))(generated);
      const expected = new Int32Array(4);
      murmur3x86128(bytes, length, 0, expected);
      expect([...generated], `length ${length}`).toEqual([...expected]);
    }
  });

  it('refuses a word list that does not match the length', () => {
    expect(() => murmur3x86128Source(['0'], 5, 'out')).toThrow('1 words for 5 bytes');
  });
});
