/** The figures of one local-mode run: printed as a summary and rendered as the HTML report. */
import type { IngestStageFigures } from './ingest-figures';

interface TableFigures {
  readonly table: string;
  readonly objects: number;
  readonly rowsIn: number;
  readonly rowsRejected: number;
}

interface WarehouseTableFigures {
  readonly table: string;
  /** Rows written to Parquet by the transform in this run. */
  readonly rowsOut: number;
  /** Rows inserted or updated in the warehouse in this run. */
  readonly rowsLoaded: number;
  /** Rows in the warehouse table after the run. */
  readonly rowsInWarehouse: number;
}

export interface MonthlySales {
  /** `YYYY-MM` */
  readonly month: string;
  readonly currency: string;
  /** Exact decimal text, e.g. `"123456.78"`. */
  readonly total: string;
}

export interface RunSummary {
  readonly startedAt: string;
  /** The ingest stage's runs, when this run ingested a source database (not with --land or --input). */
  readonly ingest?: IngestStageFigures;
  readonly sourceTables: readonly TableFigures[];
  readonly warehouseTables: readonly WarehouseTableFigures[];
  readonly sequenceGaps: number;
  readonly placeholdersOutstanding: number;
  readonly batchesLoaded: number;
  readonly timingsMs: Readonly<Record<string, number>>;
  readonly salesByMonth: readonly MonthlySales[];
  readonly databaseUrlForPsql: string;
}
