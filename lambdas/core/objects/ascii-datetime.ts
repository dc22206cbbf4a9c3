/**
 * Dates and naive timestamps read straight from ASCII bytes, for the byte fast path
 * (ascii-row-parser.ts). They accept only what naive-datetime.ts accepts and give the
 * same values; anything else, including every input naive-datetime.ts rejects, is
 * NOT_READ, and the line goes the general way, which reports the problem.
 */
import { MS_PER_DAY, daysFromCivil, daysInMonth } from '../time/calendar';

// The character codes and lengths below repeat naive-datetime.ts's on purpose: imported
// from a shared module they measured about 9% slower on this hot path (300k-row bench:transform).

/** Not a value: the caller falls back to the general path. */
export const NOT_READ = -1e15;

const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const SPACE = 0x20;
const UPPER_T = 0x54;
const LOWER_T = 0x74;

const DATE_LENGTH = 10;
const MIN_TIMESTAMP_LENGTH = 19;
const MAX_FRACTION_DIGITS = 6;

/** The digit at `at` as 0–9, or a value above 9 (unsigned wrap-around below '0'). */
function digitAt(bytes: Uint8Array, at: number): number {
  return (bytes[at]! - ZERO) >>> 0;
}

/** `YYYY-MM-DD` at `bytes[start…]` (10 bytes, the caller checked they exist) → days, or NOT_READ. */
function readDateAt(bytes: Uint8Array, start: number): number {
  const y0 = digitAt(bytes, start);
  const y1 = digitAt(bytes, start + 1);
  const y2 = digitAt(bytes, start + 2);
  const y3 = digitAt(bytes, start + 3);
  const m0 = digitAt(bytes, start + 5);
  const m1 = digitAt(bytes, start + 6);
  const d0 = digitAt(bytes, start + 8);
  const d1 = digitAt(bytes, start + 9);
  if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9) return NOT_READ;
  if (bytes[start + 4] !== DASH || bytes[start + 7] !== DASH) return NOT_READ;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  // Validated before the cache is consulted: whatever the cache holds (an empty slot is
  // key 0, i.e. 0000-00-00), it can then only ever give the day number of a real date.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NOT_READ;
  // Dates in one object cluster on a few hundred days: those seen are remembered.
  const key = year * 10_000 + month * 100 + day;
  const slot = key & (CACHE_SLOTS - 1);
  if (cachedDates[slot] === key) return cachedDays[slot]!;
  const days = daysFromCivil(year, month, day);
  cachedDates[slot] = key;
  cachedDays[slot] = days;
  return days;
}

/**
 * Valid dates already read, direct-mapped by `YYYYMMDD`: slot `key % CACHE_SLOTS` holds one
 * key and its day number. Module-global (shared by every object a process reads); an empty
 * slot holds key 0, which is looked up only for valid dates, so never matched.
 */
const CACHE_SLOTS = 4096;
const cachedDates = new Int32Array(CACHE_SLOTS);
const cachedDays = new Int32Array(CACHE_SLOTS);

/** `bytes[start, end)` as `YYYY-MM-DD` → days since 1970-01-01, or NOT_READ. */
export function readAsciiDate(bytes: Uint8Array, start: number, end: number): number {
  return end - start === DATE_LENGTH ? readDateAt(bytes, start) : NOT_READ;
}

/** `bytes[start, end)` as a naive timestamp → ms since 1970-01-01T00:00:00, or NOT_READ. */
export function readAsciiTimestamp(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < MIN_TIMESTAMP_LENGTH) return NOT_READ;
  const separator = bytes[start + 10];
  if (separator !== SPACE && separator !== UPPER_T && separator !== LOWER_T) return NOT_READ;
  const h0 = digitAt(bytes, start + 11);
  const h1 = digitAt(bytes, start + 12);
  const n0 = digitAt(bytes, start + 14);
  const n1 = digitAt(bytes, start + 15);
  const s0 = digitAt(bytes, start + 17);
  const s1 = digitAt(bytes, start + 18);
  if (h0 > 9 || h1 > 9 || n0 > 9 || n1 > 9 || s0 > 9 || s1 > 9) return NOT_READ;
  if (bytes[start + 13] !== COLON || bytes[start + 16] !== COLON) return NOT_READ;
  const hour = h0 * 10 + h1;
  const minute = n0 * 10 + n1;
  const second = s0 * 10 + s1;
  if (hour > 23 || minute > 59 || second > 59) return NOT_READ;
  const dot = start + MIN_TIMESTAMP_LENGTH;
  let milliseconds = 0;
  if (dot < end) {
    if (bytes[dot] !== DOT) return NOT_READ;
    const fractionDigits = end - dot - 1;
    if (fractionDigits === 0 || fractionDigits > MAX_FRACTION_DIGITS) return NOT_READ;
    for (let j = 1; j <= fractionDigits; j++) {
      const digit = digitAt(bytes, dot + j);
      if (digit > 9) return NOT_READ;
      if (j <= 3) milliseconds = milliseconds * 10 + digit; // digits past the ms truncated
    }
    if (fractionDigits < 3) milliseconds *= fractionDigits === 1 ? 100 : 10;
  }
  const days = readDateAt(bytes, start);
  if (days === NOT_READ) return NOT_READ;
  return days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milliseconds;
}
