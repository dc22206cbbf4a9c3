/**
 * The fast path for one line: parses and validates a row straight from its bytes, with
 * no UTF-8 decoding and no per-value views, when the line has the usual shape: ASCII,
 * the table's keys in the expected order, values in their plain forms (integers without
 * fraction or exponent, money as `123.45` or `"123.45"`, strings without escapes or a
 * JSON number in a text column (kept as its literal text), valid dates and timestamps).
 *
 * It is an optimisation only, never a second set of rules: it accepts a subset of what
 * the general path (flat-json.ts + column-validators.ts) accepts and produces the same
 * values. On anything else (a different key order, an escape, a non-ASCII byte, an
 * exponent, a bad value…) it declines, and the general path handles the line and reports
 * whatever is wrong. test/objects/ascii-row-parser.test.ts checks the two agree.
 */
import type { Buffer } from 'node:buffer';
import type { CellValue, ColumnDefinition } from '../schema/column-types';
import { NOT_READ, readAsciiDate, readAsciiTimestamp } from './ascii-datetime';

const INTEGER = 1;
const DECIMAL = 2;
const TEXT = 3;
const ENUM = 4;
const DATE = 5;
const TIMESTAMP = 6;
const BOOLEAN = 7;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const SPACE = 0x20;
const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const PLUS = 0x2b;
const FIRST_NON_ASCII = 0x80;

/** Longest integer read here: 9 digits always fit int32; longer ones go the general way. */
const MAX_INTEGER_DIGITS = 9;
/** Unscaled decimals up to 15 digits are integers a double holds exactly (< 2^53). */
const MAX_EXACT_DIGITS = 15;
/** A timestamp string is `YYYY-MM-DD HH:MM:SS`, then at most `.ffffff`. */
const SHORTEST_TIMESTAMP_BYTES = 19;
const MAX_TIMESTAMP_BYTES = 26;

/** No timestamp read yet on this line (never a text length). */
const NO_TIMESTAMP = -1;

/** Result of a value reader that declined. */
const DECLINED = -1;

export class AsciiRowParser {
  private readonly count: number;
  /** Per column: its kind (constants above), whether null is allowed, and its parameters. */
  private readonly kinds: Uint8Array;
  private readonly nullable: Uint8Array;
  private readonly scales: Int32Array;
  private readonly maxIntegerDigits: Int32Array;
  private readonly maxLengths: Int32Array;
  private readonly enumValues: (readonly string[])[];
  private readonly enumBytes: (readonly Uint8Array[])[];
  /** Per column: `"name"`, quotes included, and its leading whole 32-bit words (LE). */
  private readonly keys: Uint8Array[];
  private readonly keyWords: Int32Array[];
  /**
   * The bytes before each value and after the last one, as the last line read token by
   * token had them; undefined until a line has been.
   */
  private templates: ByteTemplate[] | undefined;
  /** Where the values of the line being read token by token start and end. */
  private readonly valueBounds: Int32Array;
  /** A view of the bytes of the last line's buffer, for reading keys a word at a time. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | undefined;
  /** The expected key order (column indexes); learnt from lines the general path read. */
  private readonly order: Int32Array;
  /** Set by the value readers: where the value ended. */
  private at = 0;
  /** Set by readDecimal: the sign of the decimal it read. */
  private negative = false;
  /**
   * The line's last timestamp read (where its text starts in the line's buffer, its length
   * and value); NO_TIMESTAMP as the length at the start of each line, so it never outlives
   * the line (or the buffer) it came from.
   */
  private lastTimestampStart = 0;
  private lastTimestampLength = NO_TIMESTAMP;
  private lastTimestamp = 0;
  /** Text values of the line last read that were JSON numbers (valid after `parse` returned true). */
  numbersAsText = 0;

  constructor(columns: readonly ColumnDefinition[]) {
    const count = columns.length;
    this.count = count;
    this.kinds = new Uint8Array(count);
    this.nullable = new Uint8Array(count);
    this.scales = new Int32Array(count);
    this.maxIntegerDigits = new Int32Array(count);
    this.maxLengths = new Int32Array(count).fill(-1);
    this.enumValues = columns.map(() => []);
    this.enumBytes = columns.map(() => []);
    this.keys = columns.map((column) => asciiBytes(JSON.stringify(column.name)));
    this.keyWords = this.keys.map((key) => new Int32Array(key.buffer, 0, key.length >> 2).slice());
    this.order = Int32Array.from(columns, (_, index) => index);
    this.valueBounds = new Int32Array(2 * count + 1);
    columns.forEach((column, index) => {
      this.nullable[index] = column.nullable === true ? 1 : 0;
      const type = column.type;
      switch (type.kind) {
        case 'integer':
          this.kinds[index] = INTEGER;
          break;
        case 'decimal':
          // Wider decimals need BigInt arithmetic: always the general path (kind 0 declines).
          if (type.precision <= MAX_EXACT_DIGITS) this.kinds[index] = DECIMAL;
          this.scales[index] = type.scale;
          this.maxIntegerDigits[index] = type.precision - type.scale;
          break;
        case 'text':
          this.kinds[index] = TEXT;
          if (type.maxLength !== undefined) this.maxLengths[index] = type.maxLength;
          break;
        case 'enum':
          this.kinds[index] = ENUM;
          // Only values the fast path can match byte for byte; others always go the general way.
          this.enumValues[index] = type.values.filter(isPlainAscii);
          this.enumBytes[index] = this.enumValues[index].map((value) => asciiBytes(`"${value}"`));
          break;
        case 'date':
          this.kinds[index] = DATE;
          break;
        case 'timestamp':
          this.kinds[index] = TIMESTAMP;
          break;
        case 'boolean':
          this.kinds[index] = BOOLEAN;
          break;
        case 'time':
          break; // not a source type; kind 0 declines
      }
    });
  }

  /** Expect keys in this order from now on (column indexes, as the general parser saw them). */
  learnOrder(order: ArrayLike<number>): void {
    for (let k = 0; k < this.count; k++) this.order[k] = order[k]!;
    this.templates = undefined;
  }

  /**
   * Reads `bytes[start, end)` (one line, without its `\n`) into `values` (by column
   * index) and returns true, or returns false (values partly overwritten) when the line
   * is not of the usual shape.
   */
  parse(bytes: Buffer, start: number, end: number, values: CellValue[]): boolean {
    if (bytes !== this.viewOf) {
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.viewOf = bytes;
    }
    this.numbersAsText = 0;
    this.lastTimestampLength = NO_TIMESTAMP;
    if (this.templates !== undefined && this.parseLikeLast(bytes, start, end, values)) return true;
    this.numbersAsText = 0;
    this.lastTimestampLength = NO_TIMESTAMP;
    if (!this.parseTokens(bytes, start, end, values)) return false;
    this.learnTemplates(bytes, end);
    return true;
  }

  /**
   * The common case: the bytes between values (`, "design_id": `, …) are exactly those of
   * the last line read token by token, so they are compared as whole words, key and
   * punctuation at once. Any difference declines (the caller then reads token by token).
   */
  private parseLikeLast(bytes: Buffer, start: number, end: number, values: CellValue[]): boolean {
    const templates = this.templates!;
    const view = this.view;
    let i = start;
    for (let k = 0; k < this.count; k++) {
      const template = templates[k]!;
      if (!template.matches(view, bytes, i, end)) return false;
      i += template.length;
      const column = this.order[k]!;
      if (i >= end) return false;
      if (bytes[i] === LOWER_N) {
        if (this.nullable[column] === 0 || !isNullLiteral(bytes, i, end)) return false;
        values[column] = null;
        i += 4;
      } else {
        if (!this.readValue(column, bytes, i, end, values)) return false;
        i = this.at;
      }
    }
    const closing = templates[this.count]!;
    return i + closing.length === end && closing.matches(view, bytes, i, end);
  }

  /** Any whitespace between tokens; records where each value starts and ends. */
  private parseTokens(bytes: Buffer, start: number, end: number, values: CellValue[]): boolean {
    let i = skipWhitespace(bytes, start, end);
    if (bytes[i] !== OPEN_BRACE || i >= end) return false;
    i++;
    const view = this.view;
    const count = this.count;
    const last = count - 1;
    const bounds = this.valueBounds;
    bounds[0] = start;
    for (let k = 0; k < count; k++) {
      const column = this.order[k]!;
      i = skipWhitespace(bytes, i, end);
      // The key, compared four bytes at a time: keys are a good half of a line's bytes.
      const key = this.keys[column]!;
      const keyLength = key.length;
      if (i + keyLength > end) return false;
      const words = this.keyWords[column]!;
      for (let w = 0; w < words.length; w++) if (view.getInt32(i + 4 * w, true) !== words[w]) return false;
      for (let j = words.length * 4; j < keyLength; j++) if (bytes[i + j] !== key[j]) return false;
      i = skipWhitespace(bytes, i + keyLength, end);
      if (bytes[i] !== COLON || i >= end) return false;
      i = skipWhitespace(bytes, i + 1, end);
      if (i >= end) return false;
      bounds[2 * k + 1] = i;
      if (bytes[i] === LOWER_N) {
        if (this.nullable[column] === 0 || !isNullLiteral(bytes, i, end)) return false;
        values[column] = null;
        i += 4;
      } else {
        if (!this.readValue(column, bytes, i, end, values)) return false;
        i = this.at;
      }
      bounds[2 * k + 2] = i;
      i = skipWhitespace(bytes, i, end);
      if (i >= end || bytes[i] !== (k === last ? CLOSE_BRACE : COMMA)) return false;
      i++;
    }
    return skipWhitespace(bytes, i, end) === end;
  }

  /** The bytes around the values of the line `parseTokens` just read, for `parseLikeLast`. */
  private learnTemplates(bytes: Buffer, end: number): void {
    const bounds = this.valueBounds;
    const templates: ByteTemplate[] = [];
    for (let k = 0; k <= this.count; k++) {
      templates.push(new ByteTemplate(bytes.subarray(bounds[2 * k]!, k === this.count ? end : bounds[2 * k + 1]!)));
    }
    this.templates = templates;
  }

  /** Reads the non-null value at `i` into `values[column]`, setting `at`; false declines. */
  private readValue(column: number, bytes: Buffer, i: number, end: number, values: CellValue[]): boolean {
    switch (this.kinds[column]) {
      case INTEGER: {
        const value = this.readInteger(bytes, i, end);
        if (value === DECLINED) return false;
        values[column] = value;
        return true;
      }
      case DECIMAL: {
        const quoted = bytes[i] === QUOTE;
        const magnitude = this.readDecimal(column, bytes, quoted ? i + 1 : i, end);
        if (magnitude === DECLINED) return false;
        if (quoted) {
          if (this.at >= end || bytes[this.at] !== QUOTE) return false;
          this.at++;
        }
        values[column] = BigInt(this.negative ? -magnitude : magnitude);
        return true;
      }
      case TEXT: {
        const maxLength = this.maxLengths[column]!;
        if (bytes[i] !== QUOTE) {
          // A JSON number in a text column is its literal text, exactly as written.
          const after = this.scanNumber(bytes, i, end);
          if (after === DECLINED || (maxLength >= 0 && after - i > maxLength)) return false;
          values[column] = latin1(bytes, i, after);
          this.numbersAsText++;
          return true;
        }
        const close = this.scanString(bytes, i, end);
        if (close === DECLINED) return false;
        if (maxLength >= 0 && close - (i + 1) > maxLength) return false;
        values[column] = latin1(bytes, i + 1, close);
        return true;
      }
      case ENUM: {
        const close = this.scanString(bytes, i, end);
        if (close === DECLINED) return false;
        const candidates = this.enumBytes[column]!;
        for (let v = 0; v < candidates.length; v++) {
          if (equalBytes(candidates[v]!, bytes, i, close + 1)) {
            values[column] = this.enumValues[column]![v]!;
            return true;
          }
        }
        return false;
      }
      case DATE: {
        if (bytes[i] !== QUOTE || i + 12 > end || bytes[i + 11] !== QUOTE) return false;
        const days = readAsciiDate(bytes, i + 1, i + 11);
        if (days === NOT_READ) return false;
        values[column] = days;
        this.at = i + 12;
        return true;
      }
      case TIMESTAMP: {
        // `"YYYY-MM-DD HH:MM:SS"`, or with `.` and up to 6 digits before the closing quote.
        if (bytes[i] !== QUOTE || i + SHORTEST_TIMESTAMP_BYTES + 1 >= end) return false;
        let close = i + 1 + SHORTEST_TIMESTAMP_BYTES;
        if (bytes[close] === DOT) {
          const limit = Math.min(end, i + 2 + MAX_TIMESTAMP_BYTES);
          close++;
          while (close < limit && bytes[close] !== QUOTE) close++;
          if (close >= limit) return false;
        } else if (bytes[close] !== QUOTE) {
          return false;
        }
        // A row's timestamps are often the same text (a new row's created_at and last_updated):
        // the same bytes as the line's previous timestamp are the same value.
        const length = close - (i + 1);
        let milliseconds: number;
        if (length === this.lastTimestampLength && sameWords(this.view, this.lastTimestampStart, i + 1, length)) {
          milliseconds = this.lastTimestamp;
        } else {
          milliseconds = readAsciiTimestamp(bytes, i + 1, close);
          if (milliseconds === NOT_READ) return false;
          this.lastTimestampStart = i + 1;
          this.lastTimestampLength = length;
          this.lastTimestamp = milliseconds;
        }
        values[column] = milliseconds;
        this.at = close + 1;
        return true;
      }
      case BOOLEAN:
        return this.readBoolean(column, bytes, i, end, values);
      default:
        return false;
    }
  }

  /** `-?(0|[1-9][0-9]{0,8})`, ending where a JSON value may end; DECLINED otherwise. */
  private readInteger(bytes: Uint8Array, start: number, end: number): number {
    let i = start;
    const negative = bytes[i] === MINUS;
    if (negative) i++;
    const first = i;
    let value = 0;
    let code = 0;
    while (i < end && (code = bytes[i]!) >= ZERO && code <= NINE) {
      value = value * 10 + (code - ZERO);
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > MAX_INTEGER_DIGITS) return DECLINED;
    if (digits > 1 && bytes[first] === ZERO) return DECLINED;
    this.at = i;
    // -0 is 0, as the general path gives it.
    return negative ? -value || 0 : value;
  }

  /**
   * A plain decimal literal `-?(0|[1-9][0-9]*)(\.[0-9]+)?` as its unscaled magnitude at
   * the column's scale, within its precision; fraction digits beyond the scale only as
   * zeros. DECLINED otherwise (exponents included).
   */
  private readDecimal(column: number, bytes: Uint8Array, start: number, end: number): number {
    const scale = this.scales[column]!;
    let i = start;
    this.negative = bytes[i] === MINUS;
    if (this.negative) i++;
    const integerStart = i;
    let value = 0;
    let code = 0;
    while (i < end && (code = bytes[i]!) >= ZERO && code <= NINE) {
      value = value * 10 + (code - ZERO);
      i++;
    }
    const integerDigits = i - integerStart;
    if (integerDigits === 0) return DECLINED;
    const leadingZero = bytes[integerStart] === ZERO;
    if (leadingZero ? integerDigits > 1 : integerDigits > this.maxIntegerDigits[column]!) return DECLINED;
    let fractionDigits = 0;
    if (i < end && bytes[i] === DOT) {
      i++;
      const fractionStart = i;
      while (i < end && (code = bytes[i]!) >= ZERO && code <= NINE) {
        if (fractionDigits < scale) {
          value = value * 10 + (code - ZERO);
          fractionDigits++;
        } else if (code !== ZERO) {
          return DECLINED;
        }
        i++;
      }
      if (i === fractionStart) return DECLINED;
    }
    for (; fractionDigits < scale; fractionDigits++) value *= 10;
    this.at = i;
    return value;
  }

  private readBoolean(column: number, bytes: Uint8Array, i: number, end: number, values: CellValue[]): boolean {
    const code = bytes[i];
    if (code === QUOTE) {
      if (i + 3 > end || bytes[i + 2] !== QUOTE) return false;
      const letter = bytes[i + 1];
      if (letter !== LOWER_T && letter !== LOWER_F) return false;
      values[column] = letter === LOWER_T;
      this.at = i + 3;
      return true;
    }
    if (code === LOWER_T && matches(bytes, i, end, TRUE_BYTES)) {
      values[column] = true;
      this.at = i + 4;
      return true;
    }
    if (code === LOWER_F && matches(bytes, i, end, FALSE_BYTES)) {
      values[column] = false;
      this.at = i + 5;
      return true;
    }
    return false;
  }

  /**
   * A JSON number literal `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` starting at `i`:
   * the index just after it (setting `at`), or DECLINED. What follows is the caller's to check.
   */
  private scanNumber(bytes: Uint8Array, i: number, end: number): number {
    let j = i;
    if (j < end && bytes[j] === MINUS) j++;
    if (j >= end) return DECLINED;
    if (bytes[j] === ZERO) j++;
    else if (isDigit(bytes[j]!)) j = skipDigits(bytes, j + 1, end);
    else return DECLINED;
    if (j < end && bytes[j] === DOT) {
      const fractionStart = j + 1;
      j = skipDigits(bytes, fractionStart, end);
      if (j === fractionStart) return DECLINED;
    }
    if (j < end && (bytes[j] === LOWER_E || bytes[j] === UPPER_E)) {
      j++;
      if (j < end && (bytes[j] === PLUS || bytes[j] === MINUS)) j++;
      const exponentStart = j;
      j = skipDigits(bytes, exponentStart, end);
      if (j === exponentStart) return DECLINED;
    }
    this.at = j;
    return j;
  }

  /**
   * A string of printable ASCII without escapes starting at `i` (its opening quote):
   * the index of its closing quote, or DECLINED.
   */
  private scanString(bytes: Uint8Array, i: number, end: number): number {
    if (bytes[i] !== QUOTE) return DECLINED;
    for (let j = i + 1; j < end; j++) {
      const code = bytes[j]!;
      if (code === QUOTE) {
        this.at = j + 1;
        return j;
      }
      if (code < SPACE || code >= FIRST_NON_ASCII || code === BACKSLASH) return DECLINED;
    }
    return DECLINED;
  }
}

/**
 * Fixed bytes, compared eight at a time as float64s. Exact here: a template is printable
 * ASCII from a line the fast path read (never NUL, so never ±0; never a NaN pattern, which
 * needs bytes of 0xF0 and above), and for those two float64s are equal only when their
 * bytes are. A template of eight bytes or more ends with one more float64, the last eight
 * bytes (overlapping the word before), instead of up to seven single-byte compares.
 */
class ByteTemplate {
  readonly length: number;
  private readonly bytes: Uint8Array;
  private readonly words: Float64Array;
  /** The float64 of the last eight bytes, when there are at least eight. */
  private readonly tail: number;

  constructor(bytes: Uint8Array) {
    this.bytes = Uint8Array.from(bytes);
    this.length = bytes.length;
    this.words = new Float64Array(this.bytes.buffer.slice(0, this.length & ~7));
    this.tail = this.length >= 8 ? new DataView(this.bytes.buffer).getFloat64(this.length - 8, true) : 0;
  }

  /** Whether `bytes[at, at + length)` (within `end`) are these bytes. */
  matches(view: DataView, bytes: Uint8Array, at: number, end: number): boolean {
    const length = this.length;
    if (at + length > end) return false;
    const words = this.words;
    for (let w = 0; w < words.length; w++) if (view.getFloat64(at + 8 * w, true) !== words[w]) return false;
    if (length >= 8) return (length & 7) === 0 || view.getFloat64(at + length - 8, true) === this.tail;
    for (let j = 0; j < length; j++) if (bytes[at + j] !== this.bytes[j]) return false;
    return true;
  }
}

/**
 * Whether `length` (8 or more) bytes at `a` and at `b` are equal, compared as float64s,
 * the last one overlapping. Exact when the bytes at `a` are a timestamp the fast path read
 * (digits and punctuation: never a NaN pattern, never ±0), as for ByteTemplate.
 */
function sameWords(view: DataView, a: number, b: number, length: number): boolean {
  let w = 0;
  for (; w + 8 <= length; w += 8) if (view.getFloat64(a + w, true) !== view.getFloat64(b + w, true)) return false;
  return w === length || view.getFloat64(a + length - 8, true) === view.getFloat64(b + length - 8, true);
}

const TRUE_BYTES = asciiBytes('true');
const FALSE_BYTES = asciiBytes('false');
const NULL_BYTES = asciiBytes('null');

function isNullLiteral(bytes: Uint8Array, i: number, end: number): boolean {
  return matches(bytes, i, end, NULL_BYTES);
}

function matches(bytes: Uint8Array, i: number, end: number, literal: Uint8Array): boolean {
  return i + literal.length <= end && equalBytes(literal, bytes, i, i + literal.length);
}

function equalBytes(expected: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== expected.length) return false;
  for (let j = 0; j < expected.length; j++) if (bytes[start + j] !== expected[j]) return false;
  return true;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function skipDigits(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && isDigit(bytes[i]!)) i++;
  return i;
}

function skipWhitespace(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let code: number;
  while (i < end && ((code = bytes[i]!) === SPACE || code === TAB || code === CARRIAGE_RETURN)) i++;
  return i;
}

/** Printable ASCII without `"` or `\\`: its JSON string is its bytes between quotes. */
function isPlainAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('"') && !text.includes('\\');
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

/** Printable ASCII bytes as a string (Latin-1 and UTF-8 agree on them). */
function latin1(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, end);
}
