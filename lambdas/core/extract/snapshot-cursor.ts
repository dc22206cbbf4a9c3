/**
 * The extract cursor: the source snapshot a run read at (`pg_current_snapshot()`, whose
 * xids are 64-bit `xid8`s: the 32-bit xid plus the wraparound epoch).
 *
 * A row version is "possibly new" when its creating transaction (`xmin`) is at or after
 * the previous snapshot's `xmin` (the oldest transaction still running then). Everything
 * older had committed (or aborted) before the previous run and was seen by it. This is a
 * superset of "not visible in the previous snapshot": it also re-reads rows committed
 * between the snapshot's xmin and xmax, which the fingerprints then suppress. It is used
 * instead of `pg_visible_in_snapshot` because that function is wrong for subtransaction
 * xids (a row written under a SAVEPOINT of a transaction in progress would count as
 * already seen, and be lost). See docs/ARCHITECTURE.md "Ingestion".
 */
import { PipelineError } from '../errors';

export interface SourceSnapshot {
  /** Oldest transaction still in progress (64-bit, epoch included). */
  readonly xmin: bigint;
  /** First transaction not yet assigned. */
  readonly xmax: bigint;
  /** How many transactions were in progress (diagnostics only). */
  readonly inProgress: number;
}

export interface ExtractCursor extends SourceSnapshot {
  /** ISO instant the snapshot was taken (for the cursor-lag metric). */
  readonly takenAt: string;
}

export class CursorFormatError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(where: string, text: string, reason: string) {
    super(`${where}: bad extract cursor ${JSON.stringify(text.slice(0, 200))}: ${reason}`);
    this.name = 'CursorFormatError';
  }
}

const XID8 = /^\d{1,20}$/;

/** Parses `pg_current_snapshot()::text`: `xmin:xmax:xip,xip,…`. */
export function parsePgSnapshot(text: string): SourceSnapshot {
  const parts = text.split(':');
  if (parts.length !== 3 || !XID8.test(parts[0]!) || !XID8.test(parts[1]!)) {
    throw new CursorFormatError('pg_current_snapshot()', text, 'expected xmin:xmax:xip-list');
  }
  const inProgress = parts[2] === '' ? 0 : parts[2]!.split(',').length;
  return { xmin: BigInt(parts[0]!), xmax: BigInt(parts[1]!), inProgress };
}

export function formatCursor(cursor: ExtractCursor): string {
  return JSON.stringify({
    xmin: cursor.xmin.toString(),
    xmax: cursor.xmax.toString(),
    inProgress: cursor.inProgress,
    takenAt: cursor.takenAt,
  });
}

export function parseCursor(text: string, where: string): ExtractCursor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CursorFormatError(where, text, 'not JSON');
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { xmin, xmax, inProgress, takenAt } = fields;
  if (typeof xmin !== 'string' || !XID8.test(xmin) || typeof xmax !== 'string' || !XID8.test(xmax)) {
    throw new CursorFormatError(where, text, 'xmin and xmax must be decimal xid8 strings');
  }
  if (typeof takenAt !== 'string' || Number.isNaN(Date.parse(takenAt))) {
    throw new CursorFormatError(where, text, 'takenAt must be an ISO instant');
  }
  if (BigInt(xmin) > BigInt(xmax)) throw new CursorFormatError(where, text, 'xmin is after xmax');
  return { xmin: BigInt(xmin), xmax: BigInt(xmax), inProgress: typeof inProgress === 'number' ? inProgress : 0, takenAt };
}

export type ExtractMode =
  /** No cursor yet: every row, fingerprints decide what is emitted. */
  | 'full'
  /** Rows whose xmin is at or after the cursor's xmin. */
  | 'incremental'
  /** The cursor is ahead of the database (a restore, a switch to another cluster): every row. */
  | 'resync';

export function extractMode(previous: ExtractCursor | undefined, current: SourceSnapshot): ExtractMode {
  if (previous === undefined) return 'full';
  // xid8 never goes backwards on one cluster (the epoch counts wraparounds), so a
  // snapshot behind the cursor means this is not the database the cursor was taken on.
  return current.xmax < previous.xmax ? 'resync' : 'incremental';
}
