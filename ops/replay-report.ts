/** `replay` for people: one line per object or message, then what to do next. */
import type { LoadRedriveResult, TransformRedriveResult } from './dead-letters';
import type { ReplayResult } from './replay';
import { formatRanges } from './sequence-ranges';

export function formatReplay(result: ReplayResult, dryRun: boolean): string {
  const out: string[] = [
    `${dryRun ? 'Would replay' : result.queuedTo ? 'Queued a replay of' : 'Replayed'} ${result.table} sequences ${result.from}-${result.to}: ${result.objects.length} object(s)\n`,
  ];
  for (const object of result.objects) {
    const state = [
      object.wasCommitted ? 'had a batch' : 'had no batch',
      object.loaded === null ? 'load state unknown' : object.loaded ? 'already loaded (not loaded again)' : 'not loaded yet',
    ].join(', ');
    let line = `  ${object.key}: `;
    if (object.outcome === 'processed') {
      const out =
        Object.entries(object.rowsOut ?? {})
          .map(([table, rows]) => `${table} ${rows}`)
          .join(', ') || 'no rows';
      line += `transformed (${object.rowsIn} lines, ${object.rowsRejected} rejected; ${out}); ${state}`;
    } else if (object.outcome === 'queued') {
      line += `queued to ${result.queuedTo}; ${state}`;
    } else if (object.outcome === 'would-process') {
      line += `would transform; ${state}`;
    } else {
      line += `${object.outcome.toUpperCase()}: ${object.error}`;
    }
    out.push(`${line}\n`);
  }
  if (result.missing.length > 0) out.push(`  no ingestion object for sequences ${formatRanges(result.missing)}\n`);
  if (result.warehouseError) out.push(`  (could not read the ledger: ${result.warehouseError})\n`);
  if (result.queuedTo && result.objects.some((object) => object.outcome === 'queued')) {
    out.push(
      `${result.queuedTo} transforms the queued objects one at a time, asynchronously: \`status\` shows them as transformed, ` +
        'its log shows each one, and one that keeps failing lands in its dead-letter queue (`replay --dlq transform`).\n',
    );
  }
  return out.join('');
}

export function formatTransformRedrive(result: TransformRedriveResult): string {
  const verb = result.dryRun ? 'Would redrive' : 'Redrove';
  const redriven = result.messages.filter((m) => m.outcome !== 'kept').length;
  const out: string[] = [`${verb} ${redriven} of ${result.messages.length} message(s) from ${result.queueUrl} to ${result.functionName}\n`];
  for (const message of result.messages) {
    const what = message.objectKeys.join(', ') || '(no object key)';
    const why = [message.condition, message.error].filter(Boolean).join(': ');
    const outcome = message.outcome === 'kept' ? `KEPT (${message.reason})` : message.outcome;
    out.push(`  ${what}${why ? ` [${why}]` : ''}: ${outcome}\n`);
  }
  if (result.messages.length === 0) out.push('  the queue is empty\n');
  return out.join('');
}

export function formatLoadRedrive(result: LoadRedriveResult): string {
  switch (result.outcome) {
    case 'empty':
      return `The load dead-letter queue ${result.queueUrl} is empty: nothing to do.\n`;
    case 'would-run-and-purge':
      return `Would start one run of ${result.functionName} (it loads every pending batch) and purge ${result.messages} message(s) from ${result.queueUrl}.\n`;
    case 'run-started-and-purged':
      return `Started a run of ${result.functionName} and purged ${result.messages} message(s) from ${result.queueUrl}; if the run fails, it lands in the queue again.\n`;
  }
}
