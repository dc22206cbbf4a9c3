/**
 * Dates and naive timestamps from their source text, by calendar arithmetic only: the
 * machine's time zone never takes part (no `new Date(string)`, no local-time getters).
 *
 * - date: `YYYY-MM-DD` → days since 1970-01-01
 * - timestamp: `YYYY-MM-DD HH:MM:SS[.f…]` or with `T`, 0–6 fractional digits →
 *   milliseconds since 1970-01-01T00:00:00 on the same naive clock. Digits beyond the
 *   millisecond are truncated (the source column is timestamp(3)).
 *
 * Years run 0001–9999 (four digits, as Postgres writes them; Postgres has no year 0).
 * Seconds run 00–59: a leap second `:60` is not a valid value.
 */

import { MS_PER_DAY, daysFromCivil, daysInMonth } from '../time/calendar';

/** Why a text is not a date or timestamp. */
export type DateTimeProblem = 'format' | 'impossible' | 'zone';

/** Results below this are problems, not values (no valid value is this small). */
const FORMAT = -1e15;
const IMPOSSIBLE = -1e15 - 1;
const ZONE = -1e15 - 2;

const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const SPACE = 0x20;
const UPPER_T = 0x54;
const LOWER_T = 0x74;
const UPPER_Z = 0x5a;
const LOWER_Z = 0x7a;
const PLUS = 0x2b;

const DATE_LENGTH = 10;
const MIN_TIMESTAMP_LENGTH = 19;
const MAX_FRACTION_DIGITS = 6;

/** The ASCII digit at `at` as 0–9, or a value above 9 (unsigned wrap-around for below '0'). */
function digitAt(text: string, at: number): number {
  return (text.charCodeAt(at) - ZERO) >>> 0;
}

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = digitAt(text, at);
  const units = digitAt(text, at + 1);
  return tens > 9 || units > 9 ? -1 : tens * 10 + units;
}

/** `YYYY-MM-DD` at `text[start…]` → days, or FORMAT / IMPOSSIBLE. Reads exactly 10 chars. */
function readDateAt(text: string, start: number): number {
  const y0 = digitAt(text, start);
  const y1 = digitAt(text, start + 1);
  const y2 = digitAt(text, start + 2);
  const y3 = digitAt(text, start + 3);
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || month < 0 || day < 0) return FORMAT;
  if (text.charCodeAt(start + 4) !== DASH || text.charCodeAt(start + 7) !== DASH) return FORMAT;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return IMPOSSIBLE;
  return daysFromCivil(year, month, day);
}

/**
 * Reads `text[start, end)` as `YYYY-MM-DD`: days since 1970-01-01, or a problem.
 * Allocation-free; see `isDateTimeProblem`/`dateTimeProblem` for the failure cases.
 */
export function readDate(text: string, start: number, end: number): number {
  if (end - start !== DATE_LENGTH) return FORMAT;
  return readDateAt(text, start);
}

/** Reads `text[start, end)` as a naive timestamp: milliseconds since 1970-01-01T00:00:00, or a problem. */
export function readTimestamp(text: string, start: number, end: number): number {
  if (end - start < MIN_TIMESTAMP_LENGTH) return FORMAT;
  const separator = text.charCodeAt(start + 10);
  if (separator !== SPACE && separator !== UPPER_T && separator !== LOWER_T) return FORMAT;
  const hour = twoDigits(text, start + 11);
  const minute = twoDigits(text, start + 14);
  const second = twoDigits(text, start + 17);
  if (hour < 0 || minute < 0 || second < 0) return FORMAT;
  if (text.charCodeAt(start + 13) !== COLON || text.charCodeAt(start + 16) !== COLON) return FORMAT;
  let i = start + MIN_TIMESTAMP_LENGTH;
  let milliseconds = 0;
  if (i < end && text.charCodeAt(i) === DOT) {
    i++;
    const fractionStart = i;
    let digit = 0;
    let weight = 100;
    while (i < end && (digit = digitAt(text, i)) <= 9) {
      milliseconds += digit * weight; // weight 100, 10, 1, then 0: digits past the ms truncated
      weight = (weight / 10) | 0;
      i++;
    }
    const fractionDigits = i - fractionStart;
    if (fractionDigits === 0 || fractionDigits > MAX_FRACTION_DIGITS) return FORMAT;
  }
  if (i < end) return hasZoneDesignator(text, i, end) ? ZONE : FORMAT;
  const days = readDateAt(text, start);
  if (days <= FORMAT) return days;
  if (hour > 23 || minute > 59 || second > 59) return IMPOSSIBLE;
  return days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milliseconds;
}

/** `Z`, `+HH`, `-HH:MM`, `+HHMM`, optionally after a space: what a zoned timestamp ends with. */
function hasZoneDesignator(text: string, start: number, end: number): boolean {
  let i = start;
  if (text.charCodeAt(i) === SPACE) i++;
  const code = text.charCodeAt(i);
  if ((code === UPPER_Z || code === LOWER_Z) && i + 1 === end) return true;
  if (code !== PLUS && code !== DASH) return false;
  const rest = text.slice(i + 1, end);
  return /^[0-9]{2}(?::?[0-9]{2})?$/.test(rest);
}

/** Whether a `readDate`/`readTimestamp` result is a problem rather than a value. */
export function isDateTimeProblem(result: number): boolean {
  return result <= FORMAT;
}

export function dateTimeProblem(result: number): DateTimeProblem {
  if (result === ZONE) return 'zone';
  if (result === IMPOSSIBLE) return 'impossible';
  return 'format';
}
