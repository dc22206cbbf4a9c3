/**
 * Dimension versions written before schema migration 3 put the last_updated timestamp
 * first (`<YYYYMMDDTHHMMSSmmm>.<10-digit sequence>`); now the ingestion sequence comes
 * first (`<sequence>.<last_updated>`, see core/transform/versions.ts). Read as they are,
 * the old ones sort above every new one and would freeze their rows, so the warehouse
 * rewrites them (migration 3) and the loader rewrites any still arriving in batches
 * transformed before the upgrade.
 */
import { SOURCE_VERSION_COLUMN } from '../schema/warehouse-tables';
import { type WarehouseSchemas, qualified, quoteIdent, quoteLiteral } from './names';

/** One legacy component, its two halves captured. A current version never matches. */
const LEGACY_COMPONENT = '([0-9]{8}T[0-9]{9})\\.([0-9]{10})';

/** SQL: `expression` (a version) with every legacy component's halves swapped; current ones unchanged. */
export function upgradeVersionSql(expression: string): string {
  return `regexp_replace(${expression}, ${quoteLiteral(LEGACY_COMPONENT)}, ${quoteLiteral('\\2.\\1')}, 'g')`;
}

/**
 * The versioned dimensions as they were when migration 3 was written. Fixed here, never
 * derived from the table definitions: an applied migration's SQL must not change.
 */
const VERSIONED_DIMENSIONS = [
  'dim_staff',
  'dim_location',
  'dim_currency',
  'dim_design',
  'dim_counterparty',
  'dim_payment_type',
  'dim_transaction',
] as const;

/**
 * Migration 3: every stored version rewritten sequence first (placeholders' '' stays ''
 * and so stays lowest; `loaded_at` is kept, the values did not change), and the column
 * comment says how versions are ordered.
 */
export function sequenceFirstVersionsDdl(schemas: WarehouseSchemas): string[] {
  const version = quoteIdent(SOURCE_VERSION_COLUMN);
  return VERSIONED_DIMENSIONS.flatMap((name) => {
    const table = qualified(schemas.warehouse, name);
    return [
      `UPDATE ${table} SET ${version} = ${upgradeVersionSql(version)} WHERE ${version} ~ ${quoteLiteral(LEGACY_COMPONENT)}`,
      `COMMENT ON COLUMN ${table}.${version} IS ${quoteLiteral(
        'audit: version of the source row(s), <ingestion sequence>.<last_updated> (joined dimensions: both partners, joined by /); ordered by ingestion sequence, an older version never overwrites a newer one',
      )}`,
    ];
  });
}
