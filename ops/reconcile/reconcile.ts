/**
 * `reconcile`: rows and money, source objects ↔ Parquet ↔ warehouse, with every
 * difference listed.
 *
 * - Source ↔ Parquet, per ingestion object and its batch: the object is transformed, from
 *   this very object (ETag), and its lines, rejected rows, fact rows and money sums match
 *   the batch's manifest and fact file.
 * - Parquet ↔ warehouse, over the batches the ledger holds as loaded: every distinct fact
 *   version `(natural id, version_hash)` is in the warehouse with the same money, and no
 *   other; every dimension id is there, at the newest version loaded. Batches not loaded
 *   yet are pending, not differences (see `status` for lag).
 * - Source ↔ dimensions: every id ingested for a dimension is in some batch's dimension
 *   file; one that is not never reached the warehouse (see dimension-coverage.ts).
 *
 * - Fact history, per id, over the loaded batches: the warehouse's rows in `source_sequence`
 *   order must be the history the ingestion objects make by the loader's rule (CONTRACT.md §5,
 *   fact-history.ts): same versions, same sequences. Checked for ids whose versions
 *   matched above (a missing or unknown version is reported once, there).
 *
 * Totals per fact are counted over distinct versions: an identical row ingested twice is
 * one version (a row that went A → B → A has two versions and three warehouse rows), and
 * an id repeated in one object counts only the state the loader keeps (fact-history.ts).
 * Money is summed exactly (bigint cents).
 */
import type { DatabaseClient } from '../../lambdas/core/load';
import { type DimensionTableName, type FactTableName, SOURCE_TABLE_NAMES, type SourceTableName } from '../../lambdas/core/schema';
import { CONTROL_TABLES } from '../../lambdas/core/warehouse';
import { formatUnscaled, parseUnscaled } from '../../lambdas/core/money';
import { readJoinWaits } from '../join-waits';
import type { PipelineAccess } from '../pipeline-access';
import { readLoadedSequences } from '../pipeline-listing';
import { describeIdNotReached, idsNotReached, versionsNotReached } from './dimension-coverage';
import { type HistoryEntry, describeHistory, sameHistory } from './fact-history';
import { DIMENSION_MEASURES, FACT_MEASURES, type FactMeasure, versionKey } from './measures';
import { type BatchFigures, type ParquetFigures, type ParquetVersion, describeBatch, readParquetSide } from './parquet-figures';
import { type SourceTableFigures, readSourceTable } from './source-figures';
import { WarehouseSnapshot } from './warehouse-reader';

interface Difference {
  readonly table: string;
  /** The object, batch or row group concerned. */
  readonly where: string;
  readonly problem: string;
}

interface FactReconciliation {
  readonly table: FactTableName;
  readonly source: SourceTableName;
  readonly moneyColumns: readonly string[];
  readonly sourceObjects: {
    readonly objects: number;
    readonly rowsIn: number;
    readonly rowsRejected: number;
    readonly versions: number;
    readonly money: readonly string[];
  };
  readonly parquet: { readonly batches: number; readonly rows: number; readonly versions: number; readonly money: readonly string[] };
  /** What the warehouse must hold: the versions in loaded batches. */
  readonly loaded: { readonly batches: number; readonly versions: number; readonly money: readonly string[] };
  readonly warehouse: { readonly rows: number; readonly money: readonly string[] };
  /** Why the history was not compared, when it was not (the objects of some loaded batches are gone). */
  readonly historyNotChecked?: string;
}

interface DimensionReconciliation {
  readonly table: DimensionTableName;
  readonly source: SourceTableName | null;
  /** Distinct ids in the source objects of `source`; null for dim_date. */
  readonly sourceIds: number | null;
  readonly parquetIds: number;
  readonly loadedIds: number;
  readonly warehouseRows: number;
  readonly placeholders: number;
  /** Source ids in no batch's file of this dimension: they never reached it. Null for dim_date. */
  readonly sourceIdsNotReached: number | null;
}

export interface Reconciliation {
  readonly takenAt: string;
  readonly warehouseInitialised: boolean;
  /** Committed batches the ledger does not hold yet (excluded from Parquet ↔ warehouse). */
  readonly pendingBatches: number;
  readonly facts: readonly FactReconciliation[];
  readonly dimensions: readonly DimensionReconciliation[];
  readonly differences: readonly Difference[];
}

export interface ReconcileOptions {
  readonly now?: () => number;
  readonly progress?: (message: string) => void;
}

export async function reconcile(access: PipelineAccess, options: ReconcileOptions = {}): Promise<Reconciliation> {
  const progress = options.progress ?? (() => {});
  const takenAt = new Date((options.now ?? Date.now)()).toISOString();
  const client = await access.connect();
  try {
    const snapshot = await WarehouseSnapshot.open(client, access.schemas);
    try {
      return await reconcileIn(access, client, snapshot, takenAt, progress);
    } finally {
      await snapshot.close();
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function reconcileIn(
  access: PipelineAccess,
  client: DatabaseClient,
  snapshot: WarehouseSnapshot,
  takenAt: string,
  progress: (message: string) => void,
): Promise<Reconciliation> {
  const differences = new DifferenceList();
  const { initialised, loaded } = await readLoadedSequences(client, access);

  const sources = new Map<SourceTableName, SourceTableFigures>();
  for (const table of SOURCE_TABLE_NAMES) {
    progress(`reading the ingestion objects of ${table}`);
    sources.set(
      table,
      await readSourceTable(
        access,
        table,
        FACT_MEASURES.find((m) => m.source === table),
        loaded.get(table),
      ),
    );
  }
  progress('reading the processed batches');
  const parquet = await readParquetSide(access, SOURCE_TABLE_NAMES, loaded);
  for (const table of SOURCE_TABLE_NAMES) compareObjectsWithBatches(sources.get(table)!, parquet.batches.get(table)!, differences);

  let warehouseReadable = initialised;
  for (const measure of [...FACT_MEASURES, ...DIMENSION_MEASURES]) {
    if (warehouseReadable) warehouseReadable = await snapshot.tableExists(measure.table);
  }
  if (initialised && !warehouseReadable) {
    differences.add('warehouse', `${CONTROL_TABLES.loadedBatch}`, 'the ledger exists but star-schema tables are missing');
  }

  const facts: FactReconciliation[] = [];
  for (const measure of FACT_MEASURES) {
    progress(`reading ${measure.table}`);
    const loadedSequences = [...(parquet.batches.get(measure.source) ?? [])].filter((batch) => batch.loaded).map((batch) => batch.sequence);
    facts.push(
      await reconcileFact(
        measure,
        sources.get(measure.source)!,
        parquet,
        loadedSequences,
        warehouseReadable ? snapshot : undefined,
        differences,
      ),
    );
  }
  const joinWaits = await readJoinWaits(access);
  const dimensions: DimensionReconciliation[] = [];
  for (const measure of DIMENSION_MEASURES) {
    progress(`reading ${measure.table}`);
    const ids = parquet.dimensionIds.get(measure.table)!;
    const notReached = measure.source ? idsNotReached(measure, sources.get(measure.source)!.ids, ids, joinWaits) : [];
    for (const missing of notReached) {
      differences.group(
        measure.table,
        `${measure.source} ids ingested that never reached the dimension (no batch holds them)`,
        describeIdNotReached(measure, missing),
      );
    }
    for (const held of versionsNotReached(measure, ids, joinWaits)) {
      differences.group(
        measure.table,
        `${measure.source} rows whose newest version never reached the dimension (it keeps the previous one)`,
        describeIdNotReached(measure, held),
      );
    }
    let warehouseRows = 0;
    let placeholders = 0;
    const seen = new Set<string>();
    if (warehouseReadable) {
      await snapshot.forEachDimension(measure, (row) => {
        warehouseRows++;
        seen.add(row.id);
        const expected = ids.get(row.id);
        if (expected?.loaded) {
          if (measure.versioned && row.version !== expected.loadedVersion) {
            differences.group(
              measure.table,
              row.placeholder ? 'still placeholders although their rows were loaded' : 'rows not at the newest version loaded',
              row.id,
            );
          }
        } else if (row.placeholder) {
          placeholders++;
        } else if (measure.table !== 'dim_date') {
          // dim_date rows the loader derived for dates a batch did not carry are expected extras.
          differences.group(measure.table, 'rows in the warehouse that no loaded batch holds', row.id);
        }
      });
    }
    for (const [id, expected] of ids) {
      if (expected.loaded && !seen.has(id)) differences.group(measure.table, 'rows of loaded batches missing from the warehouse', id);
    }
    dimensions.push({
      table: measure.table,
      source: measure.source ?? null,
      sourceIds: measure.source ? sources.get(measure.source)!.ids.size : null,
      parquetIds: ids.size,
      loadedIds: [...ids.values()].filter((id) => id.loaded).length,
      warehouseRows,
      placeholders,
      sourceIdsNotReached: measure.source ? notReached.length : null,
    });
  }

  let pendingBatches = 0;
  for (const batches of parquet.batches.values()) pendingBatches += batches.filter((batch) => !batch.loaded).length;
  return { takenAt, warehouseInitialised: initialised, pendingBatches, facts, dimensions, differences: differences.list() };
}

function compareObjectsWithBatches(source: SourceTableFigures, batches: readonly BatchFigures[], differences: DifferenceList): void {
  const { table } = source;
  const bySequence = new Map(batches.map((batch) => [batch.sequence, batch]));
  const fact = FACT_MEASURES.find((measure) => measure.source === table);
  for (const figures of source.objects) {
    const { object } = figures;
    const batch = bySequence.get(object.sequence);
    const add = (problem: string) => differences.add(table, object.key, problem);
    if (!batch) {
      add(`not transformed${figures.badObject ? ` (${figures.badObject})` : ''}; see the transform log or DLQ, then replay it`);
      continue;
    }
    const { manifest } = batch;
    if (!manifest) continue; // reported with the batch's problems below
    if (manifest.sourceKey !== object.key) {
      add(`its sequence's batch was built from another object, ${manifest.sourceKey}`);
      continue;
    }
    if (object.etag !== undefined && manifest.sourceETag !== undefined && object.etag !== manifest.sourceETag) {
      add('the object changed since its batch was built (ETag differs); replay it');
      continue;
    }
    if (figures.badObject) {
      add(`unreadable now although its batch exists: ${figures.badObject}`);
      continue;
    }
    if (figures.rowsIn !== manifest.rowsIn) add(`${figures.rowsIn} data lines; the batch counted ${manifest.rowsIn}`);
    if (figures.rowsRejected !== manifest.rowsRejected)
      add(`${figures.rowsRejected} rejected rows; the batch recorded ${manifest.rowsRejected}`);
    if (fact) {
      const valid = figures.rowsIn - figures.rowsRejected;
      const rows = batch.factRows ?? 0;
      if (rows !== valid) add(`${valid} valid rows; the batch's ${fact.table} file holds ${rows}`);
      fact.money.forEach((column, index) => {
        const inSource = figures.money[index]!;
        const inParquet = batch.factMoney?.[index] ?? 0n;
        if (inSource !== inParquet) {
          add(
            `${column.name} sums to ${formatUnscaled(inSource, column.scale)}; the batch's file to ${formatUnscaled(inParquet, column.scale)}`,
          );
        }
      });
    }
  }
  for (const batch of batches) {
    for (const problem of batch.problems) differences.add(table, describeBatch(table, batch.sequence), problem);
  }
}

async function reconcileFact(
  measure: FactMeasure,
  source: SourceTableFigures,
  parquet: ParquetFigures,
  loadedSequences: readonly number[],
  snapshot: WarehouseSnapshot | undefined,
  differences: DifferenceList,
): Promise<FactReconciliation> {
  const versions: ReadonlyMap<string, ParquetVersion> = parquet.factVersions.get(measure.table) ?? new Map();
  const batches = parquet.batches.get(measure.source) ?? [];
  const zero = () => measure.money.map(() => 0n);
  const format = (sums: readonly bigint[]) => sums.map((sum, index) => formatUnscaled(sum, measure.money[index]!.scale));

  const parquetMoney = zero();
  const loadedMoney = zero();
  let loadedVersions = 0;
  for (const version of versions.values()) {
    version.money.forEach((value, index) => (parquetMoney[index]! += value));
    if (version.loaded) {
      loadedVersions++;
      version.money.forEach((value, index) => (loadedMoney[index]! += value));
    }
  }

  const warehouseMoney = zero();
  let warehouseRows = 0;
  // Per id, the warehouse's rows in sequence order; ids whose versions already differ are not compared again.
  const warehouseHistory = new Map<number, HistoryEntry[]>();
  const versionsDiffer = new Set<number>();
  await snapshot?.forEachFact(measure, (row) => {
    warehouseRows++;
    const rows = warehouseHistory.get(row.id);
    if (rows) rows.push({ sequence: row.sequence, hash: row.hash });
    else warehouseHistory.set(row.id, [{ sequence: row.sequence, hash: row.hash }]);
    const money = row.money.map((text, index) => parseUnscaled(text, measure.money[index]!.scale));
    money.forEach((value, index) => (warehouseMoney[index]! += value));
    const expected = versions.get(versionKey(row.id, row.hash));
    if (expected) expected.inWarehouse = true;
    if (!expected?.loaded) {
      versionsDiffer.add(row.id);
      differences.group(
        measure.table,
        `versions in the warehouse (${row.batch}) that no loaded batch holds`,
        `${measure.naturalKey} ${row.id}`,
      );
      return;
    }
    measure.money.forEach((column, index) => {
      if (money[index] !== expected.money[index]) {
        differences.group(
          measure.table,
          `${column.name} differs from the batch's value`,
          `${measure.naturalKey} ${row.id}: ${row.money[index]} vs ${formatUnscaled(expected.money[index]!, column.scale)}`,
        );
      }
    });
  });
  for (const [key, version] of versions) {
    if (version.loaded && !version.inWarehouse) {
      versionsDiffer.add(Number(key.split('\t')[0]));
      differences.group(
        measure.table,
        `versions of loaded ${describeBatch(measure.source, version.batch)} missing from the warehouse`,
        `${measure.naturalKey} ${key.split('\t')[0]}`,
      );
    }
  }

  const historyNotChecked = snapshot
    ? compareHistories(measure, source, loadedSequences, warehouseHistory, versionsDiffer, differences)
    : undefined;

  return {
    table: measure.table,
    source: measure.source,
    moneyColumns: measure.money.map((column) => column.name),
    sourceObjects: {
      objects: source.objects.length,
      rowsIn: source.objects.reduce((sum, o) => sum + o.rowsIn, 0),
      rowsRejected: source.objects.reduce((sum, o) => sum + o.rowsRejected, 0),
      versions: source.versions.size,
      money: format(source.versionMoney),
    },
    parquet: {
      batches: batches.length,
      rows: batches.reduce((sum, batch) => sum + (batch.factRows ?? 0), 0),
      versions: versions.size,
      money: format(parquetMoney),
    },
    loaded: { batches: batches.filter((batch) => batch.loaded).length, versions: loadedVersions, money: format(loadedMoney) },
    warehouse: { rows: warehouseRows, money: format(warehouseMoney) },
    ...(historyNotChecked ? { historyNotChecked } : {}),
  };
}

/**
 * Each id's warehouse rows against the history its loaded objects make. Returns why it
 * could not compare, when a loaded batch's object is gone (expired, say): the history
 * would then be missing observations the loader saw.
 */
function compareHistories(
  measure: FactMeasure,
  source: SourceTableFigures,
  loadedSequences: readonly number[],
  warehouse: ReadonlyMap<number, readonly HistoryEntry[]>,
  versionsDiffer: ReadonlySet<number>,
  differences: DifferenceList,
): string | undefined {
  const gone = loadedSequences.filter((sequence) => !source.historySequences.has(sequence));
  if (gone.length > 0) {
    return `not compared: no readable ingestion object for loaded ${gone.length === 1 ? 'batch' : 'batches'} ${gone
      .slice(0, 5)
      .map((s) => describeBatch(measure.source, s).replace('batch ', ''))
      .join(', ')}${gone.length > 5 ? ', …' : ''}`;
  }
  const ids = new Set([...source.history.ids(), ...warehouse.keys()]);
  for (const id of ids) {
    if (versionsDiffer.has(id)) continue;
    const expected = source.history.of(id);
    const actual = warehouse.get(id) ?? [];
    if (!sameHistory(actual, expected)) {
      differences.group(
        measure.table,
        "history differs from the source's sequence of changes (warehouse vs source, as sequence:version_hash)",
        `${measure.naturalKey} ${id}: ${describeHistory(actual)} vs ${describeHistory(expected)}`,
      );
    }
  }
  return undefined;
}

/** Differences, with row-level ones grouped (count and a few examples) so a big gap stays readable. */
class DifferenceList {
  private readonly single: Difference[] = [];
  private readonly groups = new Map<string, { table: string; problem: string; count: number; examples: string[] }>();

  add(table: string, where: string, problem: string): void {
    this.single.push({ table, where, problem });
  }

  group(table: string, problem: string, example: string): void {
    const key = `${table}\u0000${problem}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { table, problem, count: 0, examples: [] }));
    group.count++;
    if (group.examples.length < 5) group.examples.push(example);
  }

  list(): Difference[] {
    return [
      ...this.single,
      ...[...this.groups.values()].map(({ table, problem, count, examples }) => ({
        table,
        where: `${count} row${count === 1 ? '' : 's'}`,
        problem: `${problem}: ${examples.join('; ')}${count > examples.length ? '; …' : ''}`,
      })),
    ];
  }
}
