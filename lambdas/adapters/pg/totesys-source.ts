/**
 * The extract core's SourceDatabase over `pg`: one REPEATABLE READ READ ONLY transaction
 * per run (so every table is read at the snapshot recorded as the cursor), each table
 * streamed with `COPY (SELECT …) TO STDOUT` in text format (values exactly as Postgres
 * prints them; memory bounded by the chunk, not the table). Only SELECT is needed.
 */
import { StringDecoder } from 'node:string_decoder';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { SourceTableDefinition } from '../../core/schema';
import { parsePgSnapshot, type SourceDatabase, type SourceRow, type SourceSession, SourceUnavailableError } from '../../core/extract';
import { clientOptions, scrub } from './connect';
import { parseCopyLine } from './copy-text';

const XID_SPACE = 4294967296n;

export interface SourceConnection {
  /** A postgres:// URL, or discrete settings (from the secret). */
  readonly config: pg.ClientConfig;
  readonly description: string;
  /** Never logged nor put in an error. */
  readonly secrets: readonly string[];
  /** Schema holding the 11 tables (default `public`). */
  readonly schema?: string;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * `xmin` is 32 bits; the snapshot's xids are 64 (epoch included). A visible row's xmin is
 * below the snapshot's xmax and, unless frozen, within 2^31 of it, so its full xid is
 * xmax minus the 32-bit distance back to it. (A frozen row's old xmin may be placed in
 * a later epoch than its real one: it can only look newer, never older, and an
 * unchanged row is then suppressed by its fingerprint.)
 */
export function fullXminExpression(snapshotXmax: bigint, xid32 = 'xmin::text::bigint'): string {
  const xmax = snapshotXmax.toString();
  return `(${xmax} - ((${xmax} - ${xid32}) % ${XID_SPACE} + ${XID_SPACE}) % ${XID_SPACE})`;
}

function selectSql(table: SourceTableDefinition, schema: string, snapshotXmax: bigint, sinceXid?: bigint): string {
  const columns = table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  const where = sinceXid === undefined ? '' : ` WHERE ${fullXminExpression(snapshotXmax)} >= ${sinceXid.toString()}`;
  return `SELECT ${columns} FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table.name)}${where}`;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
}

export class PgSourceDatabase implements SourceDatabase {
  readonly description: string;

  constructor(private readonly connection: SourceConnection) {
    this.description = connection.description;
  }

  async open(): Promise<SourceSession> {
    const { secrets } = this.connection;
    const client = new pg.Client(clientOptions(this.connection.config));
    client.on('error', () => {}); // a dropped connection surfaces as the failing query's error
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw new SourceUnavailableError(
        scrub(`cannot connect to the source database at ${this.description}: ${reason(error)}; the next run retries`, secrets),
      );
    }
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // Timestamps print as YYYY-MM-DD HH:MM:SS[.fff] whatever the server's default.
      await client.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
      const result = await client.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
      const snapshot = parsePgSnapshot(result.rows[0]!.snapshot);
      return new PgSourceSession(client, snapshot, this.connection.schema ?? 'public', secrets);
    } catch (error) {
      await client.end().catch(() => {});
      const hint = /pg_current_snapshot/.test(reason(error)) ? ' (the source must be PostgreSQL 13 or newer)' : '';
      throw new SourceUnavailableError(scrub(`cannot open a read-only snapshot of ${this.description}: ${reason(error)}${hint}`, secrets), {
        cause: error,
      });
    }
  }
}

class PgSourceSession implements SourceSession {
  constructor(
    private readonly client: pg.Client,
    readonly snapshot: ReturnType<typeof parsePgSnapshot>,
    private readonly schema: string,
    private readonly secrets: readonly string[],
  ) {}

  async *readRows(table: SourceTableDefinition, sinceXid?: bigint): AsyncIterable<readonly SourceRow[]> {
    const sql = `COPY (${selectSql(table, this.schema, this.snapshot.xmax, sinceXid)}) TO STDOUT`;
    // A failed statement aborts the transaction; the savepoint keeps the session (and
    // its snapshot) usable for the other tables.
    await this.client.query('SAVEPOINT extract_table');
    const stream = this.client.query(copyTo(sql));
    let finished = false;
    try {
      const decoder = new StringDecoder('utf8');
      let rest = '';
      // Not destroyed when the consumer stops early: the rest is drained below, so the
      // connection leaves COPY mode cleanly.
      for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        const lines = (rest + decoder.write(chunk)).split('\n');
        rest = lines.pop()!;
        const rows = new Array<SourceRow>(lines.length);
        for (let i = 0; i < lines.length; i++) rows[i] = parseCopyLine(lines[i]!);
        if (rows.length > 0) yield rows;
      }
      rest += decoder.end();
      if (rest !== '') yield [parseCopyLine(rest)];
      finished = true;
      await this.client.query('RELEASE SAVEPOINT extract_table');
    } catch (error) {
      throw new Error(scrub(`reading source table ${table.name}: ${reason(error)}`, this.secrets), { cause: error });
    } finally {
      if (!finished) {
        // The consumer stopped early (a bad value) or the read failed: finish the COPY so
        // the connection is usable, then forget the failed statement.
        try {
          if (!stream.destroyed) for await (const _ of stream as AsyncIterable<Buffer>) void _;
        } catch {
          // the read itself failed: nothing left to drain
        }
        await this.client.query('ROLLBACK TO SAVEPOINT extract_table').catch(() => {});
      }
    }
  }

  async close(): Promise<void> {
    await this.client.query('COMMIT').catch(() => {});
    await this.client.end();
  }
}
