/**
 * dim_date's attributes are derived twice: by the transform in TypeScript
 * (transform/dim-date.ts) and by the loader in SQL for a date a fact references that no
 * batch shipped (batch-sql.ts). Real Postgres computes the SQL for every date from
 * 1900-01-01 to 2100-12-31, and every row must equal the TypeScript one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIM_DATE_EXPRESSIONS } from '../../lambdas/core/load/batch-sql';
import { DIMENSION_TABLES } from '../../lambdas/core/schema/warehouse-tables';
import { daysFromCivil } from '../../lambdas/core/time';
import { transformDimDateRows } from './support/dim-date-oracle';
import { LoadTestEnvironment } from './support/warehouse';

const env = new LoadTestEnvironment();
beforeAll(() => env.start());
afterAll(() => env.stop());

describe('dim_date in SQL and in TypeScript', () => {
  it('agree on every date from 1900-01-01 to 2100-12-31', async () => {
    const names = DIMENSION_TABLES.dim_date.columns.map((column) => column.name);
    const select = names.map((name) => {
      const expression = DIM_DATE_EXPRESSIONS[name];
      if (!expression) throw new Error(`batch-sql.ts has no derivation for dim_date.${name}`);
      return `${expression} AS "${name}"`;
    });
    const fromSql = await env.query(
      `SELECT ${select.join(', ')}
       FROM (SELECT g::date AS d FROM generate_series('1900-01-01'::date, '2100-12-31'::date, interval '1 day') g) dates
       ORDER BY d`,
    );
    const start = daysFromCivil(1900, 1, 1);
    const fromTypeScript = transformDimDateRows(start, daysFromCivil(2100, 12, 31) - start + 1);
    expect(fromSql).toHaveLength(73_414);
    expect(fromTypeScript).toHaveLength(73_414);
    // Report the first few differing dates rather than a 73,414-row diff.
    const differing = fromSql.flatMap((row, i) =>
      JSON.stringify(row) === JSON.stringify(fromTypeScript[i]) ? [] : [{ sql: row, typeScript: fromTypeScript[i] }],
    );
    expect(differing.slice(0, 5)).toEqual([]);
  });
});
