/** `reconcile` for people: the totals side by side, then every difference. */
import { renderTable } from '../text-table';
import type { Reconciliation } from './reconcile';

export function formatReconciliation(result: Reconciliation, target: string): string {
  const out: string[] = [`Reconciliation: ${target}, at ${result.takenAt}\n`];
  out.push(
    '\nFacts: versions are distinct (natural id, version_hash); money is summed over versions. The warehouse holds one row\n' +
      'per change in sequence order (A → B → A is three rows), checked per id against the history the source objects make.\n' +
      '"loaded" is what the warehouse must hold: the versions in batches the loader has recorded as loaded.\n\n',
  );
  const rows: string[][] = [];
  for (const fact of result.facts) {
    const money = (values: readonly string[]) => values.map((v, i) => `${fact.moneyColumns[i]} ${v}`).join(', ');
    rows.push([
      fact.table,
      'source objects',
      String(fact.sourceObjects.objects),
      String(fact.sourceObjects.rowsIn - fact.sourceObjects.rowsRejected),
      String(fact.sourceObjects.rowsRejected),
      String(fact.sourceObjects.versions),
      money(fact.sourceObjects.money),
    ]);
    rows.push([
      '',
      'parquet batches',
      String(fact.parquet.batches),
      String(fact.parquet.rows),
      '',
      String(fact.parquet.versions),
      money(fact.parquet.money),
    ]);
    rows.push(['', 'loaded batches', String(fact.loaded.batches), '', '', String(fact.loaded.versions), money(fact.loaded.money)]);
    rows.push(['', 'warehouse', '', '', '', String(fact.warehouse.rows), money(fact.warehouse.money)]);
  }
  out.push(
    renderTable(
      [
        { header: 'fact table' },
        { header: 'stage' },
        { header: 'objects', align: 'right' },
        { header: 'valid rows', align: 'right' },
        { header: 'rejected', align: 'right' },
        { header: 'versions', align: 'right' },
        { header: 'money' },
      ],
      rows,
    ),
  );
  for (const fact of result.facts) {
    if (fact.historyNotChecked) out.push(`\n${fact.table} history ${fact.historyNotChecked}.\n`);
  }
  out.push(
    '\nDimensions: rows per id; placeholders stand in for rows whose facts arrived first; "not reached": source ids\n' +
      'no batch holds (e.g. waiting in join state for a partner that never arrived).\n\n',
  );
  out.push(
    renderTable(
      [
        { header: 'dimension' },
        { header: 'source ids', align: 'right' },
        { header: 'parquet ids', align: 'right' },
        { header: 'loaded ids', align: 'right' },
        { header: 'warehouse rows', align: 'right' },
        { header: 'placeholders', align: 'right' },
        { header: 'not reached', align: 'right' },
      ],
      result.dimensions.map((d) => [
        d.table,
        d.sourceIds === null ? '-' : `${d.sourceIds} (${d.source})`,
        String(d.parquetIds),
        String(d.loadedIds),
        String(d.warehouseRows),
        String(d.placeholders),
        d.sourceIdsNotReached === null ? '-' : String(d.sourceIdsNotReached),
      ]),
    ),
  );
  if (!result.warehouseInitialised) out.push('\nThe warehouse is not initialised (no load has run).\n');
  if (result.pendingBatches > 0) {
    out.push(`\n${result.pendingBatches} committed batch(es) not loaded yet: left out of Parquet ↔ warehouse (see status).\n`);
  }
  if (result.differences.length === 0) out.push('\nNo differences.\n');
  else {
    out.push(`\n${result.differences.length} difference(s):\n`);
    for (const d of result.differences) out.push(`  - ${d.table} ${d.where}: ${d.problem}\n`);
  }
  return out.join('');
}
