import { describe, expect, it } from 'vitest';
import { rowFactory } from '../../lambdas/core/objects/row-factory';
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';

describe('row factory', () => {
  it('builds a plain object with every column in table order', () => {
    const names = SOURCE_TABLES.currency.columns.map((c) => c.name);
    const make = rowFactory(names);
    const row = make([1, 'GBP', 10, 20]);
    expect(row).toEqual({ currency_id: 1, currency_code: 'GBP', created_at: 10, last_updated: 20 });
    expect(Object.keys(row)).toEqual(names);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    // Each call makes a new object.
    expect(make([2, 'USD', 0, 0])).not.toBe(make([2, 'USD', 0, 0]));
  });

  it('works for every source table', () => {
    for (const table of Object.values(SOURCE_TABLES)) {
      const names = table.columns.map((c) => c.name);
      expect(Object.keys(rowFactory(names)(names.map((_, i) => i)))).toEqual(names);
    }
  });

  it.each(['__proto__', 'a"b', 'x: 1, y', 'Name', '1abc', ''])('refuses the column name %j', (name) => {
    expect(() => rowFactory(['id', name])).toThrow(/is not a plain identifier/);
  });
});
