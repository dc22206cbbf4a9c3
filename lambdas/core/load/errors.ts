/**
 * How a load can go wrong, and what each means for the run:
 * - BatchLoadError: this batch cannot load as it stands (bad manifest, a file that cannot
 *   be fetched or decoded or does not match its table definition, data the warehouse
 *   rejects). The batch is rolled back and reported; the run carries on with the others,
 *   and retries it next run.
 * - DeadlineReachedError: the run's time budget ran out mid-batch. The batch is rolled back
 *   and stays pending; the run stops cleanly.
 * - Anything else (database unreachable, connection killed, S3 listing failing): the run stops and
 *   the error is thrown, for the scheduler to retry. The ledger is the position, so nothing
 *   is lost.
 */
import { PipelineError } from '../errors';

export class BatchLoadError extends PipelineError {
  readonly kind = 'bad-input';
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

export class DeadlineReachedError extends PipelineError {
  readonly kind = 'unavailable';
  constructor(readonly batch: string) {
    super(`time budget reached while loading batch ${batch}; it was rolled back and will load next run`);
    this.name = 'DeadlineReachedError';
  }
}

/** SQLSTATE of a Postgres error, if it is one. */
function sqlState(error: unknown): string | undefined {
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

/**
 * A Postgres error as it may be logged: the message and where (row number, column,
 * constraint), never the row values. Postgres puts values in `detail` (a COPY line, a
 * duplicate key), in the COPY context after the column name, and quoted in some messages
 * (`invalid input syntax for type date: "…"`); those are names and addresses, which stay
 * in the access-controlled buckets. Quoted identifiers Postgres names itself are kept.
 */
export function describeDatabaseError(error: unknown): string {
  const fields = (error ?? {}) as Partial<Record<'message' | 'where' | 'constraint' | 'table' | 'column' | 'dataType' | 'schema', unknown>>;
  const named = new Set(
    [fields.constraint, fields.table, fields.column, fields.dataType, fields.schema].filter(
      (name): name is string => typeof name === 'string',
    ),
  );
  const message = typeof fields.message === 'string' ? withoutQuotedValues(fields.message, named) : 'database error';
  const position = typeof fields.where === 'string' ? copyPosition(fields.where) : undefined;
  const constraint = typeof fields.constraint === 'string' ? `constraint ${fields.constraint}` : undefined;
  const code = sqlState(error);
  return [message, position, constraint, code && `SQLSTATE ${code}`].filter((part) => part !== undefined && part !== '').join('; ');
}

/** `COPY stage, line 3, column name: "Jane"` → `row 3, column "name"` (the file's row: one COPY per file). */
function copyPosition(where: string): string | undefined {
  const match = /\bCOPY [^,]+, line (\d+)(?:, column ([A-Za-z_][A-Za-z0-9_]*))?/.exec(where);
  if (!match) return undefined;
  return match[2] === undefined ? `row ${match[1]}` : `row ${match[1]}, column "${match[2]}"`;
}

function withoutQuotedValues(message: string, named: ReadonlySet<string>): string {
  return message.replace(/"((?:[^"]|"")*)"/g, (quoted, inner: string) => (named.has(inner) ? quoted : '"…"'));
}
