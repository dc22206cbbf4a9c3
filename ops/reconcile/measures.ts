/**
 * What reconcile measures per warehouse table, derived from the table definitions and the
 * transform's remodels (never a column list of its own): for each fact, its source table,
 * natural key and money columns, and how a source row becomes a version; for each
 * dimension, the source table whose ids it holds.
 */
import type { SourceRow } from '../../lambdas/core/objects';
import {
  DIMENSION_TABLES,
  type DimensionTableName,
  FACT_TABLE_NAMES,
  FACT_TABLES,
  type FactTableName,
  SOURCE_TABLES,
  SOURCE_VERSION_COLUMN,
  type SourceTableName,
  VERSION_HASH_COLUMN,
} from '../../lambdas/core/schema';
import { DIMENSION_REMODELS, FACT_REMODELS, type FactRemodel, JOIN_REMODELS, timestampOf, versionHash } from '../../lambdas/core/transform';

interface MoneyColumn {
  readonly name: string;
  readonly scale: number;
}

export interface FactMeasure {
  readonly table: FactTableName;
  readonly source: SourceTableName;
  readonly naturalKey: string;
  readonly money: readonly MoneyColumn[];
  /** A valid source row as its fact version: natural id, version hash, money values. */
  version(row: SourceRow): FactVersion;
}

interface FactVersion {
  readonly id: number;
  readonly hash: string;
  readonly money: readonly bigint[];
  /** The source row's last_updated (naive ms): which of an id's lines in one object is its state. */
  readonly lastUpdated: number;
}

export function versionKey(id: number | string, hash: string): string {
  return `${id}\t${hash}`;
}

function factMeasure(remodel: FactRemodel): FactMeasure {
  const definition = FACT_TABLES[remodel.target];
  const { projection } = remodel;
  const money = definition.columns.flatMap((column) =>
    column.type.kind === 'decimal' ? [{ name: column.name, scale: column.type.scale }] : [],
  );
  const idIndex = projection.indexOf(definition.naturalKey);
  const hashIndex = projection.indexOf(VERSION_HASH_COLUMN);
  const moneyIndexes = money.map((column) => projection.indexOf(column.name));
  return {
    table: remodel.target,
    source: remodel.source,
    naturalKey: definition.naturalKey,
    money,
    version(row) {
      const values = projection.project([row]);
      values[hashIndex] = versionHash(values, projection.businessIndexes);
      return {
        id: values[idIndex] as number,
        hash: values[hashIndex] as string,
        money: moneyIndexes.map((index) => values[index] as bigint),
        lastUpdated: timestampOf(row, 'last_updated'),
      };
    },
  };
}

export const FACT_MEASURES: readonly FactMeasure[] = Object.values(FACT_REMODELS).map(factMeasure);

export function factMeasureOf(table: FactTableName): FactMeasure {
  return FACT_MEASURES.find((measure) => measure.table === table)!;
}

export function isFactTable(table: string): table is FactTableName {
  return (FACT_TABLE_NAMES as readonly string[]).includes(table);
}

export interface DimensionMeasure {
  readonly table: DimensionTableName;
  readonly primaryKey: string;
  /** The source table one row per id comes from (the left side of a join); none for dim_date. */
  readonly source?: SourceTableName;
  readonly sourceKey?: string;
  /** Versioned dimensions keep the newest `source_version`; dim_date has none. */
  readonly versioned: boolean;
}

export const DIMENSION_MEASURES: readonly DimensionMeasure[] = Object.values(DIMENSION_TABLES).map((definition) => {
  const source =
    Object.values(DIMENSION_REMODELS).find((remodel) => remodel?.target === definition.name)?.source ??
    JOIN_REMODELS.find((join) => join.target === definition.name)?.left;
  return {
    table: definition.name,
    primaryKey: definition.primaryKey,
    ...(source ? { source, sourceKey: SOURCE_TABLES[source].primaryKey } : {}),
    versioned: definition.columns.some((column) => column.name === SOURCE_VERSION_COLUMN),
  };
});
