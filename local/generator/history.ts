/**
 * A whole ingestion history: the first full run and the later runs, with the database
 * state after each. Tests use it to work out independently what the warehouse must hold:
 * dimensions = the final dataset's rows; facts = every distinct row version ever landed.
 */
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { type ChangeSet, type Dataset, generateDataset, primaryKeyOf, snapshot } from './dataset';
import { evolve } from './evolve';
import { type SourceRecord, serializeRow } from './source-json';

export interface HistoryOptions {
  readonly seed: number;
  /** As for generateDataset. Default 1. */
  readonly scale?: number;
  /** Runs after the first, full one. Default 0. */
  readonly laterRuns?: number;
}

export interface IngestionHistory {
  /** runs[0] lands the whole initial dataset; runs[i] is evolve run i. */
  readonly runs: readonly ChangeSet[];
  /** datasets[i]: the database right after runs[i]. */
  readonly datasets: readonly Dataset[];
  /** The database after the last run (the warehouse's dimensions should match it). */
  readonly final: Dataset;
}

export function simulateIngestion({ seed, scale = 1, laterRuns = 0 }: HistoryOptions): IngestionHistory {
  let dataset = generateDataset({ seed, scale });
  const runs: ChangeSet[] = [snapshot(dataset)];
  const datasets: Dataset[] = [dataset];
  for (let run = 1; run <= laterRuns; run += 1) {
    const evolution = evolve(dataset);
    dataset = evolution.dataset;
    runs.push(evolution.changes);
    datasets.push(dataset);
  }
  return { runs, datasets, final: dataset };
}

/** Every row of `table` landed by the runs, in landing order (repeats included). */
export function landedRows(runs: readonly ChangeSet[], table: SourceTableName): SourceRecord[] {
  return runs.flatMap((run) => run.tables[table]);
}

/**
 * The distinct versions of each row of `table` across the runs: a row landed again
 * unchanged counts once, a row changed in any column (even with last_updated unmoved) is
 * a new version. What a fact table should hold, one entry per version, in landing order.
 */
export function distinctVersions(runs: readonly ChangeSet[], table: SourceTableName): SourceRecord[] {
  const seen = new Set<string>();
  const versions: SourceRecord[] = [];
  for (const row of landedRows(runs, table)) {
    const identity = `${primaryKeyOf(table, row)}\n${serializeRow(table, row)}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    versions.push(row);
  }
  return versions;
}
