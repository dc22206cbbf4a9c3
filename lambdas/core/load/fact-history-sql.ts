/**
 * Fact history (CONTRACT.md §5), rebuilt in the batch's transaction for every id the batch holds.
 *
 * The rule: an id's history is its observations (one per ingestion sequence) in sequence
 * order with consecutive identical ones (same `version_hash`) collapsed; one fact row per
 * run, at the run's first sequence. So A → B → A is three rows; a re-send unchanged, a
 * re-delivery and a replay add none; a late B@2 after A@1 and A@3 ends as A@1, B@2, A@3;
 * a late B@2 after A@1 and B@3 moves the B@3 row to 2.
 *
 * Every observation is kept in `etl_control.fact_observation`. For the ids of the batch
 * the runs are recomputed from all their observations and the fact rows brought in line:
 * each run keeps its earliest existing row (moved to the run's start if the run now
 * begins earlier), other rows of a run are removed (runs merged), and a run with no row
 * gets one, with the batch's values if it starts at the batch's sequence, otherwise with
 * the values of a row of the same version (equal hashes, equal business values). For a
 * batch in sequence order this is "add a row when the value changed"; a replay finds
 * every row in place and writes nothing.
 *
 * All generated from the fact's definition; identifiers quoted, values bound.
 */
import { type FactTableDefinition, VERSION_HASH_COLUMN } from '../schema/warehouse-tables';
import { FACT_SOURCE_BATCH, FACT_SOURCE_SEQUENCE } from '../warehouse/audit-columns';
import { CONTROL_TABLES, type WarehouseSchemas, qualified, quoteIdent, quoteLiteral } from '../warehouse/names';
import { STAGE_ROW_COLUMN, stagingTable } from './staging';

interface FactHistoryBatch {
  readonly sourceTable: string;
  readonly sequence: number;
}

export interface FactHistoryStep {
  readonly sql: string;
  readonly params: (batch: FactHistoryBatch) => unknown[];
  /** Whether the statement's row count is fact rows written (inserted, moved or removed). */
  readonly writesFacts: boolean;
}

const none = () => [];

/** The statements, in order, that apply a staged fact file as history. */
export function factHistorySteps(fact: FactTableDefinition, schemas: WarehouseSchemas): FactHistoryStep[] {
  const target = qualified(schemas.warehouse, fact.name);
  const observations = qualified(schemas.control, CONTROL_TABLES.factObservation);
  const temp = (name: string) => `pg_temp.${quoteIdent(`${name}_${fact.name}`)}`;
  const observed = temp('observed');
  const runs = temp('runs');
  const placed = temp('placed');
  const id = quoteIdent(fact.naturalKey);
  const surrogate = quoteIdent(fact.surrogateKey);
  const sequence = quoteIdent(FACT_SOURCE_SEQUENCE);
  const hash = quoteIdent(VERSION_HASH_COLUMN);
  const columns = fact.columns.map((column) => quoteIdent(column.name));
  const list = (prefix: string) => columns.map((column) => `${prefix}.${column}`).join(', ');
  const insertInto = `INSERT INTO ${target} (${columns.join(', ')}, ${sequence}, ${quoteIdent(FACT_SOURCE_BATCH)})`;
  // `<source table>/<10-digit sequence>`, as batchId() writes it.
  const batchOf = (start: string) => `$1 || '/' || lpad(${start}::text, 10, '0')`;

  return [
    {
      // One observation per id and sequence: an id repeated in one object is one state,
      // its newest by last_updated, the later line on a tie.
      sql: `CREATE TEMP TABLE ${quoteIdent(`observed_${fact.name}`)} ON COMMIT DROP AS
SELECT DISTINCT ON (${id}) ${columns.join(', ')}
FROM ${stagingTable(fact)}
ORDER BY ${id}, "last_updated_date" DESC, "last_updated_time" DESC, ${quoteIdent(STAGE_ROW_COLUMN)} DESC`,
      params: none,
      writesFacts: false,
    },
    {
      // A sequence already observed (a re-delivery or replay) keeps what was first loaded.
      sql: `INSERT INTO ${observations} (fact_table, natural_id, sequence, version_hash)
SELECT ${quoteLiteral(fact.name)}, ${id}, $1::bigint, ${hash} FROM ${observed}
ON CONFLICT (fact_table, natural_id, sequence) DO NOTHING`,
      params: (batch) => [batch.sequence],
      writesFacts: false,
    },
    {
      // The runs of every id in the batch: [run_start, run_end), run_end null for the last.
      sql: `CREATE TEMP TABLE ${quoteIdent(`runs_${fact.name}`)} ON COMMIT DROP AS
SELECT natural_id, sequence AS run_start, lead(sequence) OVER (PARTITION BY natural_id ORDER BY sequence) AS run_end, version_hash
FROM (
  SELECT o.natural_id, o.sequence, o.version_hash,
    o.version_hash IS DISTINCT FROM lag(o.version_hash) OVER (PARTITION BY o.natural_id ORDER BY o.sequence) AS starts_run
  FROM ${observations} o JOIN ${observed} s ON o.natural_id = s.${id}
  WHERE o.fact_table = ${quoteLiteral(fact.name)}
) observations
WHERE starts_run`,
      params: none,
      writesFacts: false,
    },
    {
      // Each existing row in the run holding its sequence; the run's earliest row is kept.
      sql: `CREATE TEMP TABLE ${quoteIdent(`placed_${fact.name}`)} ON COMMIT DROP AS
SELECT f.${surrogate} AS surrogate, r.natural_id, r.run_start,
  row_number() OVER (PARTITION BY r.natural_id, r.run_start ORDER BY f.${sequence}) = 1 AS keeps
FROM ${target} f
JOIN ${runs} r ON r.natural_id = f.${id} AND f.${sequence} >= r.run_start
  AND (r.run_end IS NULL OR f.${sequence} < r.run_end) AND f.${hash} = r.version_hash`,
      params: none,
      writesFacts: false,
    },
    {
      // Rows that are not their run's earliest, or that no observation accounts for (added
      // or edited by hand): in a history the loader built, none.
      sql: `DELETE FROM ${target} f USING ${observed} s
WHERE f.${id} = s.${id} AND NOT EXISTS (SELECT 1 FROM ${placed} p WHERE p.surrogate = f.${surrogate} AND p.keeps)`,
      params: none,
      writesFacts: true,
    },
    {
      // A run that now starts earlier (a late batch of the same version) takes its row along.
      sql: `UPDATE ${target} f SET ${sequence} = p.run_start, ${quoteIdent(FACT_SOURCE_BATCH)} = ${batchOf('p.run_start')}
FROM ${placed} p
WHERE p.keeps AND f.${surrogate} = p.surrogate AND f.${sequence} <> p.run_start`,
      params: (batch) => [batch.sourceTable],
      writesFacts: true,
    },
    {
      // A run starting at this batch: the batch's values.
      sql: `${insertInto}
SELECT ${list('s')}, r.run_start, ${batchOf('r.run_start')}
FROM ${runs} r JOIN ${observed} s ON s.${id} = r.natural_id AND s.${hash} = r.version_hash
WHERE r.run_start = $2::bigint
  AND NOT EXISTS (SELECT 1 FROM ${target} x WHERE x.${id} = r.natural_id AND x.${sequence} = r.run_start)
ORDER BY r.natural_id`,
      params: (batch) => [batch.sourceTable, batch.sequence],
      writesFacts: true,
    },
    {
      // A run split off later by a late batch (A, late B, A again): the values of its version.
      sql: `${insertInto}
SELECT ${list('v')}, r.run_start, ${batchOf('r.run_start')}
FROM ${runs} r
CROSS JOIN LATERAL (
  SELECT * FROM ${target} f WHERE f.${id} = r.natural_id AND f.${hash} = r.version_hash ORDER BY f.${sequence} LIMIT 1
) v
WHERE NOT EXISTS (SELECT 1 FROM ${target} x WHERE x.${id} = r.natural_id AND x.${sequence} = r.run_start)
ORDER BY r.natural_id, r.run_start`,
      params: (batch) => [batch.sourceTable],
      writesFacts: true,
    },
  ];
}
