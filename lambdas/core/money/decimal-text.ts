/**
 * The project's one home for money as text. Exact decimals are held as unscaled bigints
 * (12.34 at scale 2 is 1234n); they are printed and parsed digit by digit, never through
 * a binary float.
 */

/** 1234n at scale 2 → `12.34`; -5n → `-0.05`; 42n at scale 0 → `42`. Always `scale` fraction digits. */
export function formatUnscaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * The shortest form that still reads as a decimal, as Python prints a float: trailing
 * zeros dropped but one fraction digit kept. At scale 2: 36139n → `361.39`, 390n → `3.9`,
 * 300n → `3.0`.
 */
export function formatUnscaledShortest(value: bigint, scale: number): string {
  const fixed = formatUnscaled(value, scale);
  if (scale === 0) return `${fixed}.0`;
  const trimmed = fixed.replace(/0+$/, '');
  return trimmed.endsWith('.') ? `${trimmed}0` : trimmed;
}

/** `"-12.3"` at scale 2 → -1230n. Throws for text that is not a plain decimal or has non-zero digits beyond the scale. */
export function parseUnscaled(text: string, scale: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a decimal number`);
  const [, sign, whole, fraction = ''] = match;
  if (/[1-9]/.test(fraction.slice(scale))) throw new Error(`"${text}" has more than ${scale} decimal places`);
  const unscaled = BigInt(whole! + fraction.slice(0, scale).padEnd(scale, '0'));
  return sign === '-' ? -unscaled : unscaled;
}
