/**
 * Turns the validated rows of one source table into warehouse rows in a BatchOutput:
 * facts with their version hash and the dates they reference; dimensions with their
 * source version, through join state where the dimension joins two tables.
 *
 * A row comes as an object (`accept`) or as its values in the source table's column
 * order (`acceptValues`, what the transform uses). Facts, and dimensions that join nothing
 * and keep no state (currency, design, payment_type, transaction: a transaction object can
 * hold over a million rows), are remodelled from values, so such a row goes from the
 * parser's array to the output without becoming an object; the joined tables' rows (small
 * tables, kept in join state as objects) become objects.
 */
import type { SourceRow } from '../objects/types';
import type { DirectRows, WriterValue } from '../parquet/writer';
import type { Log } from '../ports';
import type { CellValue } from '../schema/column-types';
import { SOURCE_TABLES, type SourceTableDefinition, type SourceTableName } from '../schema/source-tables';
import { VERSION_HASH_COLUMN } from '../schema/warehouse-tables';
import type { BatchOutput, FactWriter } from './batch-output';
import { currencyName } from './currency-names';
import type { StateEntry, TableState } from './join-state';
import {
  DIMENSION_REMODELS,
  type DimensionRemodel,
  FACT_REMODELS,
  type FactRemodel,
  JOIN_REMODELS,
  type JoinRemodel,
  isFactSource,
  timestampOf,
} from './remodels';
import type { SourceValues } from './projection';
import { joinedVersion, rowVersion } from './versions';

export interface RemodelContext {
  readonly sourceKey: string;
  readonly sequence: number;
  readonly output: BatchOutput;
  /** Join state of the tables `stateTablesFor(table)` names, loaded. */
  readonly state: ReadonlyMap<SourceTableName, TableState>;
  readonly log: Log;
}

interface RemodelStats {
  /** Rows older than the version already in join state: not re-emitted. */
  readonly olderThanState: number;
  /** Rows kept in state until their join partner arrives. */
  readonly waitingForPartner: number;
}

export interface Remodeller {
  accept(row: SourceRow): void;
  /** The row as its values in the source table's column order; the array may be reused once this returns. */
  acceptValues(values: SourceValues): void;
  stats(): RemodelStats;
}

export function createRemodeller(table: SourceTableName, context: RemodelContext): Remodeller {
  return isFactSource(table) ? new FactRemodeller(FACT_REMODELS[table], context) : new DimensionRemodeller(table, context);
}

class FactRemodeller implements Remodeller {
  private readonly hashIndex: number;
  private readonly dateIndexes: number[];

  private readonly parts: SourceValues[] = [];
  private readonly values: CellValue[];
  private readonly hash = new Uint8Array(32);
  private readonly sourceColumns: readonly string[];
  /** Per date column, the day last added: consecutive rows mostly repeat it, and a set lookup is not free. */
  private readonly lastDays: number[];
  private writer: FactWriter | undefined;
  /** Where `writeRow` writes, once the writer is fetched. */
  private direct: DirectRows | undefined;
  /** The day numbers of a row `writeRow` wrote, by date column. */
  private readonly days: Int32Array;

  constructor(
    private readonly remodel: FactRemodel,
    private readonly context: RemodelContext,
  ) {
    const { projection } = remodel;
    this.values = new Array<CellValue>(projection.target.columns.length).fill(null);
    this.sourceColumns = SOURCE_TABLES[remodel.source].columns.map((column) => column.name);
    this.hashIndex = projection.indexOf(VERSION_HASH_COLUMN);
    this.dateIndexes = projection.target.columns.flatMap((column, index) => (column.references === 'dim_date' ? [index] : []));
    this.lastDays = this.dateIndexes.map(() => Number.NaN);
    this.days = new Int32Array(this.dateIndexes.length);
  }

  accept(row: SourceRow): void {
    this.acceptValues(this.sourceColumns.map((name) => row[name] ?? null));
  }

  acceptValues(row: SourceValues): void {
    const { projection, target, writeRow, hashInto } = this.remodel;
    this.writer ??= this.context.output.factWriter(target);
    // The compiled row step when the row's values are in their common form, else the general path.
    if (writeRow?.(row, (this.direct ??= this.writer.directRows()), this.days)) {
      const days = this.days;
      for (let k = 0; k < days.length; k++) this.addDay(k, days[k]!);
      return;
    }
    // One parts array and one values array for every row: the writer copies the values out.
    const parts = this.parts;
    const values = this.values;
    parts[0] = row;
    projection.projectValuesInto(parts, values);
    hashInto(values, this.hash);
    // The hash goes to the writer as its ASCII bytes (copied there), never as a string;
    // then the slot is a CellValue again.
    const factRow: WriterValue[] = values;
    factRow[this.hashIndex] = this.hash;
    this.writer.append(factRow);
    factRow[this.hashIndex] = null;
    const dateIndexes = this.dateIndexes;
    for (let k = 0; k < dateIndexes.length; k++) {
      const days = values[dateIndexes[k]!];
      if (typeof days === 'number') this.addDay(k, days);
    }
  }

  /** Consecutive rows mostly repeat a date column's day, and a set lookup is not free. */
  private addDay(k: number, days: number): void {
    if (days !== this.lastDays[k]) {
      this.lastDays[k] = days;
      this.context.output.addDate(days);
    }
  }

  stats(): RemodelStats {
    return { olderThanState: 0, waitingForPartner: 0 };
  }
}

class DimensionRemodeller implements Remodeller {
  private readonly primaryKey: string;
  private readonly ownState: TableState | undefined;
  private readonly asLeft: JoinRemodel[];
  private readonly asRight: JoinRemodel[];
  /** Per join where this table is the right side: left rows by foreign key, built on first use. */
  private readonly leftIndexes = new Map<JoinRemodel, Map<unknown, StateEntry[]>>();
  private olderThanState = 0;
  private readonly waiting = new Set<number>();
  private readonly columns: SourceTableDefinition['columns'];
  /** The remodel of a table that joins nothing and keeps no state: its rows are remodelled from values. */
  private readonly standalone: DimensionRemodel | undefined;
  /** Reused for every row on the standalone path (the output copies the values out). */
  private readonly parts: SourceValues[] = [];
  private readonly projected: CellValue[];
  private readonly idIndex: number;
  private readonly lastUpdatedIndex: number;
  private readonly currencyCodeIndex: number;

  constructor(
    private readonly table: SourceTableName,
    private readonly context: RemodelContext,
  ) {
    this.primaryKey = SOURCE_TABLES[table].primaryKey;
    this.columns = SOURCE_TABLES[table].columns;
    this.ownState = context.state.get(table);
    this.asLeft = JOIN_REMODELS.filter((join) => join.left === table);
    this.asRight = JOIN_REMODELS.filter((join) => join.right === table);
    const remodel = DIMENSION_REMODELS[table];
    this.standalone = remodel && !this.ownState && this.asLeft.length === 0 && this.asRight.length === 0 ? remodel : undefined;
    this.projected = new Array<CellValue>(remodel?.projection.target.columns.length ?? 0).fill(null);
    const indexOf = (name: string) => this.columns.findIndex((column) => column.name === name);
    this.idIndex = indexOf(this.primaryKey);
    this.lastUpdatedIndex = indexOf('last_updated');
    this.currencyCodeIndex = indexOf('currency_code');
  }

  accept(row: SourceRow): void {
    const id = row[this.primaryKey] as number;
    const version = rowVersion(timestampOf(row, 'last_updated'), this.context.sequence);
    if (this.ownState && !this.ownState.offer(id, version, row)) {
      this.olderThanState++;
      return;
    }
    this.emitOwn(id, row);
    const entry: StateEntry = { version, row };
    for (const join of this.asLeft) {
      const partner = this.stateOf(join.right).get(row[join.foreignKey] as number);
      if (partner) {
        this.emitJoined(join, entry, partner);
        this.waiting.delete(id);
      } else {
        this.waiting.add(id);
      }
    }
    for (const join of this.asRight) {
      for (const left of this.leftIndex(join).get(id) ?? []) this.emitJoined(join, left, entry);
    }
  }

  acceptValues(values: SourceValues): void {
    if (this.standalone) {
      this.emitOwnValues(this.standalone, values);
      return;
    }
    // Joined tables are small and join state keeps rows as objects: one per row is cheap here.
    this.accept(Object.fromEntries(this.columns.map((column, index) => [column.name, values[index] ?? null])));
  }

  stats(): RemodelStats {
    return { olderThanState: this.olderThanState, waitingForPartner: this.waiting.size };
  }

  private emitOwn(id: number, row: SourceRow): void {
    const remodel = DIMENSION_REMODELS[this.table];
    if (!remodel) return;
    const values = remodel.projection.project([row]);
    if (remodel.target === 'dim_currency') this.warnOnUnknownCurrency(id, row.currency_code as string);
    this.context.output.putSourceDimension(remodel.target, id, this.context.sequence, timestampOf(row, 'last_updated'), values);
  }

  /** As `emitOwn`, from the row's values: no object, no version text (the output makes it when writing). */
  private emitOwnValues(remodel: DimensionRemodel, values: SourceValues): void {
    this.parts[0] = values;
    remodel.projection.projectValuesInto(this.parts, this.projected);
    const id = values[this.idIndex] as number;
    if (remodel.target === 'dim_currency') this.warnOnUnknownCurrency(id, values[this.currencyCodeIndex] as string);
    const lastUpdatedMs = values[this.lastUpdatedIndex] as number;
    this.context.output.putSourceDimension(remodel.target, id, this.context.sequence, lastUpdatedMs, this.projected);
  }

  private emitJoined(join: JoinRemodel, left: StateEntry, right: StateEntry): void {
    const values = join.projection.project([left.row, right.row]);
    const version = joinedVersion(left.version, right.version);
    const leftId = left.row[SOURCE_TABLES[join.left].primaryKey] as number;
    this.context.output.putDimension(join.target, leftId, version, values);
  }

  private leftIndex(join: JoinRemodel): Map<unknown, StateEntry[]> {
    let index = this.leftIndexes.get(join);
    if (!index) {
      index = new Map();
      for (const [, entry] of this.stateOf(join.left).entriesById()) {
        const key = entry.row[join.foreignKey];
        const list = index.get(key);
        if (list) list.push(entry);
        else index.set(key, [entry]);
      }
      this.leftIndexes.set(join, index);
    }
    return index;
  }

  private stateOf(table: SourceTableName): TableState {
    const state = this.context.state.get(table);
    if (!state) throw new Error(`join state of ${table} was not loaded for a ${this.table} object`);
    return state;
  }

  private warnOnUnknownCurrency(id: number, code: string): void {
    if (!currencyName(code).known) {
      this.context.log.warn('unknown currency code: currency_name keeps the code', {
        sourceKey: this.context.sourceKey,
        currencyId: id,
        currencyCode: code,
      });
    }
  }
}
