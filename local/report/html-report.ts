/**
 * A self-contained HTML report of a local run: no scripts, no external assets, charts as
 * inline SVG so it opens anywhere (and renders in headless Chromium for the tests).
 */
import type { RunSummary } from './run-summary';

interface Bar {
  readonly label: string;
  readonly value: number;
}

const PALETTE = ['#2f6f9f', '#d9822b', '#3d9970', '#b10dc9', '#85144b'];

export function renderHtmlReport(summary: RunSummary): string {
  const loaded = summary.warehouseTables.map((t) => ({ label: t.table, value: t.rowsInWarehouse }));
  const rowsIn = summary.sourceTables.map((t) => ({ label: t.table, value: t.rowsIn }));
  const rejected = summary.sourceTables.map((t) => ({ label: t.table, value: t.rowsRejected }));
  const timings = Object.entries(summary.timingsMs).map(([label, value]) => ({ label, value: Math.round(value) }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>totesys ELT run report</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
  table { border-collapse: collapse; margin: .5rem 0; }
  th, td { border-bottom: 1px solid #ddd; padding: .25rem .75rem; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); gap: 1rem; }
  figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
  .kpi { display: inline-block; margin-right: 2rem; } .kpi b { font-size: 1.4rem; display: block; }
  code { background: #f4f4f4; padding: .1rem .3rem; }
</style>
</head>
<body>
<h1>totesys ELT run report</h1>
<p>Run started ${escapeHtml(summary.startedAt)}.</p>
<div>
  ${kpi('batches loaded', summary.batchesLoaded)}
  ${kpi('rows rejected', sum(rejected))}
  ${kpi('sequence gaps', summary.sequenceGaps)}
  ${kpi('placeholder dimension rows', summary.placeholdersOutstanding)}
</div>
<div class="charts">
  ${chart('Rows in per source table (this run)', rowsIn, 'chart-rows-in')}
  ${chart('Rows in the warehouse per table', loaded, 'chart-warehouse')}
  ${chart('Rejected rows per source table (this run)', rejected, 'chart-rejected')}
  ${chart('Timings (ms)', timings, 'chart-timings')}
</div>
<h2>Sales by month</h2>
${salesChart(summary)}
${ingestSection(summary)}
<h2>Source tables</h2>
${htmlTable(
  ['table', 'objects', 'rows in', 'rejected'],
  summary.sourceTables.map((t) => [t.table, t.objects, t.rowsIn, t.rowsRejected]),
)}
<h2>Warehouse tables</h2>
${htmlTable(
  ['table', 'rows out (Parquet)', 'rows loaded', 'rows in warehouse'],
  summary.warehouseTables.map((t) => [t.table, t.rowsOut, t.rowsLoaded, t.rowsInWarehouse]),
)}
<h2>Query the warehouse</h2>
<p><code>psql '${escapeHtml(summary.databaseUrlForPsql)}'</code></p>
</body>
</html>
`;
}

/** What the ingest stage read and landed, when this run ingested a source database. */
function ingestSection(summary: RunSummary): string {
  if (!summary.ingest) return '';
  const extracted = summary.ingest.tables.map((t) => ({ label: t.table, value: t.rowsExtracted }));
  return `<h2>Ingest stage (${summary.ingest.runs} ingestion run${summary.ingest.runs === 1 ? '' : 's'})</h2>
${chart('Rows extracted per source table (this run)', extracted, 'chart-ingest')}
${htmlTable(
  ['table', 'rows read', 'rows extracted', 'objects written', 'duration (s)'],
  summary.ingest.tables.map((t) => [t.table, t.rowsRead, t.rowsExtracted, t.objectsWritten, (t.durationMs / 1000).toFixed(1)]),
)}`;
}

function kpi(label: string, value: number): string {
  return `<span class="kpi"><b>${value.toLocaleString('en')}</b>${escapeHtml(label)}</span>`;
}

function sum(bars: readonly Bar[]): number {
  return bars.reduce((total, bar) => total + bar.value, 0);
}

/** A horizontal bar chart. */
function chart(title: string, bars: readonly Bar[], id: string): string {
  const rowHeight = 22;
  const labelWidth = 170;
  const width = 460;
  const height = Math.max(rowHeight, bars.length * rowHeight) + 10;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars
    .map((bar, i) => {
      const y = 5 + i * rowHeight;
      const barWidth = ((width - labelWidth - 70) * bar.value) / max;
      return `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(bar.label)}</text>
    <rect x="${labelWidth}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="${rowHeight - 6}" fill="${PALETTE[0]}"><title>${escapeHtml(bar.label)}: ${bar.value}</title></rect>
    <text x="${(labelWidth + barWidth + 4).toFixed(1)}" y="${y + 15}">${bar.value.toLocaleString('en')}</text>`;
    })
    .join('\n    ');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption>
  <svg id="${id}" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" font-size="12">
    ${rows}
  </svg></figure>`;
}

/** Monthly sales per currency as grouped vertical bars (totals are exact strings; bars are scaled floats for drawing only). */
function salesChart(summary: RunSummary): string {
  const months = [...new Set(summary.salesByMonth.map((s) => s.month))].sort();
  const currencies = [...new Set(summary.salesByMonth.map((s) => s.currency))].sort();
  if (months.length === 0) return '<p>No sales loaded.</p>';
  const value = new Map(summary.salesByMonth.map((s) => [`${s.month}|${s.currency}`, s.total]));
  const max = Math.max(1, ...summary.salesByMonth.map((s) => Number(s.total)));
  const plotHeight = 220;
  const groupWidth = Math.max(12, Math.min(60, Math.floor(900 / months.length)));
  const barWidth = Math.max(2, Math.floor((groupWidth - 4) / currencies.length));
  const width = 60 + months.length * groupWidth;
  const bars = months
    .flatMap((month, m) =>
      currencies.map((currency, c) => {
        const total = value.get(`${month}|${currency}`);
        if (!total) return '';
        const h = (plotHeight * Number(total)) / max;
        const x = 50 + m * groupWidth + c * barWidth;
        return `<rect x="${x}" y="${(10 + plotHeight - h).toFixed(1)}" width="${barWidth}" height="${h.toFixed(1)}" fill="${PALETTE[c % PALETTE.length]}"><title>${month} ${currency}: ${total}</title></rect>`;
      }),
    )
    .join('');
  const step = Math.ceil(months.length / 12);
  const labels = months
    .map((month, m) => (m % step === 0 ? `<text x="${50 + m * groupWidth}" y="${plotHeight + 28}">${month}</text>` : ''))
    .join('');
  const legend = currencies.map((c, i) => `<span style="color:${PALETTE[i % PALETTE.length]}">■</span> ${escapeHtml(c)}`).join(' &nbsp; ');
  const rows = months.map((month) => [month, ...currencies.map((c) => value.get(`${month}|${c}`) ?? '')]);
  return `<figure><figcaption>Sales value by month (units sold × unit price), per currency — ${legend}</figcaption>
<svg id="chart-sales-by-month" role="img" aria-label="Sales by month" width="${width}" height="${plotHeight + 40}" font-size="11">
  <line x1="48" y1="${10 + plotHeight}" x2="${width}" y2="${10 + plotHeight}" stroke="#888"/>${bars}${labels}
</svg></figure>
<details><summary>Monthly totals</summary>${htmlTable(['month', ...currencies], rows)}</details>`;
}

function htmlTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell) => `<td>${escapeHtml(typeof cell === 'number' ? cell.toLocaleString('en') : cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
