/**
 * One ingestion run: take the lease (or exit cleanly when another run holds it), open
 * one consistent read-only view of the source, extract each table (a failing table is
 * logged and counted; the others go on), release the lease.
 */
import { IngestMetric, TABLE_DIMENSION } from '../metric-names';
import { SOURCE_TABLES, SOURCE_TABLE_NAMES, type SourceTableName } from '../schema/source-tables';
import { type ExtractTableDeps, type TableResult, extractTable } from './extract-table';
import { acquireLease } from './lease';
import type { SourceDatabase } from './ports';
import type { ExtractCursor } from './snapshot-cursor';

export interface ExtractRunDeps extends ExtractTableDeps {
  readonly source: SourceDatabase;
  readonly now?: () => Date;
}

export interface ExtractRunOptions {
  readonly tables?: readonly SourceTableName[];
  /** Read every row of every table (fingerprints still suppress unchanged rows). */
  readonly resync?: boolean;
  /** How long the lease is held if the run dies without releasing it (at least the Lambda timeout). */
  readonly leaseMs?: number;
}

interface TableFailure {
  readonly table: SourceTableName;
  readonly error: string;
}

export type ExtractRunSummary =
  | { readonly status: 'busy'; readonly heldUntil: string }
  | {
      readonly status: 'done';
      readonly tables: readonly TableResult[];
      readonly failures: readonly TableFailure[];
      readonly durationMs: number;
    };

const DEFAULT_LEASE_MS = 20 * 60 * 1000;

export async function runExtract(deps: ExtractRunDeps, options: ExtractRunOptions = {}): Promise<ExtractRunSummary> {
  const now = deps.now ?? (() => new Date());
  const started = Date.now();
  const taken = await acquireLease(deps.state, deps.layout.lease(), now(), options.leaseMs ?? DEFAULT_LEASE_MS);
  if (!taken.acquired) {
    deps.log.info('another ingestion run is in progress: exiting', { heldUntil: taken.heldBy.expiresAt });
    return { status: 'busy', heldUntil: taken.heldBy.expiresAt };
  }
  try {
    const session = await deps.source.open();
    const cursor: ExtractCursor = { ...session.snapshot, takenAt: now().toISOString() };
    deps.log.info('ingestion run starting', {
      source: deps.source.description,
      snapshotXmin: cursor.xmin.toString(),
      snapshotXmax: cursor.xmax.toString(),
    });
    const tables: TableResult[] = [];
    const failures: TableFailure[] = [];
    try {
      for (const name of options.tables ?? SOURCE_TABLE_NAMES) {
        const dimensions = { [TABLE_DIMENSION]: name };
        try {
          const result = await extractTable(deps, session, SOURCE_TABLES[name], cursor, { resync: options.resync === true });
          tables.push(result);
          deps.metrics.record(IngestMetric.RowsExtracted, result.rows, 'Count', dimensions);
          deps.metrics.record(IngestMetric.ObjectsWritten, result.outcome === 'written' ? 1 : 0, 'Count', dimensions);
          if (result.cursorLagSeconds !== undefined) {
            deps.metrics.record(IngestMetric.CursorLag, result.cursorLagSeconds, 'Seconds', dimensions);
          }
          deps.log.info(result.outcome === 'written' ? 'table extracted' : 'table unchanged', { ...result });
        } catch (error) {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          failures.push({ table: name, error: message });
          deps.metrics.record(IngestMetric.TablesFailed, 1, 'Count', dimensions);
          deps.log.error('table extraction failed; its state is unchanged and the next run retries', { table: name, error: message });
        }
      }
    } finally {
      await session.close().catch(() => {});
    }
    const durationMs = Date.now() - started;
    deps.metrics.record(IngestMetric.Duration, durationMs, 'Milliseconds');
    deps.log.info('ingestion run finished', {
      durationMs,
      objects: tables.filter((t) => t.outcome === 'written').length,
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      failedTables: failures.map((f) => f.table),
    });
    return { status: 'done', tables, failures, durationMs };
  } finally {
    await taken.lease.release().catch((error: unknown) => {
      deps.log.warn('could not release the ingestion lease; it expires on its own', { error: String(error) });
    });
  }
}
