/**
 * A warehouse as comparable text: every row of every star-schema table as one line
 * (columns in table order, nulls as ∅), sorted, plus the set of loaded batches from the
 * ledger. Two runs of the same input must give equal fingerprints whatever faults one of
 * them met.
 *
 * Left out, because they legitimately differ between equal warehouses:
 * - `loaded_at` (when a row was written) and the ledger's timings;
 * - the facts' serial surrogate key (a rolled-back insert still uses up serial values).
 */
import pg from 'pg';
import { DIMENSION_LOADED_AT, FACT_LOADED_AT } from '../../../lambdas/core/warehouse/audit-columns';
import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_NAMES } from '../../../lambdas/core/schema/warehouse-tables';

export type Fingerprint = Record<string, string[]>;

export async function fingerprint(url: string): Promise<Fingerprint> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result: Fingerprint = {};
    for (const table of WAREHOUSE_TABLE_NAMES) {
      const definition = WAREHOUSE_TABLES[table];
      const left = new Set([FACT_LOADED_AT, DIMENSION_LOADED_AT]);
      if (definition.kind === 'fact') left.add(definition.surrogateKey);
      const { rows: columns } = await client.query<{ name: string }>(
        `SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const kept = columns.map((c) => c.name).filter((name) => !left.has(name));
      if (kept.length === 0) throw new Error(`table ${table} has no columns: is the schema there?`);
      const text = kept.map((name) => `coalesce(${pg.escapeIdentifier(name)}::text, '∅')`).join(`, `);
      const { rows } = await client.query<{ line: string }>(`SELECT concat_ws('|', ${text}) AS line FROM public.${table}`);
      result[table] = rows.map((row) => row.line).sort();
    }
    const { rows } = await client.query<{ line: string }>(
      `SELECT concat_ws('|', source_table, sequence, source_key) AS line FROM etl_control.loaded_batch`,
    );
    result.loaded_batches = rows.map((row) => row.line).sort();
    return result;
  } finally {
    await client.end();
  }
}

/** Rows per table, for checking a fingerprint against counts worked out independently. */
export function rowCounts(print: Fingerprint): Record<string, number> {
  return Object.fromEntries(Object.entries(print).map(([table, lines]) => [table, lines.length]));
}
