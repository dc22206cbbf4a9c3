/**
 * Writes real processed batches (Parquet files via ParquetTableWriter, then the manifest)
 * into an ObjectStore, as the transform would; and malformed ones for the bad-input tests.
 */
import type { BatchFile, BatchManifest } from '../../../lambdas/core/layout';
import { ProcessedLayout, padSequence } from '../../../lambdas/core/layout';
import { ParquetTableWriter } from '../../../lambdas/core/parquet/writer';
import type { ObjectStore } from '../../../lambdas/core/ports';
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';
import {
  FACT_TABLES,
  type FactTableName,
  WAREHOUSE_TABLES,
  type WarehouseTableDefinition,
  type WarehouseTableName,
} from '../../../lambdas/core/schema/warehouse-tables';
import { type Row, datesOf } from './rows';

export interface BatchSpec {
  readonly sourceTable: SourceTableName;
  readonly sequence: number;
  /** Defaults to a watermark that rises with the sequence. */
  readonly watermark?: string;
  readonly transformedAt?: string;
  /** When the ingest run read the source (the manifest's optional sourceReadAt). */
  readonly sourceReadAt?: string;
  readonly tables: Partial<Record<WarehouseTableName, readonly Row[]>>;
  /** Add dim_date rows for the facts' dates, as the transform does (default true). */
  readonly withDates?: boolean;
}

export class ProcessedBucket {
  constructor(
    readonly store: ObjectStore,
    readonly layout = new ProcessedLayout('processed/'),
  ) {}

  /** Writes every file, then the manifest (the commit marker). */
  async writeBatch(spec: BatchSpec): Promise<BatchManifest> {
    const tables: Partial<Record<WarehouseTableName, readonly Row[]>> = { ...spec.tables };
    if (spec.withDates ?? true) {
      const dates = new Map<number, Row>();
      for (const name of Object.keys(FACT_TABLES) as FactTableName[]) {
        for (const row of datesOf(name, tables[name] ?? [])) dates.set(row.date_id as number, row);
      }
      for (const row of tables.dim_date ?? []) dates.set(row.date_id as number, row);
      if (dates.size > 0) tables.dim_date = [...dates.values()];
    }
    const files: BatchFile[] = [];
    for (const [name, rows] of Object.entries(tables) as [WarehouseTableName, Row[]][]) {
      const key = this.layout.batchFile(spec.sourceTable, spec.sequence, name);
      await this.writeFile(key, WAREHOUSE_TABLES[name], rows, spec);
      files.push({ table: name, key, rows: rows.length });
    }
    return this.writeManifest(spec, files);
  }

  /** One Parquet file of `table`'s shape (pass an altered definition to make a bad one). */
  async writeFile(
    key: string,
    table: WarehouseTableDefinition,
    rows: readonly Row[],
    spec?: Pick<BatchSpec, 'sourceTable' | 'sequence'>,
  ): Promise<void> {
    const writer = new ParquetTableWriter(table);
    for (const row of rows) {
      writer.append(
        table.columns.map((column) => {
          if (!(column.name in row)) throw new Error(`test row for ${table.name} lacks ${column.name}`);
          return row[column.name]!;
        }),
      );
    }
    // The transform's provenance tags: from the spec, else from the key's batch folder.
    const batch = /batches\/([a-z_]+)\/(\d{10})\//.exec(key);
    const metadata: Record<string, string> = { warehouse_table: table.name };
    if (spec) Object.assign(metadata, { source_table: spec.sourceTable, sequence: String(spec.sequence) });
    else if (batch) Object.assign(metadata, { source_table: batch[1], sequence: String(Number(batch[2])) });
    await this.store.put(key, writer.finish(metadata));
  }

  async writeManifest(spec: BatchSpec, files: BatchFile[]): Promise<BatchManifest> {
    const manifest: BatchManifest = {
      formatVersion: 1,
      sourceTable: spec.sourceTable,
      sequence: spec.sequence,
      watermark: spec.watermark ?? `20241114T09${padSequence(spec.sequence).slice(-4)}000`,
      sourceKey: `${spec.sourceTable}/${padSequence(spec.sequence)}_20241114T093012345.jsonl`,
      rowsIn: files.reduce((n, f) => n + f.rows, 0),
      rowsRejected: 0,
      files,
      transformedAt: spec.transformedAt ?? new Date().toISOString(),
      ...(spec.sourceReadAt === undefined ? {} : { sourceReadAt: spec.sourceReadAt }),
    };
    await this.store.put(this.layout.manifest(spec.sourceTable, spec.sequence), JSON.stringify(manifest));
    return manifest;
  }
}
