/**
 * The warehouse rows one ingestion object produces, on their way into Parquet. Fact rows
 * stream straight into their writer (a fact object can hold a million rows); dimension
 * rows are held column by column (held-dimension.ts) so that a file carries one row per
 * id, the newest one; dim_date holds the set of referenced days.
 */
import { type DirectRows, ParquetTableWriter, type WriterValue } from '../parquet/writer';
import type { CellValue } from '../schema/column-types';
import {
  type DimensionTableName,
  type FactTableName,
  WAREHOUSE_TABLES,
  WAREHOUSE_TABLE_NAMES,
  type WarehouseTableName,
} from '../schema/warehouse-tables';
import { dimDateRow } from './dim-date';
import { HeldDimension } from './held-dimension';

/** Where one fact table's rows go; `append` copies the values, so the caller may reuse the array. */
export interface FactWriter {
  append(values: readonly WriterValue[]): void;
  /** The same file's column buffers, for rows written straight into them (fact-row-writer.ts). */
  directRows(): DirectRows;
}

export class BatchOutput {
  private readonly factWriters = new Map<FactTableName, ParquetTableWriter>();
  private readonly dimensions = new Map<DimensionTableName, HeldDimension>();
  private readonly dates = new Set<number>();

  constructor(private readonly options: { rowGroupSize?: number } = {}) {}

  /** The table's fact writer (fact rows stream straight into it): fetched once, not once a row. */
  factWriter(table: FactTableName): FactWriter {
    let writer = this.factWriters.get(table);
    if (!writer) {
      writer = new ParquetTableWriter(WAREHOUSE_TABLES[table], this.options);
      this.factWriters.set(table, writer);
    }
    return writer;
  }

  /**
   * A dimension row of one source row, version `rowVersion(lastUpdatedMs, sequence)`. Of
   * the rows of one id, the file keeps the newest version; of equal ones, the later row.
   * The values are copied (the caller may reuse the array); source_version is written
   * from the version.
   */
  putSourceDimension(table: DimensionTableName, id: number, sequence: number, lastUpdatedMs: number, values: readonly CellValue[]): void {
    this.held(table).putSourceRow(id, sequence, lastUpdatedMs, values);
  }

  /** As `putSourceDimension`, for a row whose version is given as text (a joined row's). */
  putDimension(table: DimensionTableName, id: number, version: string, values: readonly CellValue[]): void {
    this.held(table).putVersioned(id, version, values);
  }

  addDate(days: number): void {
    this.dates.add(days);
  }

  /** Tables with at least one row, in the loader's order (dimensions, then facts). */
  tables(): WarehouseTableName[] {
    return WAREHOUSE_TABLE_NAMES.filter((table) => this.rowCount(table) > 0);
  }

  rowCount(table: WarehouseTableName): number {
    if (table === 'dim_date') return this.dates.size;
    return this.factWriters.get(table as FactTableName)?.rowCount ?? this.dimensions.get(table as DimensionTableName)?.rowCount ?? 0;
  }

  /** The table's Parquet file; held rows are written in id (date) order. */
  finish(table: WarehouseTableName, metadata: Readonly<Record<string, string>>): Uint8Array {
    const factWriter = this.factWriters.get(table as FactTableName);
    if (factWriter) return factWriter.finish(metadata);
    const writer = new ParquetTableWriter(WAREHOUSE_TABLES[table], this.options);
    if (table === 'dim_date') {
      for (const days of [...this.dates].sort((a, b) => a - b)) writer.append(dimDateRow(days));
    } else {
      this.dimensions.get(table as DimensionTableName)?.forEachRow((values) => writer.append(values));
    }
    return writer.finish(metadata);
  }

  private held(table: DimensionTableName): HeldDimension {
    let held = this.dimensions.get(table);
    if (!held) {
      held = new HeldDimension(WAREHOUSE_TABLES[table]);
      this.dimensions.set(table, held);
    }
    return held;
  }
}
