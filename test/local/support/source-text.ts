/**
 * Reading generated source text back, independently of the generator's own code: money
 * literals to cents by string surgery (never a float), timestamps to comparable forms.
 */

/** The JSON number literal of `column` in a JSON Lines line, as written. */
export function numberLiteral(line: string, column: string): string {
  const match = new RegExp(`"${column}": (-?\\d+(?:\\.\\d+)?)[,}]`).exec(line);
  if (!match) throw new Error(`no number for ${column} in ${line}`);
  return match[1]!;
}

/** `361.39` → 36139n, `3.9` → 390n, `3.0` → 300n, `7` → 700n. */
export function literalToCents(literal: string): bigint {
  const [whole, fraction = ''] = literal.split('.');
  if (fraction.length > 2) throw new Error(`more than two decimals: ${literal}`);
  return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** `2024-11-14T09:30:12.345000` or `2024-11-14T09:30:12` → `20241114T093012345`. */
export function timestampToWatermark(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{6}))?$/.exec(text);
  if (!match) throw new Error(`unexpected timestamp ${text}`);
  const [, y, mo, d, h, mi, s, fraction = '000000'] = match;
  return `${y}${mo}${d}T${h}${mi}${s}${fraction.slice(0, 3)}`;
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`), by calendar arithmetic in UTC. */
export function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}
