/**
 * Exact reading of number literals (JSON number grammar, as text) into scaled integers,
 * so money never passes through a binary float: `361.39` at scale 2 is the integer 36139.
 *
 * Accepted: the JSON number grammar (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`),
 * including exponent forms, evaluated exactly (`3.5e2` is 350, `1e-2` is 0.01).
 * Fraction digits beyond the scale are accepted only when they are zeros (`3.500` at
 * scale 2 is 350); anything else is reported, never rounded.
 */

/** Why a literal cannot be read as a number of the wanted scale and precision. */
export type ExactNumberProblem = 'syntax' | 'too-many-fraction-digits' | 'too-many-integer-digits';

/**
 * The fast path's outcome, as a plain number so that the common case allocates nothing:
 * a non-negative result is the unscaled magnitude; the sign is in `negative`.
 */
const SYNTAX = -1;
const TOO_MANY_FRACTION_DIGITS = -2;
const TOO_MANY_INTEGER_DIGITS = -3;
const NEEDS_GENERAL_PATH = -4;

/** Unscaled values up to 15 digits are integers a double holds exactly (< 2^53). */
const MAX_EXACT_DIGITS = 15;

const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

export class ExactNumberReader {
  private readonly scale: number;
  private readonly maxIntegerDigits: number;
  private readonly fastPath: boolean;
  /** The sign of the last fast-path result. */
  private negative = false;

  /**
   * @param scale digits kept after the decimal point (0 for integers)
   * @param maxIntegerDigits digits allowed before the decimal point (precision − scale)
   */
  constructor(scale: number, maxIntegerDigits: number) {
    this.scale = scale;
    this.maxIntegerDigits = maxIntegerDigits;
    this.fastPath = scale + maxIntegerDigits <= MAX_EXACT_DIGITS;
  }

  /**
   * Reads `text[start, end)` as an exact number scaled by 10^scale. For scales and
   * precisions that fit 15 digits the result is accumulated as an integer-valued double
   * (exact below 2^53; no fraction is ever held in binary), else as a BigInt.
   */
  read(text: string, start: number, end: number): bigint | ExactNumberProblem {
    if (this.fastPath) {
      const magnitude = this.readPlain(text, start, end);
      if (magnitude >= 0) return BigInt(this.negative ? -magnitude : magnitude);
      if (magnitude !== NEEDS_GENERAL_PATH) return problemOf(magnitude);
    }
    return this.readGeneral(text, start, end);
  }

  /**
   * As `read`, for callers that want a JS number (integers, scale 0, ≤ 15 digits): the
   * value, or an `ExactNumberProblem`.
   */
  readSmall(text: string, start: number, end: number): number | ExactNumberProblem {
    if (this.fastPath) {
      const magnitude = this.readPlain(text, start, end);
      if (magnitude >= 0) return this.negative && magnitude !== 0 ? -magnitude : magnitude;
      if (magnitude !== NEEDS_GENERAL_PATH) return problemOf(magnitude);
    }
    const result = this.readGeneral(text, start, end);
    return typeof result === 'bigint' ? Number(result) : result;
  }

  /** Literals without an exponent, the shape of nearly every real value. */
  private readPlain(text: string, start: number, end: number): number {
    let i = start;
    this.negative = false;
    if (i < end && text.charCodeAt(i) === MINUS) {
      this.negative = true;
      i++;
    }
    const integerStart = i;
    let value = 0;
    let code = 0;
    while (i < end && (code = text.charCodeAt(i)) >= ZERO && code <= NINE) {
      value = value * 10 + (code - ZERO);
      i++;
    }
    const integerDigits = i - integerStart;
    if (integerDigits === 0) return SYNTAX;
    const leadingZero = text.charCodeAt(integerStart) === ZERO;
    if (integerDigits > 1 && leadingZero) return SYNTAX;
    let fractionDigits = 0;
    let fractionTooLong = false;
    if (i < end && text.charCodeAt(i) === DOT) {
      i++;
      const fractionStart = i;
      while (i < end && (code = text.charCodeAt(i)) >= ZERO && code <= NINE) {
        if (fractionDigits < this.scale) {
          value = value * 10 + (code - ZERO);
          fractionDigits++;
        } else if (code !== ZERO) fractionTooLong = true;
        i++;
      }
      if (i === fractionStart) return SYNTAX;
    }
    if (i < end) {
      code = text.charCodeAt(i);
      return code === LOWER_E || code === UPPER_E ? NEEDS_GENERAL_PATH : SYNTAX;
    }
    // JSON forbids leading zeros, so every integer digit is significant unless it is "0".
    if (!leadingZero && integerDigits > this.maxIntegerDigits) return TOO_MANY_INTEGER_DIGITS;
    if (fractionTooLong) return TOO_MANY_FRACTION_DIGITS;
    for (; fractionDigits < this.scale; fractionDigits++) value *= 10;
    return value;
  }

  /** Any JSON number, exponent included, by exact digit-string arithmetic. */
  private readGeneral(text: string, start: number, end: number): bigint | ExactNumberProblem {
    const literal = parseLiteral(text, start, end);
    if (literal === undefined) return 'syntax';
    let { digits, exponent } = literal;
    // value = digits × 10^exponent; drop leading zeros, and trailing zeros into the exponent.
    digits = digits.replace(/^0+/, '');
    if (digits === '') return 0n;
    const trimmed = digits.replace(/0+$/, '');
    exponent += digits.length - trimmed.length;
    digits = trimmed;
    if (-exponent > this.scale) return 'too-many-fraction-digits';
    const integerDigits = digits.length + exponent;
    if (integerDigits > this.maxIntegerDigits) return 'too-many-integer-digits';
    // Now 0 ≤ exponent + scale and the digit count is bounded by the precision.
    const unscaled = BigInt(digits + '0'.repeat(exponent + this.scale));
    return literal.negative ? -unscaled : unscaled;
  }
}

/** A JSON number literal as sign, all its digits, and the power of ten they are scaled by. */
function parseLiteral(text: string, start: number, end: number): { negative: boolean; digits: string; exponent: number } | undefined {
  const match = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text.slice(start, end));
  if (!match) return undefined;
  const [, sign, integerPart, fractionPart = '', exponentPart = '0'] = match as unknown as [string, string, string, string?, string?];
  // Exponents beyond ±10^9 are saturated: they only ever yield a zero or an out-of-range value.
  const exponentValue = Math.max(-1e9, Math.min(1e9, Number(exponentPart)));
  return {
    negative: sign === '-',
    digits: integerPart + fractionPart,
    exponent: exponentValue - fractionPart.length,
  };
}

function problemOf(code: number): ExactNumberProblem {
  if (code === TOO_MANY_FRACTION_DIGITS) return 'too-many-fraction-digits';
  if (code === TOO_MANY_INTEGER_DIGITS) return 'too-many-integer-digits';
  return 'syntax';
}
