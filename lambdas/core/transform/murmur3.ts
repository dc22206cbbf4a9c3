/**
 * MurmurHash3 x86 128-bit (Austin Appleby's reference MurmurHash3_x86_128, public domain),
 * for fact version hashes: fast in JavaScript (32-bit multiplies only), well distributed,
 * not cryptographic, which a version identity does not need. test/transform/murmur3.test.ts
 * checks it against the reference test vectors.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

/** Hashes `bytes[0, length)` with `seed` into `out` (h1, h2, h3, h4 as int32). */
export function murmur3x86128(bytes: Uint8Array, length: number, seed: number, out: Int32Array): void {
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocksEnd = length & ~15;
  // Blocks are read as whole words where the bytes are 4-byte aligned (a reused buffer's
  // view is kept), else byte by byte. Little-endian platforms only, as the Parquet writer.
  const words = alignedWords(bytes);
  for (let i = 0; i < blocksEnd; i += 16) {
    let k1 = words ? words[i >> 2]! : word(bytes, i);
    let k2 = words ? words[(i >> 2) + 1]! : word(bytes, i + 4);
    let k3 = words ? words[(i >> 2) + 2]! : word(bytes, i + 8);
    let k4 = words ? words[(i >> 2) + 3]! : word(bytes, i + 12);

    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }

  // The tail: up to 15 bytes, little-endian into k1…k4 (the reference's fall-through switch).
  const tail = length & 15;
  if (tail > 0) {
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let j = tail - 1; j >= 0; j--) {
      const byte = bytes[blocksEnd + j]!;
      const shift = (j & 3) << 3;
      if (j >= 12) k4 ^= byte << shift;
      else if (j >= 8) k3 ^= byte << shift;
      else if (j >= 4) k2 ^= byte << shift;
      else k1 ^= byte << shift;
    }
    if (tail > 12) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    if (tail > 8) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    if (tail > 4) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
  }

  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  out[0] = h1;
  out[1] = (h2 + h1) | 0;
  out[2] = (h3 + h1) | 0;
  out[3] = (h4 + h1) | 0;
}

let viewedBytes: Uint8Array | undefined;
let viewedWords: Int32Array | undefined;

/** `bytes` as 32-bit words when it starts 4-byte aligned; the last view is kept for a reused buffer. */
function alignedWords(bytes: Uint8Array): Int32Array | undefined {
  if (bytes === viewedBytes) return viewedWords;
  viewedBytes = bytes;
  viewedWords = (bytes.byteOffset & 3) === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : undefined;
  return viewedWords;
}

/** The little-endian 32-bit word at `at`. */
function word(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35 | 0);
  return h ^ (h >>> 16);
}

/**
 * The source of straight-line code that hashes (seed 0) `length` bytes given as their
 * 32-bit little-endian words, each a JavaScript int32 expression (`words[i]` is the word
 * at byte 4i; bytes past `length` in the last word are zero), and stores h1…h4 in the
 * Int32Array named `out`. For a layout fixed when the code is generated (a fact row of
 * fixed-size values), so no byte is written anywhere and the hash runs in registers.
 * The same algorithm as `murmur3x86128`; test/transform/murmur3.test.ts checks the two agree.
 */
export function murmur3x86128Source(words: readonly string[], length: number, out: string): string {
  if (words.length !== (length + 3) >> 2) throw new Error(`${words.length} words for ${length} bytes`);
  const rotl = (x: string, r: number) => `((${x} << ${r}) | (${x} >>> ${32 - r}))`;
  // k = rotl(k * c, r) * c' (in place on `k`), as in the blocks loop above.
  const mix = (ca: number, r: number, cb: number) => `k = Math.imul(k, ${ca}); k = ${rotl('k', r)}; k = Math.imul(k, ${cb});`;
  const mixK1 = mix(C1, 15, C2);
  const mixK2 = mix(C2, 16, C3);
  const mixK3 = mix(C3, 17, C4);
  const mixK4 = mix(C4, 18, C1);
  const lines = ['let h1 = 0, h2 = 0, h3 = 0, h4 = 0, k = 0;'];
  const blocksEnd = length & ~15;
  for (let i = 0; i < blocksEnd; i += 16) {
    const w = i >> 2;
    lines.push(
      `k = ${words[w]}; ${mixK1} h1 ^= k; h1 = (Math.imul(${rotl('h1', 19)} + h2, 5) + 0x561ccd1b) | 0;`,
      `k = ${words[w + 1]}; ${mixK2} h2 ^= k; h2 = (Math.imul(${rotl('h2', 17)} + h3, 5) + 0x0bcaa747) | 0;`,
      `k = ${words[w + 2]}; ${mixK3} h3 ^= k; h3 = (Math.imul(${rotl('h3', 15)} + h4, 5) + 0x96cd1c35) | 0;`,
      `k = ${words[w + 3]}; ${mixK4} h4 ^= k; h4 = (Math.imul(${rotl('h4', 13)} + h1, 5) + 0x32ac3b17) | 0;`,
    );
  }
  const tail = length & 15;
  const w = blocksEnd >> 2;
  if (tail > 12) lines.push(`k = ${words[w + 3]}; ${mixK4} h4 ^= k;`);
  if (tail > 8) lines.push(`k = ${words[w + 2]}; ${mixK3} h3 ^= k;`);
  if (tail > 4) lines.push(`k = ${words[w + 1]}; ${mixK2} h2 ^= k;`);
  if (tail > 0) lines.push(`k = ${words[w]}; ${mixK1} h1 ^= k;`);
  const fmix = (h: string) =>
    `${h} ^= ${h} >>> 16; ${h} = Math.imul(${h}, ${0x85ebca6b | 0}); ${h} ^= ${h} >>> 13; ${h} = Math.imul(${h}, ${0xc2b2ae35 | 0}); ${h} ^= ${h} >>> 16;`;
  lines.push(
    `h1 ^= ${length}; h2 ^= ${length}; h3 ^= ${length}; h4 ^= ${length};`,
    'h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;',
    fmix('h1'),
    fmix('h2'),
    fmix('h3'),
    fmix('h4'),
    'h1 = (h1 + h2 + h3 + h4) | 0;',
    `${out}[0] = h1; ${out}[1] = (h2 + h1) | 0; ${out}[2] = (h3 + h1) | 0; ${out}[3] = (h4 + h1) | 0;`,
  );
  return lines.join('\n');
}
