/**
 * A small, fast, seeded PRNG (sfc32, seeded through a 32-bit mix of the inputs), so every
 * generated dataset is reproducible from its seed on any machine. Never Math.random.
 */

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for the given parts (`Random.of(seed, 'evolve', tick)`): equal parts, equal streams. */
  static of(...parts: readonly (number | string)[]): Random {
    let h = 0x9e3779b9;
    for (const part of parts) {
      const text = typeof part === 'number' ? `n${part}` : `s${part}`;
      for (let i = 0; i < text.length; i += 1) h = mix32(h ^ text.charCodeAt(i));
      h = mix32(h ^ 0x2f);
    }
    return new Random(h, mix32(h ^ 0x1b873593), mix32(h ^ 0xcc9e2d51), mix32(h ^ 0x85ebca6b));
  }

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i += 1) this.uint32();
  }

  /** The next 32 random bits as an unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const result = [...items];
    for (let i = result.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.float() * (i + 1));
      [result[i], result[j]] = [result[j]!, result[i]!];
    }
    return result;
  }

  /** `length` characters drawn from `alphabet`. */
  string(alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(this.float() * alphabet.length)];
    return text;
  }
}

/** A 32-bit avalanche mix (murmur3's finaliser). */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
