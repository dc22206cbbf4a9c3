/** `status` for people: one line per source table, then what needs attention. */
import type { PipelineStatus } from './status';
import { formatRanges } from './sequence-ranges';
import { formatAge, renderTable } from './text-table';

export function formatStatus(status: PipelineStatus, target: string): string {
  const out: string[] = [`Pipeline status: ${target}, at ${status.takenAt}\n\n`];
  const unknown = '?';
  out.push(
    renderTable(
      [
        { header: 'source table' },
        { header: 'ingested', align: 'right' },
        { header: 'missing' },
        { header: 'transformed', align: 'right' },
        { header: 'SSM', align: 'right' },
        { header: 'not transformed' },
        { header: 'loaded', align: 'right' },
        { header: 'pending', align: 'right' },
        { header: 'oldest pending', align: 'right' },
        { header: 'rejected rows', align: 'right' },
        { header: 'freshness', align: 'right' },
      ],
      status.tables.map((t) => [
        t.table,
        String(t.ingested.lastSequence),
        formatRanges(t.ingested.missing, 4),
        String(t.transformed.lastSequence),
        t.transformed.parameterSequence === null ? '-' : String(t.transformed.parameterSequence),
        formatRanges(t.transformed.notTransformed, 4),
        t.loaded ? String(t.loaded.lastLoadedSequence) : unknown,
        t.lag ? String(t.lag.pendingBatches) : unknown,
        t.lag?.oldestAgeSeconds == null ? (t.lag ? '-' : unknown) : formatAge(t.lag.oldestAgeSeconds),
        String(t.rejected.rows),
        t.freshness ? formatAge(t.freshness.lagSeconds) : '-',
      ]),
    ),
  );
  out.push(
    "\n(ingested/transformed/loaded: the last sequence; SSM: the transform's last-processed-sequence;\n" +
      ' pending: batches committed but not loaded;\n' +
      ' freshness: from the ingest run reading the source to the load of the last loaded batch, - when unknown)\n',
  );

  const ingested = status.tables.flatMap((t) => (t.ingestStage ? [{ table: t.table, stage: t.ingestStage }] : []));
  if (ingested.length > 0) {
    out.push("\nIngest stage (its parameter per table: the last sequence written, and when the cursor's snapshot was taken):\n");
    for (const { table, stage } of ingested) {
      out.push(
        stage.error === undefined
          ? `  ${table}: sequence ${stage.lastSequence}, cursor ${stage.cursorTakenAt ?? 'none (next run reads in full)'}\n`
          : `  ${table}: cannot be read (${stage.error})\n`,
      );
    }
  }

  const { warehouse } = status;
  out.push('\nWarehouse: ');
  if (warehouse.state === 'unreachable') out.push(`cannot be read (${warehouse.error})\n`);
  else if (warehouse.state === 'not-initialised') out.push('not initialised (no load has run)\n');
  else {
    out.push(`schema version ${warehouse.schemaVersion}\n`);
    const placeholders = Object.entries(warehouse.placeholdersOutstanding).filter(([, n]) => (n ?? 0) > 0);
    out.push(
      placeholders.length === 0
        ? '  placeholder dimension rows outstanding: none\n'
        : `  placeholder dimension rows outstanding (facts waiting for their dimension row): ${placeholders
            .map(([table, n]) => `${table} ${n}`)
            .join(', ')}\n`,
    );
    if (warehouse.placeholdersOverdue.length > 0) {
      out.push(
        `  of which older than ${formatAge(warehouse.placeholderAgeSeconds)}: ${warehouse.placeholdersOverdue
          .map((overdue) => `${overdue.table} ${overdue.rows}`)
          .join(', ')}\n`,
      );
    }
    out.push(
      `  rows: ${Object.entries(warehouse.rows)
        .map(([table, n]) => `${table} ${n}`)
        .join(', ')}\n`,
    );
  }

  const rejected = status.tables.flatMap((t) => t.rejected.objects.map((o) => ({ table: t.table, ...o })));
  if (rejected.length > 0) {
    out.push('\nRejected rows (each line of the object names the source line, column and reason):\n');
    for (const object of rejected) out.push(`  ${object.rows} in ${object.sourceKey}: ${object.key}\n`);
  }

  out.push(status.attention.length === 0 ? '\nNothing needs attention.\n' : '\nNeeds attention:\n');
  for (const item of status.attention) out.push(`  - ${item}\n`);
  return out.join('');
}
