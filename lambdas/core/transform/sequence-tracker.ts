/**
 * Per-table record of the last ingestion sequence processed, in Parameter Store
 * (`<path>/<table>/last-processed-sequence`). The value only rises (max of current and
 * new), so a late or re-delivered object never moves it back. A sequence more than one
 * above the last processed means objects are missing (or still to come): a gap.
 *
 * Parameter Store has no compare-and-set, so read-then-put is only safe with one writer
 * per table at a time: the transform calls this holding the lock of the table's group
 * (transform-lock.ts), so two transforms never interleave here and the value never falls.
 */
import type { ParameterStore } from '../ports';
import type { SourceTableName } from '../schema/source-tables';

export interface SequenceRecord {
  /** The last processed sequence before this object; undefined when none was recorded. */
  readonly previous: number | undefined;
  /** How many sequences are missing between the previous one and this one (0: none). */
  readonly gap: number;
  /** This object's sequence is below one already processed (processed like any other). */
  readonly late: boolean;
}

export function lastProcessedSequenceParameter(path: string, table: SourceTableName): string {
  return `${path.replace(/\/+$/, '')}/${table}/last-processed-sequence`;
}

export async function recordProcessedSequence(
  parameters: ParameterStore,
  path: string,
  table: SourceTableName,
  sequence: number,
): Promise<SequenceRecord> {
  const name = lastProcessedSequenceParameter(path, table);
  const stored = await parameters.get(name);
  let previous: number | undefined;
  if (stored !== undefined) {
    if (!/^\d+$/.test(stored.trim())) {
      throw new Error(`parameter ${name} holds "${stored}", not a sequence number`);
    }
    previous = Number(stored.trim());
  }
  const last = previous ?? 0;
  if (sequence > last) await parameters.put(name, String(sequence));
  return { previous, gap: Math.max(0, sequence - last - 1), late: previous !== undefined && sequence < previous };
}
