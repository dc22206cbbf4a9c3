/**
 * A table's committed position: the last sequence written and the cursor. Kept in
 * Parameter Store, but the bucket is the truth for sequences: an object above the
 * parameter's sequence (a run that crashed after its upload, or lost parameters) is
 * adopted with the cursor recorded in its metadata, never written again.
 */
import { parseIngestionKey } from '../layout';
import type { Log, ParameterStore } from '../ports';
import type { SourceTableName } from '../schema/source-tables';
import type { ExtractLayout } from './extract-layout';
import type { ExtractStore } from './ports';
import { type ExtractCursor, formatCursor, parseCursor } from './snapshot-cursor';
import { PipelineError } from '../errors';

/** S3 user-metadata names (lower case: S3 lowercases them). */
export const CURSOR_METADATA = 'extract-cursor';
export const ROWS_METADATA = 'extract-rows';
export const SEQUENCE_METADATA = 'extract-sequence';

export interface TableState {
  readonly sequence: number;
  readonly cursor?: ExtractCursor;
}

export interface CommittedState extends TableState {
  /** The key of an object adopted from the bucket, when the parameter was behind it. */
  readonly adoptedKey?: string;
}

export class StateFormatError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(name: string, reason: string) {
    super(`extract state parameter ${name}: ${reason}`);
    this.name = 'StateFormatError';
  }
}

export function formatState(state: TableState): string {
  return `{"sequence":${state.sequence}${state.cursor ? `,"cursor":${formatCursor(state.cursor)}` : ''}}`;
}

export function parseState(text: string, name: string): TableState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StateFormatError(name, 'is not JSON');
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(fields.sequence) || (fields.sequence as number) < 0) {
    throw new StateFormatError(name, '"sequence" must be a non-negative integer');
  }
  return {
    sequence: fields.sequence as number,
    ...(fields.cursor !== undefined ? { cursor: parseCursor(JSON.stringify(fields.cursor), name) } : {}),
  };
}

/** The highest sequence in the bucket for `table` above `after` (0: all), or undefined. */
async function highestObject(
  store: ExtractStore,
  layout: ExtractLayout,
  table: SourceTableName,
  after: number,
  log: Log,
): Promise<{ key: string; sequence: number } | undefined> {
  let highest: { key: string; sequence: number } | undefined;
  const startAfter = after > 0 ? layout.afterSequence(table, after) : undefined;
  for await (const object of store.list(layout.tablePrefix(table), startAfter)) {
    let sequence: number;
    try {
      const parsed = parseIngestionKey(object.key);
      if (parsed.table !== table) continue;
      sequence = parsed.sequence;
    } catch {
      log.warn('ignoring a key that is not an ingestion object', { table, key: object.key });
      continue;
    }
    if (!highest || sequence > highest.sequence) highest = { key: object.key, sequence };
  }
  return highest;
}

export async function committedState(
  deps: { ingestion: ExtractStore; parameters: ParameterStore; layout: ExtractLayout; log: Log },
  table: SourceTableName,
): Promise<CommittedState> {
  const name = deps.layout.parameter(table);
  const text = await deps.parameters.get(name);
  const stored = text === undefined ? undefined : parseState(text, name);
  const storedSequence = stored?.sequence ?? 0;
  const highest = await highestObject(deps.ingestion, deps.layout, table, storedSequence, deps.log);
  if (!highest || highest.sequence <= storedSequence) return stored ?? { sequence: 0 };
  const metadata = await deps.ingestion.metadata(highest.key);
  const cursorText = metadata?.[CURSOR_METADATA];
  // An object another job wrote (no cursor) is still a sequence this stage must not
  // reuse; without a cursor the next read is a full one, filtered by fingerprints.
  const cursor = cursorText === undefined ? undefined : parseCursor(cursorText, `metadata of ${highest.key}`);
  deps.log.warn(
    stored ? 'adopting an object written after the last recorded state' : 'no recorded state: continuing after the highest object',
    {
      table,
      key: highest.key,
      recordedSequence: stored?.sequence ?? null,
    },
  );
  return { sequence: highest.sequence, ...(cursor ? { cursor } : {}), adoptedKey: highest.key };
}
