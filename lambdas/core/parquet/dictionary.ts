/**
 * Dictionary encoding for fixed-width integer columns (INT32 = one 32-bit word a value,
 * INT64 = two), built with an open-addressing hash table over the raw words (or, for
 * INT32 values within a small range, a table indexed by value): no Map, no boxed values.
 * Used only when it pays: the dictionary plus bit-packed indexes must at most halve the
 * plain size (hyparquet-writer's rule), and a sample that is nearly all distinct (ids,
 * times of day) skips the attempt.
 */

export interface IntDictionary {
  /** The distinct values' words, in first-seen order. */
  readonly words: Int32Array;
  readonly size: number;
  /** Per value, its index in the dictionary. */
  readonly indexes: Int32Array;
}

const SAMPLE_SIZE = 1000;
/** A sample with more distinct values than this share is not worth a dictionary. */
const SAMPLE_DISTINCT_LIMIT = 0.9;
const EMPTY = -1;
const MAX_DICTIONARY_SIZE = 1 << 16;
const INITIAL_CAPACITY = 256;
/** Widest span of INT32 values mapped through a table indexed by value (256 KiB of table). */
const MAX_DENSE_RANGE = 1 << 16;

/**
 * The dictionary of `words` (`count` values of `width` words each), or undefined when
 * plain encoding is as good.
 */
export function intDictionary(words: Int32Array, count: number, width: 1 | 2): IntDictionary | undefined {
  if (count === 0 || mostlyDistinct(words, count, width)) return undefined;
  // Stop as soon as a dictionary could no longer halve the plain size (and keep indexes
  // within 16 bits).
  const maxSize = Math.min(Math.floor(count / 4) + 1, MAX_DICTIONARY_SIZE);
  const built = width === 1 ? int32Indexes(words, count, maxSize) : hashedIndexes(words, count, width, maxSize);
  if (built === undefined) return undefined;
  const { distinct, size, indexes } = built;
  const plainBytes = count * width * 4;
  const dictionaryBytes = size * width * 4 + Math.ceil((count * bitWidth(size - 1)) / 8);
  if (2 * dictionaryBytes > plainBytes) return undefined;
  return { words: distinct.subarray(0, size * width), size, indexes };
}

interface BuiltIndexes {
  readonly distinct: Int32Array;
  readonly size: number;
  readonly indexes: Int32Array;
}

/**
 * INT32 values spanning a small range (ids, dates, small money: the common case) are
 * mapped through a table indexed by value, with no hashing or probing; others are hashed.
 */
function int32Indexes(words: Int32Array, count: number, maxSize: number): BuiltIndexes | undefined {
  let min = words[0]!;
  let max = min;
  for (let i = 1; i < count; i++) {
    const value = words[i]!;
    if (value < min) min = value;
    else if (value > max) max = value;
  }
  const range = max - min;
  if (range >= Math.min(MAX_DENSE_RANGE, 8 * count + 1024)) return hashedIndexes(words, count, 1, maxSize);
  const indexOf = new Int32Array(range + 1).fill(EMPTY);
  const distinct = new Int32Array(Math.min(maxSize, range + 1));
  const indexes = new Int32Array(count);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const value = words[i]!;
    let index = indexOf[value - min]!;
    if (index === EMPTY) {
      if (size === maxSize) return undefined;
      index = size++;
      indexOf[value - min] = index;
      distinct[index] = value;
    }
    indexes[i] = index;
  }
  return { distinct, size, indexes };
}

/** Values of `width` words each (INT64: two), through an open-addressing hash table. */
function hashedIndexes(words: Int32Array, count: number, width: number, maxSize: number): BuiltIndexes | undefined {
  let capacity = INITIAL_CAPACITY;
  let mask = capacity - 1;
  let slots: Int32Array = new Int32Array(capacity).fill(EMPTY);
  let distinct: Int32Array = new Int32Array(Math.min(maxSize, capacity) * width);
  const indexes = new Int32Array(count);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const low = words[i * width]!;
    const high = width === 2 ? words[i * width + 1]! : 0;
    let slot = hash(low, high) & mask;
    let index: number;
    for (;;) {
      index = slots[slot]!;
      if (index === EMPTY) {
        if (size === maxSize) return undefined;
        index = size++;
        slots[slot] = index;
        if (index * width >= distinct.length) distinct = grown(distinct, Math.min(maxSize, capacity) * width);
        distinct[index * width] = low;
        if (width === 2) distinct[index * width + 1] = high;
        if (size * 2 > capacity) {
          capacity *= 2;
          mask = capacity - 1;
          slots = rehashed(distinct, size, width, capacity);
        }
        break;
      }
      if (distinct[index * width] === low && (width === 1 || distinct[index * width + 1] === high)) break;
      slot = (slot + 1) & mask;
    }
    indexes[i] = index;
  }
  return { distinct, size, indexes };
}

/** Bits needed for indexes up to `maxIndex` (0 for a single-value dictionary). */
export function bitWidth(maxIndex: number): number {
  return Math.ceil(Math.log2(maxIndex + 1));
}

function mostlyDistinct(words: Int32Array, count: number, width: number): boolean {
  const sampled = Math.min(count, SAMPLE_SIZE);
  const seen = new Set<number | bigint>();
  for (let s = 0; s < sampled; s++) {
    const i = sampled === 1 ? 0 : Math.floor((s * (count - 1)) / (sampled - 1));
    seen.add(width === 1 ? words[i]! : (BigInt(words[i * 2 + 1]!) << 32n) | BigInt(words[i * 2]! >>> 0));
  }
  return seen.size > sampled * SAMPLE_DISTINCT_LIMIT;
}

/** The slots of a table of `capacity` holding the first `size` distinct values. */
function rehashed(distinct: Int32Array, size: number, width: number, capacity: number): Int32Array {
  const mask = capacity - 1;
  const slots = new Int32Array(capacity).fill(EMPTY);
  for (let index = 0; index < size; index++) {
    let slot = hash(distinct[index * width]!, width === 2 ? distinct[index * width + 1]! : 0) & mask;
    while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    slots[slot] = index;
  }
  return slots;
}

function grown(array: Int32Array, length: number): Int32Array {
  const bigger = new Int32Array(Math.max(length, array.length * 2));
  bigger.set(array);
  return bigger;
}

function hash(low: number, high: number): number {
  const mixed = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  return mixed ^ (mixed >>> 15);
}
