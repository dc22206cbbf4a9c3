/**
 * A file's rows go into a temporary staging table with COPY (the fastest way into
 * Postgres), then into the warehouse with set-based SQL. The staging table has the
 * warehouse column types, so the server parses and range-checks every value, and no
 * constraints, so the checks that matter happen in one statement afterwards.
 */
import type { SqlClient } from '../sql-client';
import type { WarehouseTableDefinition } from '../schema/warehouse-tables';
import { sqlType } from '../warehouse/ddl';
import { quoteIdent } from '../warehouse/names';
import { CellError, cellFormatter } from './copy-text';
import type { ParquetFile, RowGroupColumns } from '../parquet/reader';
import { PipelineError } from '../errors';

/** Rows per COPY message chunk: big enough to amortise overhead, small enough to stream. */
const ROWS_PER_CHUNK = 8192;

/**
 * A fact's staging table also numbers its rows in file order (COPY inserts them in order),
 * so an id repeated in one object resolves to its later line (see fact-history-sql.ts).
 */
export const STAGE_ROW_COLUMN = 'stage_row';

/** `pg_temp."stage_<table>"`: dropped at commit or rollback. */
export function stagingTable(table: WarehouseTableDefinition): string {
  return `pg_temp.${quoteIdent(`stage_${table.name}`)}`;
}

/** A value in the file that its warehouse column cannot take. */
export class RowValueError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(
    readonly row: number,
    readonly column: string,
    reason: string,
  ) {
    super(`row ${row}, column "${column}": ${reason}`);
    this.name = 'RowValueError';
  }
}

/** Creates the staging table and COPYs the file into it; returns the number of rows. */
export async function copyIntoStaging(client: SqlClient, table: WarehouseTableDefinition, file: ParquetFile): Promise<number> {
  const columns = table.columns.map((column) => `${quoteIdent(column.name)} ${sqlType(column)}`);
  if (table.kind === 'fact') columns.push(`${quoteIdent(STAGE_ROW_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`);
  await client.query(`CREATE TEMP TABLE ${quoteIdent(`stage_${table.name}`)} (${columns.join(', ')}) ON COMMIT DROP`);
  const names = table.columns.map((column) => quoteIdent(column.name)).join(', ');
  return client.copyIn(`COPY ${stagingTable(table)} (${names}) FROM STDIN`, copyText(table, file));
}

/**
 * The file's pages could not be decoded (a damaged page with an intact footer: hyparquet
 * throws e.g. "thrift unhandled type: 15"), or a value could not be formatted. The file's
 * fault, never the database's: its batch fails alone.
 */
export class FileDecodeError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(reason: string) {
    super(`cannot be decoded: ${reason}`);
    this.name = 'FileDecodeError';
  }
}

async function* copyText(table: WarehouseTableDefinition, file: ParquetFile): AsyncGenerator<string> {
  const groups = file.rowGroups(table.columns.map((column) => column.name));
  for (;;) {
    let next: IteratorResult<RowGroupColumns>;
    try {
      next = await groups.next();
    } catch (error) {
      throw new FileDecodeError(errorMessage(error));
    }
    if (next.done) return;
    yield* rowGroupText(table, next.value);
  }
}

function* rowGroupText(table: WarehouseTableDefinition, group: RowGroupColumns): Generator<string> {
  const formatters = table.columns.map(cellFormatter);
  const names = table.columns.map((column) => column.name);
  const last = formatters.length - 1;
  const values = names.map((name) => group.columns.get(name)!);
  let chunk = '';
  let row = 0;
  let column = 0;
  try {
    for (row = 0; row < group.rowCount; row++) {
      let line = '';
      for (column = 0; column < last; column++) line += `${formatters[column]!(values[column]![row])}\t`;
      line += `${formatters[last]!(values[last]![row])}\n`;
      chunk += line;
      if ((row + 1) % ROWS_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
      }
    }
  } catch (error) {
    if (error instanceof CellError) throw new RowValueError(group.rowStart + row + 1, names[column]!, error.message);
    throw new FileDecodeError(`row ${group.rowStart + row + 1}, column "${names[column]}": ${errorMessage(error)}`);
  }
  if (chunk !== '') yield chunk;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
