/**
 * Per-column validation: from a parsed JSON value (kind + text view) to the column's
 * typed `CellValue` (see schema/column-types.ts), or a RowProblem naming the column.
 * One validator is built per column, once per object, so the per-row work is a switch
 * on the value kind and a char-code loop.
 *
 * Accepted encodings (CONTRACT.md §2; choices the spec left open are marked *):
 * - integer: a JSON number with an integral value: `2`, `2.0`, `2.00`, and *exponent
 *   forms `2e0`, `1.5e1` (evaluated exactly); must fit int32. Strings are not integers.
 * - decimal (money): a JSON number or a string holding a JSON number literal (`"361.39"`,
 *   `"-3"`); *exponent forms evaluated exactly (`3.5e2`, `"1e-2"`); at most `scale`
 *   significant fraction digits (`"3.500"` is fine), at most precision − scale integer
 *   digits. *No other string forms (no `+`, spaces, `.5`, `NaN`). Never through a float.
 * - text: a string, `maxLength` counted in characters; *U+0000 is rejected (Postgres
 *   text cannot hold it). A JSON number is its literal text exactly as written
 *   (`1803637401` → "1803637401", `1.50` → "1.50", `1e3` → "1e3"): one dump typed phone
 *   numbers as numbers. The reader counts such values (`numbersAsText`).
 * - enum: a string equal to one of the values.
 * - date: a `YYYY-MM-DD` string naming a real date.
 * - timestamp: `YYYY-MM-DD HH:MM:SS[.f…]` or with `T`, 0–6 fractional digits, naive;
 *   a zone designator (`Z`, `+01:00`) is rejected.
 * - boolean: `true`/`false`, or the strings `"t"`/`"f"` (Postgres' text form). *The
 *   strings `"true"`/`"false"` are not accepted: CONTRACT.md §2 lists the accepted encodings.
 * - null only in nullable columns.
 */
import type { CellValue, ColumnDefinition } from '../schema/column-types';
import { ExactNumberReader } from './exact-number';
import { FALSE_VALUE, NULL_VALUE, NUMBER_VALUE, STRING_VALUE, TRUE_VALUE, type ValueKind } from './flat-json';
import { dateTimeProblem, isDateTimeProblem, readDate, readTimestamp } from './naive-datetime';
import { RowProblem } from './row-problem';

export type ColumnValidator = (kind: ValueKind, text: string, start: number, end: number) => CellValue;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const INT32_DIGITS = 10;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
const SHOWN_STRING_CHARS = 80;

export function columnValidator(column: ColumnDefinition): ColumnValidator {
  const name = column.name;
  const nullable = column.nullable === true;
  const problem = (reason: string) => new RowProblem(`column "${name}": ${reason}`, name);
  const wrongKind = (kind: ValueKind, text: string, start: number, end: number, expected: string) =>
    kind === NULL_VALUE
      ? problem('null in a non-null column')
      : problem(`expected ${expected}, got ${describeValue(kind, text, start, end)}`);

  const type = column.type;
  switch (type.kind) {
    case 'integer': {
      const reader = new ExactNumberReader(0, INT32_DIGITS);
      return (kind, text, start, end) => {
        if (kind === NUMBER_VALUE) {
          const plain = readPlainInteger(text, start, end);
          if (plain !== NOT_PLAIN) return plain;
          const value = reader.readSmall(text, start, end);
          if (typeof value === 'number') {
            if (value >= INT32_MIN && value <= INT32_MAX) return value;
          } else if (value === 'too-many-fraction-digits') {
            throw problem(`${text.slice(start, end)} is not an integer`);
          } else if (value === 'syntax') {
            throw problem(`${text.slice(start, end)} is not a number`);
          }
          throw problem(`${text.slice(start, end)} is out of the integer (int32) range`);
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, 'an integer');
      };
    }
    case 'decimal': {
      const { precision, scale } = type;
      const reader = new ExactNumberReader(scale, precision - scale);
      return (kind, text, start, end) => {
        if (kind === NUMBER_VALUE || kind === STRING_VALUE) {
          const result = reader.read(text, start, end);
          if (typeof result === 'bigint') return result;
          const shown = describeValue(kind, text, start, end);
          if (result === 'too-many-fraction-digits') {
            throw problem(`${shown} has more than ${scale} decimal places`);
          }
          if (result === 'too-many-integer-digits') {
            throw problem(`${shown} is out of range for numeric(${precision},${scale})`);
          }
          throw problem(`${shown} is not a number`);
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, 'a decimal number');
      };
    }
    case 'text': {
      const maxLength = type.maxLength;
      return (kind, text, start, end) => {
        // A number's literal is ASCII and never holds U+0000; only the length applies.
        if (kind === STRING_VALUE || kind === NUMBER_VALUE) {
          const value = text.slice(start, end);
          if (maxLength !== undefined && value.length > maxLength && characterCount(value) > maxLength) {
            throw problem(`${describeValue(kind, text, start, end)} is longer than ${maxLength} characters`);
          }
          if (value.includes('\u0000')) throw problem('text contains U+0000, which the warehouse cannot store');
          return value;
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, 'a string');
      };
    }
    case 'enum': {
      const values = new Set(type.values);
      const listed = type.values.join(', ');
      return (kind, text, start, end) => {
        if (kind === STRING_VALUE) {
          const value = text.slice(start, end);
          if (values.has(value)) return value;
          throw problem(`${describeValue(kind, text, start, end)} is not one of ${listed}`);
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, `one of ${listed}`);
      };
    }
    case 'date':
      return (kind, text, start, end) => {
        if (kind === STRING_VALUE) {
          const days = readDate(text, start, end);
          if (!isDateTimeProblem(days)) return days;
          const shown = describeValue(kind, text, start, end);
          throw problem(
            dateTimeProblem(days) === 'impossible' ? `${shown} is not a valid date` : `${shown} is not a date (expected YYYY-MM-DD)`,
          );
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, 'a date string "YYYY-MM-DD"');
      };
    case 'timestamp':
      return (kind, text, start, end) => {
        if (kind === STRING_VALUE) {
          const milliseconds = readTimestamp(text, start, end);
          if (!isDateTimeProblem(milliseconds)) return milliseconds;
          const shown = describeValue(kind, text, start, end);
          const why = dateTimeProblem(milliseconds);
          throw problem(
            why === 'impossible'
              ? `${shown} is not a valid timestamp`
              : why === 'zone'
                ? `${shown} has a time zone designator; source timestamps are naive`
                : `${shown} is not a timestamp (expected YYYY-MM-DD HH:MM:SS with 0-6 fractional digits)`,
          );
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, 'a timestamp string');
      };
    case 'boolean':
      return (kind, text, start, end) => {
        if (kind === TRUE_VALUE) return true;
        if (kind === FALSE_VALUE) return false;
        if (kind === STRING_VALUE && end - start === 1) {
          const code = text.charCodeAt(start);
          if (code === LOWER_T) return true;
          if (code === LOWER_F) return false;
        }
        if (kind === NULL_VALUE && nullable) return null;
        throw wrongKind(kind, text, start, end, 'a boolean (true, false, "t" or "f")');
      };
    case 'time':
      throw new Error(`column "${name}": time columns do not occur in source tables`);
  }
}

const NOT_PLAIN = 0.5;
const MINUS = 0x2d;
const ZERO = 0x30;

/**
 * The common integer shape, `-?[0-9]{1,9}` (always int32), read inline; anything else
 * (`2.0`, exponents, 10 digits) is NOT_PLAIN and goes the general way.
 */
function readPlainInteger(text: string, start: number, end: number): number {
  const negative = text.charCodeAt(start) === MINUS;
  const first = negative ? start + 1 : start;
  if (end - first > 9 || end === first) return NOT_PLAIN;
  let value = 0;
  for (let i = first; i < end; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return NOT_PLAIN;
    value = value * 10 + digit;
  }
  return negative ? -value || 0 : value;
}

/** A value as it appeared (strings quoted, long ones shortened), for messages. */
function describeValue(kind: ValueKind, text: string, start: number, end: number): string {
  switch (kind) {
    case STRING_VALUE: {
      const value = text.slice(start, end);
      return value.length > SHOWN_STRING_CHARS ? `${JSON.stringify(value.slice(0, SHOWN_STRING_CHARS))}…` : JSON.stringify(value);
    }
    case NUMBER_VALUE:
      return text.slice(start, end);
    case TRUE_VALUE:
      return 'true';
    case FALSE_VALUE:
      return 'false';
    case NULL_VALUE:
      return 'null';
  }
}

function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
