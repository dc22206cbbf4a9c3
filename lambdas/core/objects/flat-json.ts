/**
 * A parser for one JSON Lines row: a flat JSON object whose values are scalars.
 *
 * Hand-written over char codes, for speed and for exactness: number literals are kept
 * as their source text (JSON.parse would turn money into binary floats). Values are not
 * copied out: each is recorded as a (text, start, end) view into the line, so a column
 * validator can read digits in place. Only strings with escapes are decoded into new
 * strings.
 *
 * Rules beyond plain JSON syntax, all making the line a bad row (`RowProblem`):
 * - the line must be one JSON object; values are strings, numbers, true, false or null
 *   (a nested object or array is rejected);
 * - a key may appear once (JSON leaves duplicates undefined; we never guess);
 * - `\u` escapes must form whole characters (a lone surrogate is rejected).
 *
 * Keys that are not columns of the table are skipped but remembered (`unknownKey`): the
 * caller decides what that means (schema drift) once the whole line has parsed.
 */
import { RowProblem } from './row-problem';

export const STRING_VALUE = 1;
export const NUMBER_VALUE = 2;
export const TRUE_VALUE = 3;
export const FALSE_VALUE = 4;
export const NULL_VALUE = 5;
export type ValueKind = 1 | 2 | 3 | 4 | 5;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_U = 0x75;
const LOWER_B = 0x62;
const LOWER_R = 0x72;
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export function isJsonWhitespace(code: number): boolean {
  return code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN;
}

export class FlatJsonRowParser {
  private readonly names: readonly string[];
  private readonly indexByName: ReadonlyMap<string, number>;
  /** Each column name's char codes, for matching keys in place. */
  private readonly nameCodes: readonly Uint16Array[];
  /**
   * Key-order prediction: `nextColumn[c + 1]` is the column whose key followed column c
   * (c = -1: the first key) in the previous row. Rows of one object nearly always share
   * one key order, so most keys are matched in place, without slicing them out.
   */
  private readonly nextColumn: Int32Array;

  // The last parsed row, by column index. Valid where `seen[c] === generation`.
  readonly kinds: Uint8Array;
  readonly texts: string[];
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly seen: Int32Array;
  generation = 0;
  /** How many distinct columns the last row had. */
  columnsFound = 0;
  /** The columns of the last row in the order their keys came. */
  readonly keyOrder: Int32Array;
  /** The first key of the last row that is not a column, if any. */
  unknownKey: string | undefined;

  private lineStart = 0;

  constructor(columnNames: readonly string[]) {
    this.names = columnNames;
    this.indexByName = new Map(columnNames.map((name, index) => [name, index]));
    this.nameCodes = columnNames.map((name) => Uint16Array.from(name, (char) => char.charCodeAt(0)));
    const count = columnNames.length;
    this.nextColumn = new Int32Array(count + 1).fill(-1);
    this.kinds = new Uint8Array(count);
    this.texts = new Array<string>(count).fill('');
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
    this.seen = new Int32Array(count);
    this.keyOrder = new Int32Array(count);
  }

  /**
   * Parses `text[start, end)`, which must hold exactly one JSON object (surrounding
   * whitespace allowed). Fills the per-column views, or throws a RowProblem.
   */
  parse(text: string, start: number, end: number): void {
    this.lineStart = start;
    const generation = ++this.generation;
    this.columnsFound = 0;
    this.unknownKey = undefined;
    const seen = this.seen;
    let i = skipWhitespace(text, start, end);
    if (i >= end || text.charCodeAt(i) !== OPEN_BRACE) {
      throw this.malformed(text, i, end, 'expected a JSON object "{"');
    }
    i = skipWhitespace(text, i + 1, end);
    if (i < end && text.charCodeAt(i) === CLOSE_BRACE) {
      return this.expectEnd(text, i + 1, end);
    }
    let previousColumn = -1;
    for (;;) {
      if (i >= end || text.charCodeAt(i) !== QUOTE) throw this.malformed(text, i, end, 'expected a key string');
      // The key: predicted column name matched in place, else sliced (or decoded) and looked up.
      i++;
      let column = -1;
      let key: string | undefined;
      const predicted = this.nextColumn[previousColumn + 1]!;
      if (predicted >= 0) {
        const codes = this.nameCodes[predicted]!;
        const length = codes.length;
        const after = i + length;
        if (after < end && text.charCodeAt(after) === QUOTE) {
          let k = 0;
          while (k < length && text.charCodeAt(i + k) === codes[k]) k++;
          if (k === length) {
            column = predicted;
            i = after + 1;
          }
        }
      }
      if (column < 0) {
        const keyStart = i;
        i = this.scanString(text, i, end);
        key = this.decoded ?? text.slice(keyStart, i - 1);
        column = this.indexByName.get(key) ?? -1;
        if (column >= 0) this.nextColumn[previousColumn + 1] = column;
      }
      i = skipWhitespace(text, i, end);
      if (i >= end || text.charCodeAt(i) !== COLON) throw this.malformed(text, i, end, 'expected ":"');
      i = skipWhitespace(text, i + 1, end);
      if (i >= end) throw this.malformed(text, i, end, 'expected a value');

      // The value.
      const valueStart = i;
      const code = text.charCodeAt(i);
      let kind: ValueKind;
      let valueText = text;
      let valueFrom = valueStart;
      let valueTo: number;
      if (code === QUOTE) {
        i = this.scanString(text, i + 1, end);
        kind = STRING_VALUE;
        if (this.decoded === undefined) {
          valueFrom = valueStart + 1;
          valueTo = i - 1;
        } else {
          valueText = this.decoded;
          valueFrom = 0;
          valueTo = valueText.length;
        }
      } else if (code === MINUS || (code >= ZERO && code <= NINE)) {
        i = this.scanNumber(text, i, end);
        kind = NUMBER_VALUE;
        valueTo = i;
      } else if (code === LOWER_T) {
        i = this.expectLiteral(text, i, end, 'true');
        kind = TRUE_VALUE;
        valueTo = i;
      } else if (code === LOWER_F) {
        i = this.expectLiteral(text, i, end, 'false');
        kind = FALSE_VALUE;
        valueTo = i;
      } else if (code === LOWER_N) {
        i = this.expectLiteral(text, i, end, 'null');
        kind = NULL_VALUE;
        valueTo = i;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        const name = key ?? this.names[column]!;
        throw new RowProblem(
          `key "${name}" has a nested ${code === OPEN_BRACE ? 'object' : 'array'}; row values must be scalars`,
          column >= 0 ? name : undefined,
        );
      } else {
        throw this.malformed(text, i, end, 'expected a value');
      }

      if (column >= 0) {
        if (seen[column] === generation) {
          const name = this.names[column]!;
          throw new RowProblem(`duplicate key "${name}"`, name);
        }
        seen[column] = generation;
        this.keyOrder[this.columnsFound++] = column;
        this.kinds[column] = kind;
        this.texts[column] = valueText;
        this.starts[column] = valueFrom;
        this.ends[column] = valueTo;
        previousColumn = column;
      } else if (this.unknownKey === undefined) {
        this.unknownKey = key;
      }

      i = skipWhitespace(text, i, end);
      const separator = i < end ? text.charCodeAt(i) : -1;
      if (separator === COMMA) {
        i = skipWhitespace(text, i + 1, end);
        continue;
      }
      if (separator === CLOSE_BRACE) return this.expectEnd(text, i + 1, end);
      throw this.malformed(text, i, end, 'expected "," or "}"');
    }
  }

  /** Set by scanString: the decoded string when it had escapes, else undefined. */
  private decoded: string | undefined;

  /**
   * Scans a string body from `i` (just after the opening quote); returns the index just
   * after the closing quote. Escape-free strings are left in place (`decoded` undefined).
   */
  private scanString(text: string, start: number, end: number): number {
    this.decoded = undefined;
    let i = start;
    while (i < end) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) return i + 1;
      if (code === BACKSLASH) return this.decodeString(text, start, i, end);
      if (code < SPACE) throw this.malformed(text, i, end, 'unescaped control character in a string');
      i++;
    }
    throw this.malformed(text, end, end, 'unterminated string');
  }

  /** The slow path for strings with escapes: `escapeAt` is the first backslash. */
  private decodeString(text: string, start: number, escapeAt: number, end: number): number {
    let out = text.slice(start, escapeAt);
    let runStart = escapeAt;
    let i = escapeAt;
    while (i < end) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        this.decoded = out + text.slice(runStart, i);
        return i + 1;
      }
      if (code < SPACE) throw this.malformed(text, i, end, 'unescaped control character in a string');
      if (code !== BACKSLASH) {
        i++;
        continue;
      }
      out += text.slice(runStart, i);
      if (i + 1 >= end) break;
      const escaped = text.charCodeAt(i + 1);
      if (escaped === LOWER_U) {
        const unit = readHex4(text, i + 2, end);
        if (unit < 0) throw this.malformed(text, i, end, 'invalid \\u escape');
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = text.charCodeAt(i + 6) === BACKSLASH && text.charCodeAt(i + 7) === LOWER_U ? readHex4(text, i + 8, end) : -1;
          if (low < 0xdc00 || low > 0xdfff) throw this.malformed(text, i, end, 'unpaired surrogate in \\u escape');
          out += String.fromCharCode(unit, low);
          i += 12;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          throw this.malformed(text, i, end, 'unpaired surrogate in \\u escape');
        } else {
          out += String.fromCharCode(unit);
          i += 6;
        }
      } else {
        const decoded = simpleEscape(escaped);
        if (decoded === undefined) throw this.malformed(text, i, end, 'invalid escape');
        out += decoded;
        i += 2;
      }
      runStart = i;
    }
    throw this.malformed(text, end, end, 'unterminated string');
  }

  /** JSON number grammar; returns the index just after the literal. */
  private scanNumber(text: string, start: number, end: number): number {
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    let code = i < end ? text.charCodeAt(i) : -1;
    if (code === ZERO) {
      i++;
    } else if (code > ZERO && code <= NINE) {
      i = skipDigits(text, i + 1, end);
    } else {
      throw this.malformed(text, i, end, 'invalid number');
    }
    code = i < end ? text.charCodeAt(i) : -1;
    if (code === DOT) {
      const fractionStart = i + 1;
      i = skipDigits(text, fractionStart, end);
      if (i === fractionStart) throw this.malformed(text, i, end, 'invalid number');
      code = i < end ? text.charCodeAt(i) : -1;
    }
    if (code === LOWER_E || code === UPPER_E) {
      i++;
      code = i < end ? text.charCodeAt(i) : -1;
      if (code === PLUS || code === MINUS) i++;
      const exponentStart = i;
      i = skipDigits(text, i, end);
      if (i === exponentStart) throw this.malformed(text, i, end, 'invalid number');
    }
    return i;
  }

  private expectLiteral(text: string, start: number, end: number, literal: string): number {
    const after = start + literal.length;
    if (after > end || !text.startsWith(literal, start)) throw this.malformed(text, start, end, 'invalid literal');
    return after;
  }

  private expectEnd(text: string, start: number, end: number): void {
    const i = skipWhitespace(text, start, end);
    if (i < end) throw this.malformed(text, i, end, 'unexpected text after the object');
  }

  /** A syntax problem at `index`, reported as a 1-based character position in the line. */
  private malformed(text: string, index: number, end: number, expected: string): RowProblem {
    const where = index >= end ? 'at the end of the line' : `at character ${characterPosition(text, this.lineStart, index)}`;
    return new RowProblem(`malformed JSON ${where}: ${expected}`);
  }
}

function skipWhitespace(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isJsonWhitespace(text.charCodeAt(i))) i++;
  return i;
}

function skipDigits(text: string, start: number, end: number): number {
  let i = start;
  let code: number;
  while (i < end && (code = text.charCodeAt(i)) >= ZERO && code <= NINE) i++;
  return i;
}

/** Four hex digits at `at` as a number, or -1. */
function readHex4(text: string, at: number, end: number): number {
  if (at + 4 > end) return -1;
  let value = 0;
  for (let i = at; i < at + 4; i++) {
    const code = text.charCodeAt(i);
    let digit: number;
    if (code >= ZERO && code <= NINE) digit = code - ZERO;
    else if (code >= 0x41 && code <= 0x46) digit = code - 0x41 + 10;
    else if (code >= 0x61 && code <= 0x66) digit = code - 0x61 + 10;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

function simpleEscape(code: number): string | undefined {
  switch (code) {
    case QUOTE:
      return '"';
    case BACKSLASH:
      return '\\';
    case SLASH:
      return '/';
    case LOWER_B:
      return '\b';
    case LOWER_F:
      return '\f';
    case LOWER_N:
      return '\n';
    case LOWER_R:
      return '\r';
    case LOWER_T:
      return '\t';
    default:
      return undefined;
  }
}

/** 1-based position of `index` in the line, counting characters (code points), not UTF-16 units. */
function characterPosition(text: string, lineStart: number, index: number): number {
  let position = 1;
  for (let i = lineStart; i < index; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < index) i++;
    position++;
  }
  return position;
}
