/**
 * Reading the warehouse for reconcile in one consistent snapshot: a REPEATABLE READ,
 * READ ONLY transaction opened before anything else is read, so the ledger and every table
 * are seen as of the same instant even if a load runs meanwhile. Large tables are read
 * through a cursor, a slice at a time.
 */
import type { DatabaseClient } from '../../lambdas/core/load';
import { type DimensionTableName, type FactTableName, SOURCE_VERSION_COLUMN, VERSION_HASH_COLUMN } from '../../lambdas/core/schema';
import {
  DEFAULT_SCHEMAS,
  DIMENSION_IS_PLACEHOLDER,
  FACT_SOURCE_BATCH,
  FACT_SOURCE_SEQUENCE,
  qualified,
  quoteIdent,
  type WarehouseSchemas,
} from '../../lambdas/core/warehouse';
import type { DimensionMeasure, FactMeasure } from './measures';

const SLICE_ROWS = 10_000;

export class WarehouseSnapshot {
  private constructor(
    readonly client: DatabaseClient,
    private readonly schemas: WarehouseSchemas,
  ) {}

  static async open(client: DatabaseClient, schemas: WarehouseSchemas = DEFAULT_SCHEMAS): Promise<WarehouseSnapshot> {
    // Reading the buckets in between can take a while: the server must not end the session meanwhile.
    await client.query("SET idle_in_transaction_session_timeout = 0; SET TimeZone = 'UTC'");
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return new WarehouseSnapshot(client, schemas);
  }

  async close(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => {});
  }

  async tableExists(table: string): Promise<boolean> {
    const { rows } = await this.client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
      qualified(this.schemas.warehouse, table),
    ]);
    return rows[0]?.exists ?? false;
  }

  /** Every fact row's natural id, version hash, sequence, batch and money (as numeric text), in history order. */
  async forEachFact(
    measure: FactMeasure,
    onRow: (row: { id: number; hash: string; sequence: number; batch: string; money: readonly string[] }) => void,
  ): Promise<void> {
    const columns = [
      `${quoteIdent(measure.naturalKey)} AS id`,
      `${quoteIdent(VERSION_HASH_COLUMN)} AS hash`,
      `${quoteIdent(FACT_SOURCE_SEQUENCE)}::text AS sequence`,
      `${quoteIdent(FACT_SOURCE_BATCH)} AS batch`,
      ...measure.money.map((column, index) => `${quoteIdent(column.name)}::text AS m${index}`),
    ];
    await this.forEachRow<Record<string, string | number>>(
      `SELECT ${columns.join(', ')} FROM ${qualified(this.schemas.warehouse, measure.table satisfies FactTableName)}
ORDER BY ${quoteIdent(measure.naturalKey)}, ${quoteIdent(FACT_SOURCE_SEQUENCE)}`,
      (row) =>
        onRow({
          id: row.id as number,
          hash: row.hash as string,
          sequence: Number(row.sequence),
          batch: row.batch as string,
          money: measure.money.map((_, index) => row[`m${index}`] as string),
        }),
    );
  }

  /** Every dimension row's id (as text), version and placeholder flag. */
  async forEachDimension(
    measure: DimensionMeasure,
    onRow: (row: { id: string; version: string; placeholder: boolean }) => void,
  ): Promise<void> {
    const columns = [
      `${quoteIdent(measure.primaryKey)}::text AS id`,
      measure.versioned ? `${quoteIdent(SOURCE_VERSION_COLUMN)} AS version` : `'' AS version`,
      measure.versioned ? `${quoteIdent(DIMENSION_IS_PLACEHOLDER)} AS placeholder` : 'false AS placeholder',
    ];
    await this.forEachRow<{ id: string; version: string; placeholder: boolean }>(
      `SELECT ${columns.join(', ')} FROM ${qualified(this.schemas.warehouse, measure.table satisfies DimensionTableName)}`,
      onRow,
    );
  }

  private async forEachRow<T>(sql: string, onRow: (row: T) => void): Promise<void> {
    await this.client.query(`DECLARE reconcile_rows NO SCROLL CURSOR FOR ${sql}`);
    try {
      for (;;) {
        const { rows } = await this.client.query(`FETCH FORWARD ${SLICE_ROWS} FROM reconcile_rows`);
        for (const row of rows) onRow(row as T);
        if (rows.length < SLICE_ROWS) break;
      }
    } finally {
      await this.client.query('CLOSE reconcile_rows');
    }
  }
}
