/**
 * The ingest stage in the run summary and the HTML report: per source table, rows read
 * and extracted, objects written and duration, summed over the run's ingestion runs.
 */
import { describe, expect, it } from 'vitest';
import type { TableResult } from '../../lambdas/core/extract/extract-table';
import { renderHtmlReport } from '../../local/report/html-report';
import { IngestTally } from '../../local/report/ingest-figures';
import type { RunSummary } from '../../local/report/run-summary';
import { formatSummary } from '../../local/report/summarise';
import type { PipelineResult } from '../../local/run-pipeline';
import { emptySummary } from '../../lambdas/core/load';

function table(name: string, outcome: 'written' | 'unchanged', rows: number, durationMs: number): TableResult {
  return { table: name, outcome, mode: 'incremental', rowsRead: rows + 1, rows, sequence: 1, durationMs };
}

const tally = new IngestTally();
tally.add({
  status: 'done',
  failures: [],
  durationMs: 4_000,
  tables: [table('sales_order', 'written', 11_175, 2_500), table('currency', 'written', 3, 10)],
});
tally.add({
  status: 'done',
  failures: [],
  durationMs: 1_500,
  tables: [table('sales_order', 'written', 25, 700), table('currency', 'unchanged', 0, 5)],
});
const ingest = tally.figures();

const result: PipelineResult = {
  transformed: [],
  failedObjects: [],
  load: emptySummary('completed', 0),
  timingsMs: { transform: 1_000, load: 2_000 },
};

const summary: RunSummary = {
  startedAt: '2026-01-01T00:00:00.000Z',
  ingest,
  sourceTables: [],
  warehouseTables: [],
  sequenceGaps: 0,
  placeholdersOutstanding: 0,
  batchesLoaded: 0,
  timingsMs: { ingest: ingest.durationMs, ...result.timingsMs },
  salesByMonth: [],
  databaseUrlForPsql: 'postgresql://localhost/warehouse',
};

describe('the ingest stage in the run summary', () => {
  it('sums each table over the ingestion runs, every source table listed', () => {
    expect(ingest.runs).toBe(2);
    expect(ingest.durationMs).toBe(5_500);
    expect(ingest.tables).toHaveLength(11);
    expect(ingest.tables.find((t) => t.table === 'sales_order')).toEqual({
      table: 'sales_order',
      rowsRead: 11_202,
      rowsExtracted: 11_200,
      objectsWritten: 2,
      durationMs: 3_200,
    });
    expect(ingest.tables.find((t) => t.table === 'currency')).toMatchObject({ rowsExtracted: 3, objectsWritten: 1 });
    expect(ingest.tables.find((t) => t.table === 'payment')).toMatchObject({ rowsExtracted: 0, objectsWritten: 0, durationMs: 0 });
  });

  it('prints a row per table and the ingest time among the timings', () => {
    const text = formatSummary(summary, result);
    expect(text).toMatch(/^sales_order\s+11,202\s+11,200\s+2\s+3\.2$/m);
    expect(text).toContain('ingestion runs: 2');
    expect(text).toContain('timings: ingest 5.5 s, transform 1.0 s, load 2.0 s');
  });

  it('prints no ingest table for a run that did not ingest (--land, --input)', () => {
    const { ingest: _, ...landed } = summary;
    expect(formatSummary({ ...landed, timingsMs: result.timingsMs }, result)).not.toContain('ingested table');
  });

  it('shows the ingest stage in the HTML report: a chart and a table per source table', () => {
    const html = renderHtmlReport(summary);
    expect(html).toContain('Ingest stage (2 ingestion runs)');
    expect(html).toContain('id="chart-ingest"');
    expect(html).toContain('<tr><td>sales_order</td><td>11,202</td><td>11,200</td><td>2</td><td>3.2</td></tr>');
    const { ingest: _, ...landed } = summary;
    expect(renderHtmlReport(landed)).not.toContain('Ingest stage');
  });
});
