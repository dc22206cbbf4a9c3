/**
 * Locating invalid UTF-8. The fast path (`buffer.isUtf8` on whole chunks) only says
 * whether a stretch is valid; this finds where it is not, so a rejected row can say
 * which byte of the line is at fault. Runs only on lines already known to be invalid.
 */

/**
 * The offset (from `start`) of the first byte that begins an ill-formed UTF-8 sequence
 * in `bytes[start, end)`, or -1 when the stretch is well-formed. Follows Unicode's table
 * of well-formed byte sequences: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let secondMin = 0x80;
    let secondMax = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0)
        secondMin = 0xa0; // overlong
      else if (lead === 0xed) secondMax = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0)
        secondMin = 0x90; // overlong
      else if (lead === 0xf4) secondMax = 0x8f; // above U+10FFFF
    } else return i - start;
    if (i + length > end) return i - start;
    const second = bytes[i + 1]!;
    if (second < secondMin || second > secondMax) return i - start;
    for (let k = 2; k < length; k++) {
      const continuation = bytes[i + k]!;
      if (continuation < 0x80 || continuation > 0xbf) return i - start;
    }
    i += length;
  }
  return -1;
}
