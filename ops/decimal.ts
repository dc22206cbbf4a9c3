/**
 * Exact decimals as unscaled bigints (12.34 at scale 2 is 1234n), the way the core holds
 * money: Postgres's numeric text is parsed digit by digit, never through a binary float.
 */

export function formatUnscaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
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
