/**
 * Local mode's source: a totesys-shaped database on the embedded Postgres, filled from
 * the generator and changed between ingestion runs exactly as the generator's later runs
 * change it (new rows, updates with and without last_updated moving, a department
 * rename, an address move). Rows are upserted through COPY into a temporary table, so
 * scale 100 (millions of rows) streams instead of building statements in memory.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { SOURCE_TABLE_NAMES, SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema';
import type { GeneratedRow, SourceTables } from '../generator';
import { type SourceValue, formatMoney } from '../generator/source-json';
import { sourceDatabaseDdl } from './source-ddl';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const quote = (name: string): string => `"${name}"`;
const ROWS_PER_CHUNK = 5_000;

/** Creates database `name` on the server (and the 11 tables) unless it exists; returns its URL. */
export async function ensureSourceDatabase(serverUrl: string, name: string): Promise<string> {
  const server = newPostgresClient(serverUrl);
  await server.connect();
  try {
    const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await server.query(`CREATE DATABASE ${quote(name)}`);
  } finally {
    await server.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = newPostgresClient(url.toString());
  await client.connect();
  try {
    const tables = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'sales_order'`,
    );
    if (tables.rowCount === 0) {
      await client.query('BEGIN');
      for (const statement of sourceDatabaseDdl()) await client.query(statement);
      await client.query('COMMIT');
    }
  } finally {
    await client.end();
  }
  return url.toString();
}

function copyValue(value: SourceValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'bigint') return formatMoney(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function copyLine(table: SourceTableName, row: SourceTables[SourceTableName][number]): string {
  return `${SOURCE_TABLES[table].columns.map((column) => copyValue(row[column.name] ?? null)).join('\t')}\n`;
}

function* copyChunks(table: SourceTableName, rows: SourceTables[SourceTableName]): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows.length; i++) {
    chunk += copyLine(table, rows[i]!);
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Writes every row of `tables` into the source in one transaction: new ids inserted,
 * existing ids updated to exactly these values (so a change that leaves last_updated
 * alone leaves it alone here too).
 */
export async function applyRows(sourceUrl: string, tables: SourceTables): Promise<number> {
  const client = newPostgresClient(sourceUrl);
  await client.connect();
  let written = 0;
  try {
    await client.query('BEGIN');
    for (const table of SOURCE_TABLE_NAMES) {
      const rows = tables[table];
      if (rows.length === 0) continue;
      const definition = SOURCE_TABLES[table];
      const columns = definition.columns.map((column) => quote(column.name));
      const staging = `incoming_${table}`;
      await client.query(`CREATE TEMP TABLE ${staging} (LIKE ${quote(table)}) ON COMMIT DROP`);
      await pipeline(Readable.from(copyChunks(table, rows)), client.query(copyFrom(`COPY ${staging} (${columns.join(', ')}) FROM STDIN`)));
      const updates = columns.filter((column) => column !== quote(definition.primaryKey)).map((column) => `${column} = EXCLUDED.${column}`);
      await client.query(
        `INSERT INTO ${quote(table)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${staging}
         ON CONFLICT (${quote(definition.primaryKey)}) DO UPDATE SET ${updates.join(', ')}`,
      );
      written += rows.length;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return written;
}

/**
 * Fills an empty source database from a stream of rows in one transaction, COPYing each
 * table's rows in chunks as they come: memory is bounded by the chunk, not the dataset.
 * Returns how many rows were written and what the stream returned at its end.
 */
export async function fillSource<R>(
  sourceUrl: string,
  rows: Iterator<GeneratedRow, R>,
  options: { readonly progress?: (written: number) => void; readonly rowsPerChunk?: number } = {},
): Promise<{ written: number; result: R }> {
  const rowsPerChunk = options.rowsPerChunk ?? ROWS_PER_CHUNK;
  const client = newPostgresClient(sourceUrl);
  await client.connect();
  const pending = new Map<SourceTableName, { lines: string; count: number }>();
  const copy = async (table: SourceTableName, lines: string) => {
    const columns = SOURCE_TABLES[table].columns.map((column) => quote(column.name));
    await pipeline(Readable.from([lines]), client.query(copyFrom(`COPY ${quote(table)} (${columns.join(', ')}) FROM STDIN`)));
  };
  let written = 0;
  try {
    await client.query('BEGIN');
    let next = rows.next();
    for (; !next.done; next = rows.next()) {
      const { table, row } = next.value;
      const chunk = pending.get(table) ?? { lines: '', count: 0 };
      chunk.lines += copyLine(table, row);
      chunk.count += 1;
      written += 1;
      if (chunk.count < rowsPerChunk) pending.set(table, chunk);
      else {
        pending.delete(table);
        await copy(table, chunk.lines);
        options.progress?.(written);
      }
    }
    for (const [table, chunk] of pending) await copy(table, chunk.lines);
    await client.query('COMMIT');
    return { written, result: next.value };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
