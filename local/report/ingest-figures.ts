/**
 * The ingest stage's figures for the run summary and the report: per source table, what
 * the ingestion runs of this `npm start` read, extracted (changed or new rows, landed)
 * and wrote, and how long they took, summed over the runs.
 */
import type { ExtractRunSummary } from '../../lambdas/core/extract/run-extract';
import { SOURCE_TABLE_NAMES } from '../../lambdas/core/schema/source-tables';

interface IngestTableFigures {
  readonly table: string;
  /** Rows read from the source (the changed ones, or all on a first or resync run). */
  readonly rowsRead: number;
  /** Rows landed in ingestion objects (changed or new). */
  readonly rowsExtracted: number;
  readonly objectsWritten: number;
  readonly durationMs: number;
}

export interface IngestStageFigures {
  readonly runs: number;
  readonly durationMs: number;
  readonly tables: readonly IngestTableFigures[];
}

type DoneRun = Extract<ExtractRunSummary, { status: 'done' }>;

/** Adds up the ingestion runs of one local run. */
export class IngestTally {
  private runs = 0;
  private durationMs = 0;
  private readonly tables = new Map<string, { rowsRead: number; rowsExtracted: number; objectsWritten: number; durationMs: number }>();

  add(run: DoneRun): void {
    this.runs += 1;
    this.durationMs += run.durationMs;
    for (const result of run.tables) {
      const figures = this.tables.get(result.table) ?? { rowsRead: 0, rowsExtracted: 0, objectsWritten: 0, durationMs: 0 };
      figures.rowsRead += result.rowsRead;
      figures.rowsExtracted += result.rows;
      if (result.outcome === 'written') figures.objectsWritten += 1;
      figures.durationMs += result.durationMs;
      this.tables.set(result.table, figures);
    }
  }

  figures(): IngestStageFigures {
    const empty = { rowsRead: 0, rowsExtracted: 0, objectsWritten: 0, durationMs: 0 };
    return {
      runs: this.runs,
      durationMs: this.durationMs,
      tables: SOURCE_TABLE_NAMES.map((table) => ({ table, ...(this.tables.get(table) ?? empty) })),
    };
  }
}
