/**
 * dim_currency.currency_name (CONTRACT.md §4 Decision): the English name ICU gives the code
 * (GBP → British Pound). A code ICU does not know keeps the code as its name, and the
 * caller is told so it can log a warning.
 */
const displayNames = new Intl.DisplayNames('en', { type: 'currency', fallback: 'code' });

export interface CurrencyName {
  readonly name: string;
  /** False when ICU has no name for the code (the name is then the code itself). */
  readonly known: boolean;
}

export function currencyName(code: string): CurrencyName {
  let name: string | undefined;
  try {
    name = displayNames.of(code);
  } catch {
    // Not a well-formed ISO 4217 code (e.g. two letters): ICU throws RangeError.
    name = undefined;
  }
  if (name === undefined || name.toUpperCase() === code.toUpperCase()) return { name: code, known: false };
  return { name, known: true };
}
