import { padSequence } from '../layout';
import type { SourceTableName } from '../schema/source-tables';

/** `<source table>/<10-digit sequence>`: how logs, errors and the facts' source_batch name a batch. */
export function batchId(sourceTable: SourceTableName, sequence: number): string {
  return `${sourceTable}/${padSequence(sequence)}`;
}
