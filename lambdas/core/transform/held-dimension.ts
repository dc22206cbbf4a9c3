/**
 * One dimension table's rows in a batch, held until its Parquet file is written. A file
 * carries one row per id: the newest version, and of equal versions the later row (as if
 * each row replaced the held one unless that one is newer). A transaction object can hold
 * over a million rows, so nothing here is an object per row: the values are kept column
 * by column (plain arrays: integers stay unboxed, strings are the parser's own), ids and
 * versions in typed arrays; the newest row per id is chosen when the file is written, by
 * sorting row numbers by id.
 *
 * A version comes one of two ways, fixed per table by its first row: a source row's
 * (`putSourceRow`: the ingestion sequence and `last_updated`, turned into its text only
 * when compared or written) or any other, as its text (`putVersioned`: joined rows).
 */
import type { CellValue } from '../schema/column-types';
import { SOURCE_VERSION_COLUMN, type WarehouseTableDefinition } from '../schema/warehouse-tables';
import { rowVersion } from './versions';

export class HeldDimension {
  /** Per column, the value of each row; the source_version column's stays empty (written from the version). */
  private readonly columns: CellValue[][];
  private readonly versionIndex: number;
  /** Float64: an id is any number the caller gives, not only an int32. */
  private readonly ids = new Float64Column();
  private readonly sequences = new Float64Column();
  private readonly lastUpdated = new Float64Column();
  private readonly versionTexts: string[] = [];
  private versionKind: 'source' | 'text' | undefined;
  /** The rows the file carries, in id order; undefined after a put. */
  private chosen: Uint32Array | undefined;

  constructor(readonly table: WarehouseTableDefinition) {
    this.columns = table.columns.map(() => []);
    this.versionIndex = table.columns.findIndex((column) => column.name === SOURCE_VERSION_COLUMN);
    if (this.versionIndex < 0) throw new Error(`${table.name} has no ${SOURCE_VERSION_COLUMN} column`);
  }

  /** A row of one source row, version `rowVersion(lastUpdatedMs, sequence)`; the values are copied. */
  putSourceRow(id: number, sequence: number, lastUpdatedMs: number, values: readonly CellValue[]): void {
    this.useVersions('source');
    this.sequences.push(sequence);
    this.lastUpdated.push(lastUpdatedMs);
    this.putValues(id, values);
  }

  /** A row with its version as text; the values are copied. */
  putVersioned(id: number, version: string, values: readonly CellValue[]): void {
    this.useVersions('text');
    this.versionTexts.push(version);
    this.putValues(id, values);
  }

  /** Rows the file will carry (one per id). */
  get rowCount(): number {
    return this.chosenRows().length;
  }

  /** Calls `write` with each chosen row in id order, source_version filled in; the array is reused. */
  forEachRow(write: (values: readonly CellValue[]) => void): void {
    const row = new Array<CellValue>(this.columns.length).fill(null);
    for (const at of this.chosenRows()) {
      for (let column = 0; column < this.columns.length; column++) {
        row[column] = column === this.versionIndex ? this.versionAt(at) : this.columns[column]![at]!;
      }
      write(row);
    }
  }

  private useVersions(kind: 'source' | 'text'): void {
    this.versionKind ??= kind;
    if (this.versionKind !== kind) {
      throw new Error(`${this.table.name} was given both source-row and text versions: one kind per table`);
    }
  }

  private putValues(id: number, values: readonly CellValue[]): void {
    this.ids.push(id);
    for (let column = 0; column < this.columns.length; column++) {
      if (column !== this.versionIndex) this.columns[column]!.push(values[column] ?? null);
    }
    this.chosen = undefined;
  }

  private versionAt(at: number): string {
    return this.versionKind === 'text' ? this.versionTexts[at]! : rowVersion(this.lastUpdated.at(at), this.sequences.at(at));
  }

  private chosenRows(): Uint32Array {
    this.chosen ??= this.choose();
    return this.chosen;
  }

  /** Row numbers sorted by id (then arrival); of each id's rows, the newest version, ties to the later row. */
  private choose(): Uint32Array {
    const count = this.ids.length;
    const ids = this.ids.view();
    const order = new Uint32Array(count);
    let ascending = true;
    for (let at = 0; at < count; at++) {
      order[at] = at;
      if (at > 0 && ids[at - 1]! >= ids[at]!) ascending = false;
    }
    // Source objects usually come in id order with one row per id: nothing to sort or choose.
    if (ascending) return order;
    order.sort((a, b) => ids[a]! - ids[b]! || a - b);
    let kept = 0;
    for (let start = 0; start < count; ) {
      let best = order[start]!;
      let next = start + 1;
      if (next < count && ids[order[next]!] === ids[best]) {
        let bestVersion = this.versionAt(best);
        for (; next < count && ids[order[next]!] === ids[best]; next++) {
          const version = this.versionAt(order[next]!);
          if (bestVersion > version) continue;
          best = order[next]!;
          bestVersion = version;
        }
      }
      order[kept++] = best;
      start = next;
    }
    return order.subarray(0, kept);
  }
}

/** A growing array of float64s (doubling). */
class Float64Column {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index]!;
  }

  /** The values pushed so far (a view: valid until the next push). */
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
