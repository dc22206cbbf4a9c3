import { describe, expect, it } from 'vitest';
import { currencyName } from '../../lambdas/core/transform/currency-names';

describe('currency names', () => {
  it('are the English ICU names', () => {
    expect(currencyName('GBP')).toEqual({ name: 'British Pound', known: true });
    expect(currencyName('USD')).toEqual({ name: 'US Dollar', known: true });
    expect(currencyName('EUR')).toEqual({ name: 'Euro', known: true });
  });

  it('keep the code for a code ICU does not know, and say so', () => {
    expect(currencyName('XQZ')).toEqual({ name: 'XQZ', known: false });
    expect(currencyName('AB')).toEqual({ name: 'AB', known: false });
  });
});
