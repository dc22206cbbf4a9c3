/**
 * What the transform could have written for a batch, so the loader believes a manifest
 * or a Parquet file only as far as the transform could have produced it: the warehouse
 * tables a source table's remodels feed (plus dim_date, which any fact batch carries),
 * and the provenance tags the transform writes into every Parquet file.
 */
import { padSequence } from '../layout';
import type { SourceTableName } from '../schema/source-tables';
import type { WarehouseTableName } from '../schema/warehouse-tables';
import { DIMENSION_REMODELS, FACT_REMODELS, JOIN_REMODELS, isFactSource } from '../transform/remodels';

/** The warehouse tables a batch of `source` may hold. */
export function warehouseTablesOf(source: SourceTableName): ReadonlySet<WarehouseTableName> {
  const tables = new Set<WarehouseTableName>(['dim_date']);
  if (isFactSource(source)) tables.add(FACT_REMODELS[source].target);
  const dimension = DIMENSION_REMODELS[source];
  if (dimension) tables.add(dimension.target);
  for (const join of JOIN_REMODELS) {
    if (join.left === source || join.right === source) tables.add(join.target);
  }
  return tables;
}

/**
 * How a Parquet file's key-value tags disagree with the batch and table the manifest
 * says it belongs to; empty when `source_table`, `sequence` and `warehouse_table` are all
 * present and match.
 */
export function provenanceMismatches(
  tags: Readonly<Record<string, string>>,
  expected: { sourceTable: SourceTableName; sequence: number; table: WarehouseTableName },
): string[] {
  const want: Record<string, string> = {
    source_table: expected.sourceTable,
    sequence: String(expected.sequence),
    warehouse_table: expected.table,
  };
  const problems: string[] = [];
  for (const [tag, value] of Object.entries(want)) {
    const got = tags[tag];
    if (got === undefined) problems.push(`has no "${tag}" tag (expected "${value}")`);
    // The transform writes the plain number; a padded one is the same sequence.
    else if (got !== value && !(tag === 'sequence' && got === padSequence(expected.sequence))) {
      problems.push(`is tagged ${tag} ${JSON.stringify(got)}, expected "${value}"`);
    }
  }
  return problems;
}
