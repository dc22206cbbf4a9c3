/**
 * The Parquet side of reconcile: every committed batch's manifest and files, read with
 * the core's exact reader. Per batch the fact rows and money sums (to compare with its
 * ingestion object); across batches the distinct fact versions (one state per id per
 * batch, as the loader keeps) and the newest version of each dimension id, both in all
 * batches and in the loaded ones (what the warehouse must hold).
 */
import type { BatchManifest } from '../../lambdas/core/layout';
import { readParquetColumns } from '../../lambdas/core/parquet';
import {
  type CellValue,
  type DimensionTableName,
  type FactTableName,
  SOURCE_VERSION_COLUMN,
  type SourceTableName,
  VERSION_HASH_COLUMN,
} from '../../lambdas/core/schema';
import { batchId } from '../../lambdas/core/load';
import { upgradeVersion } from '../../lambdas/core/transform';
import { isoDate, MS_PER_DAY } from '../../lambdas/core/time';
import type { PipelineAccess } from '../pipeline-access';
import { type LoadedSequences, listManifestSequences, readBatchManifest } from '../pipeline-listing';
import { ObjectObservations } from './fact-history';
import { DIMENSION_MEASURES, type DimensionMeasure, type FactMeasure, factMeasureOf, isFactTable, versionKey } from './measures';

/** The fact columns holding a row's `last_updated` (day number, milliseconds of the day). */
const LAST_UPDATED_DATE = 'last_updated_date';
const LAST_UPDATED_TIME = 'last_updated_time';

export interface BatchFigures {
  readonly sequence: number;
  readonly loaded: boolean;
  /** Undefined when the manifest could not be read (see `problems`). */
  readonly manifest?: BatchManifest;
  /** The fact file's rows and money sums, for a fact table's batch. */
  readonly factRows?: number;
  readonly factMoney?: readonly bigint[];
  readonly problems: readonly string[];
}

export interface ParquetVersion {
  readonly money: readonly bigint[];
  /** The first batch holding this version: a loaded one if any is loaded. */
  batch: number;
  /** Whether a loaded batch holds it (the warehouse must then have it). */
  loaded: boolean;
  /** Set while reading the warehouse. */
  inWarehouse?: boolean;
}

export interface ParquetDimensionId {
  /** The newest source_version over loaded batches ('' for dim_date and when none is loaded). */
  loadedVersion: string;
  loaded: boolean;
}

export interface ParquetFigures {
  readonly batches: Map<SourceTableName, readonly BatchFigures[]>;
  readonly factVersions: Map<FactTableName, Map<string, ParquetVersion>>;
  readonly dimensionIds: Map<DimensionTableName, Map<string, ParquetDimensionId>>;
}

export async function readParquetSide(
  access: PipelineAccess,
  sourceTables: readonly SourceTableName[],
  loaded: ReadonlyMap<SourceTableName, LoadedSequences>,
): Promise<ParquetFigures> {
  const figures: ParquetFigures = {
    batches: new Map(),
    factVersions: new Map(),
    dimensionIds: new Map(DIMENSION_MEASURES.map((measure) => [measure.table, new Map()])),
  };
  for (const table of sourceTables) {
    const batches: BatchFigures[] = [];
    for (const sequence of await listManifestSequences(access, table)) {
      batches.push(await readBatch(access, table, sequence, loaded.get(table)?.has(sequence) ?? false, figures));
    }
    figures.batches.set(table, batches);
  }
  return figures;
}

async function readBatch(
  access: PipelineAccess,
  table: SourceTableName,
  sequence: number,
  isLoaded: boolean,
  figures: ParquetFigures,
): Promise<BatchFigures> {
  const problems: string[] = [];
  let manifest: BatchManifest | undefined;
  try {
    manifest = await readBatchManifest(access, table, sequence);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!manifest) return { sequence, loaded: isLoaded, problems };
  let factRows: number | undefined;
  let factMoney: bigint[] | undefined;
  for (const file of manifest.files) {
    const bytes = await access.processed.getBytes(file.key);
    if (bytes === undefined) {
      problems.push(`file ${file.key} (${file.table}) is missing`);
      continue;
    }
    let columns: ReadonlyMap<string, CellValue[]>;
    let rowCount: number;
    try {
      ({ columns, rowCount } = await readParquetColumns(bytes));
    } catch (error) {
      problems.push(`file ${file.key} is not readable Parquet: ${(error as Error).message}`);
      continue;
    }
    if (rowCount !== file.rows) problems.push(`file ${file.key} holds ${rowCount} rows; the manifest says ${file.rows}`);
    if (isFactTable(file.table)) {
      const measure = factMeasureOf(file.table);
      factRows = rowCount;
      factMoney = addFactVersions(figures, measure, columns, rowCount, sequence, isLoaded);
    } else {
      const measure = DIMENSION_MEASURES.find((m) => m.table === file.table)!;
      addDimensionIds(figures.dimensionIds.get(measure.table)!, measure, columns, rowCount, isLoaded);
    }
  }
  return { sequence, loaded: isLoaded, manifest, factRows, factMoney, problems };
}

function addFactVersions(
  figures: ParquetFigures,
  measure: FactMeasure,
  columns: ReadonlyMap<string, CellValue[]>,
  rowCount: number,
  sequence: number,
  isLoaded: boolean,
): bigint[] {
  let versions = figures.factVersions.get(measure.table);
  if (!versions) figures.factVersions.set(measure.table, (versions = new Map()));
  const ids = columns.get(measure.naturalKey)!;
  const hashes = columns.get(VERSION_HASH_COLUMN)!;
  const money = measure.money.map((column) => columns.get(column.name)!);
  const days = columns.get(LAST_UPDATED_DATE)!;
  const times = columns.get(LAST_UPDATED_TIME)!;
  const sums = measure.money.map(() => 0n);
  const moneyOf = new Map<string, bigint[]>();
  // The batch holds every line; the loader keeps one state per id (fact-history.ts), in file order.
  const observations = new ObjectObservations();
  for (let row = 0; row < rowCount; row++) {
    const values = money.map((column) => column[row] as bigint);
    values.forEach((value, index) => (sums[index]! += value));
    moneyOf.set(versionKey(ids[row] as number, hashes[row] as string), values);
    observations.offer(ids[row] as number, hashes[row] as string, Number(days[row]) * MS_PER_DAY + Number(times[row]));
  }
  for (const [id, hash] of observations.entries()) {
    const key = versionKey(id, hash);
    const values = moneyOf.get(key)!;
    const held = versions.get(key);
    if (!held) versions.set(key, { money: values, batch: sequence, loaded: isLoaded });
    else if (isLoaded && !held.loaded) {
      held.loaded = true;
      held.batch = sequence;
    }
  }
  return sums;
}

function addDimensionIds(
  ids: Map<string, ParquetDimensionId>,
  measure: DimensionMeasure,
  columns: ReadonlyMap<string, CellValue[]>,
  rowCount: number,
  isLoaded: boolean,
): void {
  const keys = columns.get(measure.primaryKey)!;
  const versions = measure.versioned ? columns.get(SOURCE_VERSION_COLUMN)! : undefined;
  for (let row = 0; row < rowCount; row++) {
    const id = dimensionIdText(keys[row]!, measure);
    // Batches transformed before versions put the sequence first hold the old format;
    // the warehouse holds them upgraded (migration 3), so compare them upgraded.
    const stored = isLoaded && versions ? String(versions[row]) : '';
    const version = upgradeVersion(stored) ?? stored;
    const held = ids.get(id);
    if (!held) ids.set(id, { loadedVersion: version, loaded: isLoaded });
    else {
      held.loaded ||= isLoaded;
      if (version > held.loadedVersion) held.loadedVersion = version;
    }
  }
}

/** Ids as the warehouse prints them: dim_date's day numbers as `YYYY-MM-DD`. */
function dimensionIdText(value: CellValue, measure: DimensionMeasure): string {
  if (measure.table === 'dim_date') return isoDate(Number(value));
  return String(value);
}

export function describeBatch(table: SourceTableName, sequence: number): string {
  return `batch ${batchId(table, sequence)}`;
}
