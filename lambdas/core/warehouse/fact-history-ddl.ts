/**
 * Facts as history ordered by ingestion sequence (CONTRACT.md §5), as a migration from the first
 * star schema: each fact row gets `source_sequence` (the sequence at which that version
 * became the row's state), unique per natural id in place of the old
 * `UNIQUE (natural id, version_hash)` that could not hold A → B → A; the control schema
 * gets the observations history is rebuilt from; each fact gets a current-version view.
 *
 * An existing warehouse keeps its rows: each takes its sequence from the batch that
 * brought it (`source_batch`), and becomes an observation. Two versions of one id from the
 * same batch (the old loader kept both) cannot both be a state at one sequence: the newest
 * by `last_updated`, then the later loaded, is kept.
 */
import { FACT_TABLES, type FactTableDefinition, VERSION_HASH_COLUMN } from '../schema/warehouse-tables';
import { FACT_LOADED_AT, FACT_SOURCE_BATCH, FACT_SOURCE_SEQUENCE } from './audit-columns';
import { CONTROL_TABLES, type WarehouseSchemas, qualified, quoteIdent, quoteLiteral } from './names';

/** `fact_<name>_current`: one row per natural id, its newest version by ingestion sequence. */
export function currentVersionView(fact: FactTableDefinition): string {
  return `${fact.name}_current`;
}

/** The unique key of a fact's history: one version per natural id and sequence. */
function factHistoryKey(fact: FactTableDefinition): string {
  return `${fact.name}_history_key`;
}

export function factHistoryDdl(schemas: WarehouseSchemas): string[] {
  const observations = qualified(schemas.control, CONTROL_TABLES.factObservation);
  return [
    `CREATE TABLE ${observations} (
  fact_table varchar NOT NULL,
  natural_id int NOT NULL,
  sequence bigint NOT NULL,
  version_hash varchar(32) NOT NULL,
  PRIMARY KEY (fact_table, natural_id, sequence)
)`,
    `COMMENT ON TABLE ${observations} IS ${quoteLiteral(
      'Each fact row state the loader has seen: (fact table, natural id, ingestion sequence, version_hash). Fact history is rebuilt from these when a batch arrives late',
    )}`,
    ...Object.values(FACT_TABLES).flatMap((fact) => factStatements(fact, schemas, observations)),
  ];
}

function factStatements(fact: FactTableDefinition, schemas: WarehouseSchemas, observations: string): string[] {
  const table = qualified(schemas.warehouse, fact.name);
  const id = quoteIdent(fact.naturalKey);
  const surrogate = quoteIdent(fact.surrogateKey);
  const sequence = quoteIdent(FACT_SOURCE_SEQUENCE);
  const hash = quoteIdent(VERSION_HASH_COLUMN);
  const view = qualified(schemas.warehouse, currentVersionView(fact));
  const viewColumns = [
    fact.surrogateKey,
    ...fact.columns.map((column) => column.name),
    FACT_SOURCE_SEQUENCE,
    FACT_SOURCE_BATCH,
    FACT_LOADED_AT,
  ].map(quoteIdent);
  return [
    `ALTER TABLE ${table} ADD COLUMN ${sequence} bigint`,
    `UPDATE ${table} SET ${sequence} = substring(${quoteIdent(FACT_SOURCE_BATCH)} FROM '/([0-9]+)$')::bigint`,
    `DELETE FROM ${table} WHERE ${surrogate} IN (
  SELECT ${surrogate} FROM (
    SELECT ${surrogate}, row_number() OVER (
      PARTITION BY ${id}, ${sequence}
      ORDER BY "last_updated_date" DESC, "last_updated_time" DESC, ${surrogate} DESC) AS rank
    FROM ${table}) ranked
  WHERE rank > 1)`,
    `ALTER TABLE ${table} ALTER COLUMN ${sequence} SET NOT NULL`,
    `ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(`${fact.name}_version_key`)}`,
    `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(factHistoryKey(fact))} UNIQUE (${id}, ${sequence})`,
    comment(table, VERSION_HASH_COLUMN, 'audit: 128-bit hash of the business columns; equal hashes mean equal versions'),
    comment(
      table,
      FACT_SOURCE_SEQUENCE,
      'audit: ingestion sequence at which this version became the row state; versions are ordered by it, one per (natural key, source_sequence)',
    ),
    comment(table, FACT_SOURCE_BATCH, 'audit: the processed batch (<source table>/<sequence>) at whose sequence this version begins'),
    `INSERT INTO ${observations} (fact_table, natural_id, sequence, version_hash)
SELECT ${quoteLiteral(fact.name)}, ${id}, ${sequence}, ${hash} FROM ${table}`,
    `CREATE VIEW ${view} AS
SELECT DISTINCT ON (${id}) ${viewColumns.join(', ')}
FROM ${table}
ORDER BY ${id}, ${sequence} DESC`,
    `COMMENT ON VIEW ${view} IS ${quoteLiteral(
      `One row per ${fact.naturalKey}: its current version, the newest by ingestion sequence (${FACT_SOURCE_SEQUENCE})`,
    )}`,
  ];
}

function comment(table: string, column: string, text: string): string {
  return `COMMENT ON COLUMN ${table}.${quoteIdent(column)} IS ${quoteLiteral(text)}`;
}
