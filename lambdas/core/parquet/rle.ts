/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary indexes),
 * written straight into a byte array: runs of 8 or more equal values as RLE runs, the rest
 * bit-packed in groups of 8, least significant bit first.
 */

/** Widest value supported: dictionaries are capped well below 2^16 entries, levels are 1 bit. */
const MAX_BIT_WIDTH = 24;

/** `values[start, end)` encoded with `bitWidth` bits each. */
export function encodeRleBitPacked(values: ArrayLike<number>, start: number, end: number, bitWidth: number): Uint8Array {
  if (bitWidth > MAX_BIT_WIDTH) throw new RangeError(`RLE bit width ${bitWidth} is over ${MAX_BIT_WIDTH}`);
  // Each 8 values take at most one RLE run (header ≤ 5 bytes + value ≤ 3) or bitWidth bytes packed.
  const out = new RleOutput(Math.ceil((end - start) / 8) * (bitWidth + 8) + 16);
  let packedStart = -1; // start of the pending bit-packed stretch, if any
  let i = start;
  while (i < end) {
    const value = values[i]!;
    let run = 1;
    while (i + run < end && values[i + run] === value) run++;
    if (run >= 8) {
      if (packedStart >= 0) out.bitPacked(values, packedStart, i, end, bitWidth);
      packedStart = -1;
      out.rle(value, run, bitWidth);
      i += run;
    } else {
      if (packedStart < 0) packedStart = i;
      i += 8; // a group of 8 (the last one padded)
    }
  }
  if (packedStart >= 0) out.bitPacked(values, packedStart, Math.min(i, end), end, bitWidth);
  return out.bytes.subarray(0, out.length);
}

class RleOutput {
  readonly bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  varint(value: number): void {
    let rest = value;
    while (rest > 0x7f) {
      this.bytes[this.length++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.bytes[this.length++] = rest;
  }

  rle(value: number, count: number, bitWidth: number): void {
    this.varint(count << 1);
    for (let shift = 0; shift < bitWidth; shift += 8) this.bytes[this.length++] = (value >>> shift) & 0xff;
  }

  /** Values `[from, to)` in groups of 8, zero-padded past `end`. */
  bitPacked(values: ArrayLike<number>, from: number, to: number, end: number, bitWidth: number): void {
    const groups = Math.ceil((to - from) / 8);
    this.varint((groups << 1) | 1);
    if (bitWidth === 0) return;
    const mask = bitWidth === 32 ? -1 : (1 << bitWidth) - 1;
    const bytes = this.bytes;
    let at = this.length;
    let buffer = 0;
    let bits = 0;
    const last = from + groups * 8;
    for (let i = from; i < last; i++) {
      const value = i < end ? values[i]! & mask : 0;
      buffer |= value << bits;
      bits += bitWidth;
      while (bits >= 8) {
        bytes[at++] = buffer & 0xff;
        buffer >>>= 8;
        bits -= 8;
      }
    }
    this.length = at; // 8 values fill whole bytes: nothing is left in the buffer
  }
}
