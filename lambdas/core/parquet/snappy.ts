/**
 * Snappy compression (the raw block format Parquet's SNAPPY codec stores a page in).
 *
 * The algorithm of snappyjs (MIT License, Copyright (c) 2016 Zhipeng Jia,
 * https://github.com/zhipeng-jia/snappyjs) as hyparquet-writer ships it, and the same
 * output byte for byte (test/parquet/snappy.test.ts), but written into one byte array
 * sized for the worst case rather than through a writer that checks and grows its buffer
 * for every byte: about twice as fast on dimension pages, which compress.
 *
 * JavaScript, not WebAssembly: a wasm compressor grows its memory for a large page, and
 * growing wasm memory detaches an ArrayBuffer; after the first detach in a process V8
 * drops every optimised function that touches a typed array and recompiles it with a
 * detach check on every access (parquet/README.md).
 */

const MAX_HASH_TABLE_BITS = 14;
const MAX_OFFSET = 0xffff;
/** The last bytes are always emitted as a literal: matching stops this far from the end. */
const INPUT_MARGIN = 15;

/** One hash table per size, reused (zeroed) from page to page. */
const hashTables: (Uint32Array | undefined)[] = [];

/** The most bytes `length` input bytes can take compressed (Snappy's bound, plus the length varint). */
function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(maxCompressedLength(input.length));
  let op = 0;
  // The uncompressed length, as a varint.
  let rest = input.length;
  while (rest > 0x7f) {
    out[op++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[op++] = rest;
  op = compressInto(input, out, op);
  return out.subarray(0, op);
}

function hashOf(key: number, shift: number): number {
  return Math.imul(key, 0x1e35a7bd) >>> shift;
}

function load32(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

function equals32(bytes: Uint8Array, a: number, b: number): boolean {
  return bytes[a] === bytes[b] && bytes[a + 1] === bytes[b + 1] && bytes[a + 2] === bytes[b + 2] && bytes[a + 3] === bytes[b + 3];
}

/** Compresses `input` into `out` from `op`; returns where the output ends. */
function compressInto(input: Uint8Array, out: Uint8Array, start: number): number {
  let op = start;
  const inputSize = input.length;
  let hashTableBits = 1;
  while (1 << hashTableBits <= inputSize && hashTableBits <= MAX_HASH_TABLE_BITS) hashTableBits++;
  hashTableBits--;
  const shift = 32 - hashTableBits;
  const table = (hashTables[hashTableBits] ??= new Uint32Array(1 << hashTableBits));
  table.fill(0);

  let ip = 0;
  let nextEmit = 0;
  if (inputSize >= INPUT_MARGIN) {
    const ipLimit = inputSize - INPUT_MARGIN;
    ip++;
    let nextHash = hashOf(load32(input, ip), shift);
    search: for (;;) {
      // Look for a 4-byte match, skipping further ahead the longer none is found.
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const hash = nextHash;
        nextIp = ip + (skip >>> 5);
        skip++;
        if (ip > ipLimit) break search;
        nextHash = hashOf(load32(input, nextIp), shift);
        candidate = table[hash]!;
        table[hash] = ip;
      } while (ip - candidate > MAX_OFFSET || !equals32(input, ip, candidate));

      op = emitLiteral(input, nextEmit, ip - nextEmit, out, op);
      // Emit copies for as long as the bytes after one match start another.
      do {
        const base = ip;
        let matched = 4;
        while (ip + matched < inputSize && input[ip + matched] === input[candidate + matched]) matched++;
        ip += matched;
        op = emitCopy(base - candidate, matched, out, op);
        nextEmit = ip;
        if (ip >= ipLimit) break search;
        table[hashOf(load32(input, ip - 1), shift)] = ip - 1;
        const hash = hashOf(load32(input, ip), shift);
        candidate = table[hash]!;
        table[hash] = ip;
      } while (ip - candidate <= MAX_OFFSET && equals32(input, ip, candidate));

      ip++;
      nextHash = hashOf(load32(input, ip), shift);
    }
  }
  if (nextEmit < inputSize) op = emitLiteral(input, nextEmit, inputSize - nextEmit, out, op);
  return op;
}

function emitLiteral(input: Uint8Array, from: number, length: number, out: Uint8Array, start: number): number {
  let op = start;
  if (length <= 60) {
    out[op++] = (length - 1) << 2;
  } else {
    const value = length - 1;
    const bytes = value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 4;
    out[op++] = (59 + bytes) << 2;
    for (let i = 0; i < bytes; i++) out[op++] = (value >>> (i * 8)) & 0xff;
  }
  // Short literals byte by byte: cheaper than a call into set().
  if (length <= 16) {
    for (let i = 0; i < length; i++) out[op + i] = input[from + i]!;
  } else {
    out.set(input.subarray(from, from + length), op);
  }
  return op + length;
}

function emitCopy(offset: number, length: number, out: Uint8Array, start: number): number {
  let op = start;
  let rest = length;
  // 64-byte copies while at least 68 bytes remain, then one of 60 if over 64 remain.
  while (rest >= 68) {
    op = emitCopyUpTo64(offset, 64, out, op);
    rest -= 64;
  }
  if (rest > 64) {
    op = emitCopyUpTo64(offset, 60, out, op);
    rest -= 60;
  }
  return emitCopyUpTo64(offset, rest, out, op);
}

function emitCopyUpTo64(offset: number, length: number, out: Uint8Array, start: number): number {
  let op = start;
  if (length < 12 && offset < 2048) {
    // 4–11 bytes, offset < 2048: [1 | (length − 4) << 2 | (offset >> 8) << 5], offset & 0xff.
    out[op++] = 1 + ((length - 4) << 2) + ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    // Up to 64 bytes, offset < 65536: [2 | (length − 1) << 2], offset as 2 bytes LE.
    out[op++] = 2 + ((length - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}
