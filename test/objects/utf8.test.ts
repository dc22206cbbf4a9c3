import { Buffer, isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Offset } from '../../lambdas/core/objects/utf8';

describe('locating invalid UTF-8', () => {
  it.each([
    ['valid mixed text', Buffer.from('aé€🙂'), -1],
    ['a lone continuation byte', Buffer.from([0x61, 0x80]), 1],
    ['an overlong 2-byte form', Buffer.from([0xc0, 0xaf]), 0],
    ['an overlong 3-byte form', Buffer.from([0x61, 0xe0, 0x80, 0xaf]), 1],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 0],
    ['a code point above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
    ['a truncated sequence at the end', Buffer.from([0x61, 0x62, 0xf0, 0x9f, 0x99]), 2],
    ['a sequence cut by an ASCII byte', Buffer.from([0xe2, 0x82, 0x41]), 0],
    ['0xff', Buffer.from([0x61, 0x62, 0x63, 0xff]), 3],
  ])('%s', (_, bytes, offset) => {
    expect(firstInvalidUtf8Offset(bytes)).toBe(offset);
  });

  it('agrees with buffer.isUtf8, and everything before the offset is valid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4)), { maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        (randomBytes, text) => {
          const bytes = Buffer.concat([Buffer.from(text), Buffer.from(randomBytes)]);
          const offset = firstInvalidUtf8Offset(bytes);
          expect(offset === -1).toBe(isUtf8(bytes));
          if (offset >= 0) {
            expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
            expect(offset).toBeGreaterThanOrEqual(Buffer.byteLength(text));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('checks only the given stretch', () => {
    const bytes = Buffer.from([0xff, 0x61, 0x62, 0xff]);
    expect(firstInvalidUtf8Offset(bytes, 1, 3)).toBe(-1);
    expect(firstInvalidUtf8Offset(bytes, 1, 4)).toBe(2);
  });
});
