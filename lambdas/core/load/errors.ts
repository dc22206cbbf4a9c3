/**
 * How a load can go wrong, and what each means for the run:
 * - BatchLoadError: this batch cannot load as it stands (bad manifest, a file that does not
 *   match its table definition, data the warehouse rejects). The batch is rolled back and
 *   reported; the run carries on with the others, and retries it next run.
 * - DeadlineReachedError: the run's time budget ran out mid-batch. The batch is rolled back
 *   and stays pending; the run stops cleanly.
 * - Anything else (database unreachable, connection killed, S3 failing): the run stops and
 *   the error is thrown, for the scheduler to retry. The ledger is the position, so nothing
 *   is lost.
 */

export class BatchLoadError extends Error {
  constructor(
    /** `<source table>/<sequence>`. */
    readonly batch: string,
    readonly reason: string,
    /** The manifest or Parquet file at fault, when it is one. */
    readonly objectKey?: string,
  ) {
    super(`batch ${batch}${objectKey ? `, ${objectKey}` : ''}: ${reason}`);
    this.name = 'BatchLoadError';
  }
}

export class DeadlineReachedError extends Error {
  constructor(readonly batch: string) {
    super(`time budget reached while loading batch ${batch}; it was rolled back and will load next run`);
    this.name = 'DeadlineReachedError';
  }
}

/** SQLSTATE of a Postgres error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Postgres rejected the data itself (class 22 data exception, 23 integrity violation):
 * that batch's fault, not the database's.
 */
export function isDataRejection(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}

/** 57014: a statement was cancelled, here by the statement_timeout the budget sets. */
export function isStatementTimeout(error: unknown): boolean {
  return sqlState(error) === '57014';
}

/** The Postgres error's message with its position context (`COPY x, line 3, column y`), if any. */
export function describeDatabaseError(error: unknown): string {
  const { message, detail, where } = error as { message?: string; detail?: string; where?: string };
  return [message, detail, where].filter((part) => typeof part === 'string' && part.length > 0).join('; ');
}
