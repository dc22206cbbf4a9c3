/** Turns a pipeline run and the warehouse's state into the run summary, and prints it. */
import pg from 'pg';
import { SOURCE_TABLE_NAMES } from '../../lambdas/core/schema/source-tables';
import { WAREHOUSE_TABLE_NAMES } from '../../lambdas/core/schema/warehouse-tables';
import { DEFAULT_SCHEMAS, type WarehouseSchemas } from '../../lambdas/core/warehouse/names';
import { warehouseStatus } from '../../lambdas/core/warehouse/status';
import { withoutPassword } from '../database-url';
import type { PipelineResult } from '../run-pipeline';
import { salesByMonth } from '../warehouse-queries';
import type { IngestStageFigures } from './ingest-figures';
import type { RunSummary } from './run-summary';

export async function summarise(
  result: PipelineResult,
  databaseUrl: string,
  startedAt: string,
  schemas: WarehouseSchemas = DEFAULT_SCHEMAS,
  ingest?: IngestStageFigures,
): Promise<RunSummary> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const status = await warehouseStatus(client, schemas);
    const processed = result.transformed.filter((t) => t.outcome === 'processed');
    return {
      startedAt,
      ...(ingest ? { ingest } : {}),
      sourceTables: SOURCE_TABLE_NAMES.map((table) => {
        const mine = processed.filter((t) => t.sourceTable === table);
        return {
          table,
          objects: mine.length,
          rowsIn: sum(mine.map((t) => t.rowsIn)),
          rowsRejected: sum(mine.map((t) => t.rowsRejected)),
        };
      }),
      warehouseTables: WAREHOUSE_TABLE_NAMES.map((table) => ({
        table,
        rowsOut: sum(processed.map((t) => t.rowsOut[table] ?? 0)),
        rowsLoaded: result.load.rowsWritten[table] ?? 0,
        rowsInWarehouse: status.rows[table],
      })),
      sequenceGaps: sum(processed.map((t) => t.sequenceGap)),
      placeholdersOutstanding: status.placeholdersTotal,
      batchesLoaded: result.load.batchesLoaded,
      timingsMs: ingest ? { ingest: ingest.durationMs, ...result.timingsMs } : result.timingsMs,
      salesByMonth: await salesByMonth(client, schemas.warehouse),
      // The report is shared: the psql URL never carries the password.
      databaseUrlForPsql: withoutPassword(databaseUrl),
    };
  } finally {
    await client.end();
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function formatSummary(summary: RunSummary, result: PipelineResult): string {
  const skipped = result.transformed.filter((t) => t.outcome === 'skipped').length;
  const lines: string[] = [];
  lines.push('');
  if (summary.ingest) {
    lines.push(
      table(
        ['ingested table', 'rows read', 'rows extracted', 'objects written', 'seconds'],
        summary.ingest.tables.map((t) => [t.table, t.rowsRead, t.rowsExtracted, t.objectsWritten, (t.durationMs / 1000).toFixed(1)]),
      ),
    );
    lines.push(`ingestion runs: ${summary.ingest.runs}`);
    lines.push('');
  }
  lines.push(
    table(
      ['source table', 'objects', 'rows in', 'rejected'],
      summary.sourceTables.map((t) => [t.table, t.objects, t.rowsIn, t.rowsRejected]),
    ),
  );
  lines.push('');
  lines.push(
    table(
      ['warehouse table', 'rows out', 'rows loaded', 'in warehouse'],
      summary.warehouseTables.map((t) => [t.table, t.rowsOut, t.rowsLoaded, t.rowsInWarehouse]),
    ),
  );
  lines.push('');
  lines.push(
    `objects transformed: ${result.transformed.length - skipped} (already processed: ${skipped}, failed: ${result.failedObjects.length})`,
  );
  lines.push(
    `batches loaded: ${summary.batchesLoaded} (failed: ${result.load.batchesFailed.length}, pending: ${result.load.pendingBatches})`,
  );
  lines.push(`sequence gaps: ${summary.sequenceGaps}`);
  lines.push(`placeholder dimension rows outstanding: ${summary.placeholdersOutstanding}`);
  lines.push(
    `timings: ${Object.entries(summary.timingsMs)
      .map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)} s`)
      .join(', ')}`,
  );
  for (const failure of result.failedObjects) lines.push(`FAILED object ${failure.key}: ${failure.error}`);
  for (const failure of result.load.batchesFailed) lines.push(`FAILED batch ${failure.batch}: ${failure.error}`);
  const rejected = result.transformed.filter((t) => t.rejectedKey);
  if (rejected.length > 0) {
    lines.push(`rejected rows are in: ${rejected.map((t) => `processed/${t.rejectedKey}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((row) => row.map((c) => (typeof c === 'number' ? c.toLocaleString('en') : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => String(row[i]).length)));
  return cells
    .map(
      (row, r) =>
        row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!))).join('  ') +
        (r === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''),
    )
    .join('\n');
}
