/**
 * The set-based statements that move a staged file into the warehouse (CONTRACT.md §5):
 * dimensions upserted under a version guard, dim_date and placeholder dimension rows
 * created for whatever the facts reference (facts as history: fact-history-sql.ts). All
 * of it derived from the table definitions.
 */
import {
  DIMENSION_TABLES,
  type DimensionTableDefinition,
  type DimensionTableName,
  type FactTableDefinition,
  SOURCE_VERSION_COLUMN,
} from '../schema/warehouse-tables';
import { DIMENSION_IS_PLACEHOLDER, DIMENSION_LOADED_AT, PLACEHOLDER_TEXT, PLACEHOLDER_VERSION } from '../warehouse/audit-columns';
import { isVersionedDimension } from '../warehouse/ddl';
import { upgradeVersionSql } from '../warehouse/legacy-versions';
import { type WarehouseSchemas, qualified, quoteIdent, quoteLiteral } from '../warehouse/names';
import { stagingTable } from './staging';

const list = (names: readonly string[], prefix = '') => names.map((name) => `${prefix}${quoteIdent(name)}`).join(', ');

/**
 * Versioned dimension upsert. One row per key from the file (its newest version), then:
 * a new key is inserted; an existing row is updated only if the incoming version is newer
 * (in C collation) or the row is a placeholder. A newer version with identical values
 * moves only `source_version` (so a late, older version still cannot win) and keeps
 * `loaded_at`. Returns `changed` (inserted or values changed) and `written` counts.
 * Versions in a batch transformed before versions put the sequence first are upgraded
 * on the way in (see warehouse/legacy-versions.ts), so such a batch cannot freeze a row.
 */
export function upsertDimensionSql(table: DimensionTableDefinition, schemas: WarehouseSchemas): string {
  if (!isVersionedDimension(table)) throw new Error(`${table.name} has no ${SOURCE_VERSION_COLUMN}`);
  const target = qualified(schemas.warehouse, table.name);
  const names = table.columns.map((column) => column.name);
  const values = names.filter((name) => name !== table.primaryKey && name !== SOURCE_VERSION_COLUMN);
  const key = quoteIdent(table.primaryKey);
  const version = quoteIdent(SOURCE_VERSION_COLUMN);
  const placeholder = `t.${quoteIdent(DIMENSION_IS_PLACEHOLDER)}`;
  const valuesDiffer = `ROW(${list(values, 't.')}) IS DISTINCT FROM ROW(${list(values, 'excluded.')})`;
  return `WITH written AS (
  INSERT INTO ${target} AS t (${list(names)})
  SELECT DISTINCT ON (${key}) ${list(names)} FROM (
    SELECT ${names.map((name) => (name === SOURCE_VERSION_COLUMN ? `${upgradeVersionSql(version)} AS ${version}` : quoteIdent(name))).join(', ')}
    FROM ${stagingTable(table)}
  ) staged
  ORDER BY ${key}, ${version} COLLATE "C" DESC
  ON CONFLICT (${key}) DO UPDATE SET
    ${values.map((name) => `${quoteIdent(name)} = excluded.${quoteIdent(name)}`).join(',\n    ')},
    ${version} = excluded.${version},
    ${quoteIdent(DIMENSION_LOADED_AT)} = CASE WHEN ${placeholder} OR ${valuesDiffer} THEN now() ELSE t.${quoteIdent(DIMENSION_LOADED_AT)} END,
    ${quoteIdent(DIMENSION_IS_PLACEHOLDER)} = false
  WHERE ${placeholder} OR excluded.${version} COLLATE "C" > t.${version} COLLATE "C"
  RETURNING t.${quoteIdent(DIMENSION_LOADED_AT)} = now() AS changed
)
SELECT (count(*) FILTER (WHERE changed))::int AS changed, count(*)::int AS written FROM written`;
}

/** Unversioned dimension (dim_date: a pure function of the date): insert what is missing. */
export function insertMissingDimensionSql(table: DimensionTableDefinition, schemas: WarehouseSchemas): string {
  const names = table.columns.map((column) => column.name);
  return `INSERT INTO ${qualified(schemas.warehouse, table.name)} (${list(names)})
SELECT ${list(names)} FROM ${stagingTable(table)}
ON CONFLICT (${quoteIdent(table.primaryKey)}) DO NOTHING`;
}

/**
 * SQL for each dim_date column from a date `d`, by CONTRACT.md §4: ISO day of week (Monday 1),
 * English unpadded names (`FMDay` is English whatever the locale; only `TM` translates).
 */
export const DIM_DATE_EXPRESSIONS: Readonly<Record<string, string>> = {
  date_id: 'd',
  year: 'extract(year FROM d)::int',
  month: 'extract(month FROM d)::int',
  day: 'extract(day FROM d)::int',
  day_of_week: 'extract(isodow FROM d)::int',
  day_name: "to_char(d, 'FMDay')",
  month_name: "to_char(d, 'FMMonth')",
  quarter: 'extract(quarter FROM d)::int',
};

/**
 * dim_date rows for any date a fact references that dim_date lacks. The transform ships
 * them in the batch, so this normally inserts nothing; it guarantees no fact ever fails
 * its foreign key on a date.
 */
export function insertReferencedDatesSql(fact: FactTableDefinition, schemas: WarehouseSchemas): string | undefined {
  const dimDate = DIMENSION_TABLES.dim_date;
  const dateColumns = fact.columns.filter((column) => column.references === 'dim_date').map((c) => c.name);
  if (dateColumns.length === 0) return undefined;
  const names = dimDate.columns.map((column) => column.name);
  const expressions = names.map((name) => {
    const expression = DIM_DATE_EXPRESSIONS[name];
    if (!expression) throw new Error(`no derivation for dim_date.${name}`);
    return expression;
  });
  const target = qualified(schemas.warehouse, dimDate.name);
  const key = quoteIdent(dimDate.primaryKey);
  return `INSERT INTO ${target} (${list(names)})
SELECT ${expressions.join(', ')}
FROM (SELECT DISTINCT unnest(ARRAY[${list(dateColumns)}]) AS d FROM ${stagingTable(fact)}) dates
WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${target} x WHERE x.${key} = dates.d)
ON CONFLICT (${key}) DO NOTHING`;
}

/**
 * Placeholder rows for every key the staged facts reference that a (versioned) dimension
 * does not have yet: text columns '(pending)', nullable columns null, version ''. The
 * real row, whenever it arrives, overwrites it. One statement per dimension.
 */
export function insertPlaceholdersSql(
  fact: FactTableDefinition,
  schemas: WarehouseSchemas,
): { dimension: DimensionTableName; sql: string }[] {
  const byDimension = new Map<DimensionTableName, string[]>();
  for (const column of fact.columns) {
    if (!column.references) continue;
    const dimension = DIMENSION_TABLES[column.references];
    if (!isVersionedDimension(dimension)) continue;
    byDimension.set(dimension.name, [...(byDimension.get(dimension.name) ?? []), column.name]);
  }
  return [...byDimension].map(([name, columns]) => {
    const dimension = DIMENSION_TABLES[name];
    const target = qualified(schemas.warehouse, name);
    const key = quoteIdent(dimension.primaryKey);
    const filled = dimension.columns.filter((column) => column.name !== dimension.primaryKey && !column.nullable);
    const values = filled.map((column) => {
      if (column.name === SOURCE_VERSION_COLUMN) return quoteLiteral(PLACEHOLDER_VERSION);
      if (column.type.kind === 'text') return quoteLiteral(PLACEHOLDER_TEXT);
      throw new Error(`no placeholder value for ${name}.${column.name} (${column.type.kind}, NOT NULL)`);
    });
    const referenced = columns.map((column) => `SELECT ${quoteIdent(column)} AS id FROM ${stagingTable(fact)}`).join(' UNION ');
    const sql = `INSERT INTO ${target} (${key}, ${list(filled.map((c) => c.name))}, ${quoteIdent(DIMENSION_IS_PLACEHOLDER)})
SELECT refs.id, ${values.join(', ')}, true
FROM (${referenced}) refs
WHERE refs.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${target} x WHERE x.${key} = refs.id)
ON CONFLICT (${key}) DO NOTHING`;
    return { dimension: name, sql };
  });
}
