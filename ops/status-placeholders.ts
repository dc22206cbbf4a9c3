/**
 * Placeholder dimension rows older than a threshold. A placeholder stands in for a
 * dimension row whose facts arrived first; the real row normally follows within a run or
 * two. One still there after the threshold means the row is not coming by itself: never
 * ingested, or held back waiting for its own join partner.
 */
import type { DatabaseClient } from '../lambdas/core/load';
import { DIMENSION_TABLES, type DimensionTableName } from '../lambdas/core/schema';
import {
  DIMENSION_IS_PLACEHOLDER,
  DIMENSION_LOADED_AT,
  PLACEHOLDER_DIMENSIONS,
  qualified,
  quoteIdent,
  quoteLiteral,
  type WarehouseSchemas,
} from '../lambdas/core/warehouse';

/** The default of `--placeholder-age`: a day. */
export const DEFAULT_PLACEHOLDER_AGE_SECONDS = 24 * 3600;

/** How many ids each dimension lists (the count is always complete). */
const EXAMPLE_IDS = 10;

export interface OverduePlaceholders {
  readonly table: DimensionTableName;
  readonly rows: number;
  /** When the oldest of them was created (its `loaded_at`), and its age when status looked. */
  readonly oldestCreatedAt: string;
  readonly oldestAgeSeconds: number;
  /** Up to 10 ids, oldest first. */
  readonly ids: readonly number[];
}

/** Per dimension with any, the placeholder rows created at or before `now - ageSeconds`. */
export async function readOverduePlaceholders(
  client: DatabaseClient,
  schemas: WarehouseSchemas,
  now: number,
  ageSeconds: number,
): Promise<OverduePlaceholders[]> {
  const sql = PLACEHOLDER_DIMENSIONS.map((name) => {
    const id = quoteIdent(DIMENSION_TABLES[name].primaryKey);
    const loadedAt = quoteIdent(DIMENSION_LOADED_AT);
    return `SELECT ${quoteLiteral(name)} AS dimension, count(*)::int AS n,
  to_char(min(${loadedAt}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS oldest,
  array_to_string((array_agg(${id} ORDER BY ${loadedAt}, ${id}))[1:${EXAMPLE_IDS}], ',') AS ids
FROM ${qualified(schemas.warehouse, name)}
WHERE ${quoteIdent(DIMENSION_IS_PLACEHOLDER)} AND ${loadedAt} <= $1::timestamptz`;
  }).join('\nUNION ALL\n');
  const cutoff = new Date(now - ageSeconds * 1000).toISOString();
  const { rows } = await client.query<{ dimension: DimensionTableName; n: number; oldest: string | null; ids: string | null }>(sql, [
    cutoff,
  ]);
  return rows
    .filter((row) => row.n > 0 && row.oldest !== null)
    .map((row) => ({
      table: row.dimension,
      rows: row.n,
      oldestCreatedAt: row.oldest!,
      oldestAgeSeconds: Math.max(0, Math.round((now - Date.parse(row.oldest!)) / 1000)),
      ids: (row.ids ?? '')
        .split(',')
        .filter((id) => id !== '')
        .map(Number),
    }));
}
