/**
 * What a table that already exists in the warehouse schema looks like, read from
 * Postgres's catalog: columns (type, nullability, default, collation), primary and unique
 * keys, references, whether it holds rows, and whether the loader's login owns it.
 */
import type { QueryClient } from '../sql-client';
import { qualified } from './names';

interface ExistingColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  /** Has a default or is an identity column: an insert may leave it out. */
  readonly generated: boolean;
  readonly collation: string | null;
}

export interface ExistingTable {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ExistingColumn>;
  /** Columns of the primary key, in key order; empty when there is none. */
  readonly primaryKey: readonly string[];
  readonly primaryKeyName?: string;
  /** Unique constraints and unique indexes, as column lists. */
  readonly uniqueKeys: readonly (readonly string[])[];
  /** Single-column references: column → the constraint and its target `table.column`. */
  readonly references: ReadonlyMap<string, { readonly constraint: string; readonly target: string }>;
  readonly hasRows: boolean;
  /** The login owns the table (or is a member of its owner), so it may alter it. */
  readonly ownedByLogin: boolean;
  readonly indexes: ReadonlySet<string>;
}

/** The tables of `names` that exist in `schema`, by name. */
export async function readExistingTables(
  client: QueryClient,
  schema: string,
  names: readonly string[],
): Promise<Map<string, ExistingTable>> {
  const tables = await client.query<{ oid: number; name: string; owned: boolean }>(
    `SELECT c.oid::int AS oid, c.relname AS name, pg_has_role(c.relowner, 'USAGE') AS owned
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = ANY($2) AND c.relkind IN ('r', 'p')`,
    [schema, names],
  );
  const found = new Map<string, ExistingTable>();
  for (const table of tables.rows) found.set(table.name, await readTable(client, schema, table));
  return found;
}

async function readTable(
  client: QueryClient,
  schema: string,
  table: { oid: number; name: string; owned: boolean },
): Promise<ExistingTable> {
  const columns = await client.query<{ name: string; type: string; nullable: boolean; generated: boolean; collation: string | null }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            (a.atthasdef OR a.attidentity <> '') AS generated,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END AS collation
     FROM pg_attribute a
     JOIN pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_collation co ON co.oid = a.attcollation
     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table.oid],
  );
  const constraints = await client.query<{ name: string; type: string; columns: string[]; target: string | null }>(
    `SELECT con.conname AS name, con.contype AS type,
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i) AS columns,
            CASE WHEN con.contype = 'f' THEN
              (SELECT tc.relname || '.' || ta.attname FROM pg_class tc JOIN pg_attribute ta
                 ON ta.attrelid = tc.oid AND ta.attnum = con.confkey[1] WHERE tc.oid = con.confrelid)
            END AS target
     FROM pg_constraint con WHERE con.conrelid = $1 AND con.contype IN ('p', 'u', 'f')`,
    [table.oid],
  );
  const uniqueIndexes = await client.query<{ columns: string[] }>(
    `SELECT array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
     FROM pg_index i WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`,
    [table.oid],
  );
  const indexes = await client.query<{ name: string }>(
    'SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1',
    [table.oid],
  );
  const rows = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${qualified(schema, table.name)}) AS any`);
  const primary = constraints.rows.find((c) => c.type === 'p');
  const references = new Map<string, { constraint: string; target: string }>();
  for (const c of constraints.rows) {
    if (c.type === 'f' && c.columns.length === 1 && c.target) references.set(c.columns[0]!, { constraint: c.name, target: c.target });
  }
  return {
    name: table.name,
    columns: new Map(columns.rows.map((c) => [c.name, c])),
    primaryKey: primary?.columns ?? [],
    ...(primary ? { primaryKeyName: primary.name } : {}),
    uniqueKeys: [...constraints.rows.filter((c) => c.type === 'u').map((c) => c.columns), ...uniqueIndexes.rows.map((r) => r.columns)],
    references,
    hasRows: rows.rows[0]?.any ?? false,
    ownedByLogin: table.owned,
    indexes: new Set(indexes.rows.map((r) => r.name)),
  };
}
