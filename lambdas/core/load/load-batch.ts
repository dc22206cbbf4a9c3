/**
 * Loading one batch: all of it or none of it, in one transaction that also writes its
 * ledger row. Files are fetched and checked against their definitions before the
 * transaction opens, so a malformed batch never touches the database.
 */
import type { SqlClient } from '../sql-client';
import type { BatchFile } from '../layout';
import type { Log, ObjectStore } from '../ports';
import {
  type DimensionTableName,
  WAREHOUSE_TABLES,
  type WarehouseTableDefinition,
  type WarehouseTableName,
} from '../schema/warehouse-tables';
import { isVersionedDimension } from '../warehouse/ddl';
import { CONTROL_TABLES, type WarehouseSchemas, qualified } from '../warehouse/names';
import { batchId } from './batch-id';
import { provenanceMismatches } from './batch-provenance';
import { insertMissingDimensionSql, insertPlaceholdersSql, insertReferencedDatesSql, upsertDimensionSql } from './batch-sql';
import { BatchLoadError, DeadlineReachedError, describeDatabaseError, isDataRejection, isStatementTimeout } from './errors';
import { factHistorySteps } from './fact-history-sql';
import { schemaMismatches } from './file-schema';
import { filesInLoadOrder } from './manifest';
import { type ParquetFile, openParquetFile } from '../parquet/reader';
import type { ScheduledBatch } from './pending-batches';
import { FileDecodeError, RowValueError, copyIntoStaging } from './staging';

export interface BatchLoadContext {
  readonly client: SqlClient;
  readonly store: ObjectStore;
  readonly schemas: WarehouseSchemas;
  /** Epoch ms: statements are cancelled past it and the batch rolled back. */
  readonly deadline: number;
  readonly now: () => number;
  readonly log: Log;
}

export type RowCounts = Partial<Record<WarehouseTableName, number>>;

export interface BatchLoadResult {
  /** `already-loaded`: another loader committed it first; nothing was written. */
  readonly outcome: 'loaded' | 'already-loaded';
  /** Rows in each file. */
  readonly rowsRead: RowCounts;
  /** Rows written per table (facts: rows added, moved or removed in the history; dimensions: new or changed rows). */
  readonly rowsWritten: RowCounts;
  readonly placeholdersCreated: Partial<Record<DimensionTableName, number>>;
  /** dim_date rows derived for dates the facts reference but the batch did not carry. */
  readonly datesDerived: number;
  readonly durationMs: number;
}

interface CheckedFile {
  readonly entry: BatchFile;
  readonly table: WarehouseTableDefinition;
  readonly parquet: ParquetFile;
}

type LoadableBatch = ScheduledBatch & { manifest: NonNullable<ScheduledBatch['manifest']> };

export async function loadBatch(context: BatchLoadContext, batch: LoadableBatch): Promise<BatchLoadResult> {
  const started = context.now();
  const id = batchId(batch.sourceTable, batch.sequence);
  const files = await fetchAndCheckFiles(context.store, id, batch);
  const { client } = context;
  const result = {
    rowsRead: {} as RowCounts,
    rowsWritten: {} as RowCounts,
    placeholdersCreated: {} as Partial<Record<DimensionTableName, number>>,
    datesDerived: 0,
  };

  // Each statement may run only as long as the budget has left.
  const limitToBudget = async () => {
    const remaining = Math.floor(context.deadline - context.now());
    if (remaining <= 0) throw new DeadlineReachedError(id);
    // 0 turns the timeout off (an unbounded budget); Postgres takes at most INT_MAX ms.
    const timeout = Number.isFinite(remaining) ? Math.min(remaining, 2_147_483_647) : 0;
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(timeout)]);
  };
  const query = async <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => {
    await limitToBudget();
    const started = context.now();
    const result = await client.query<R>(sql, params);
    context.log.debug('statement', { batch: id, statement: sql.slice(0, 60), rows: result.rowCount, ms: context.now() - started });
    return result;
  };

  await client.query('BEGIN');
  try {
    const ledger = qualified(context.schemas.control, CONTROL_TABLES.loadedBatch);
    // Claiming the ledger row first: a concurrent loader of the same batch waits here,
    // then finds it taken (or, if this transaction rolls back, loads it itself).
    const claim = await query(
      `INSERT INTO ${ledger} (source_table, sequence, manifest_key, source_key, watermark, transformed_at)
VALUES ($1, $2, $3, $4, $5, $6::timestamptz) ON CONFLICT DO NOTHING`,
      [
        batch.sourceTable,
        batch.sequence,
        batch.manifestKey,
        batch.manifest.sourceKey,
        batch.manifest.watermark,
        batch.manifest.transformedAt,
      ],
    );
    if (claim.rowCount === 0) {
      await client.query('ROLLBACK');
      return { outcome: 'already-loaded', ...result, durationMs: context.now() - started };
    }

    for (const file of files) {
      try {
        await limitToBudget();
        const copyStarted = context.now();
        result.rowsRead[file.table.name] = await copyIntoStaging(client, file.table, file.parquet);
        context.log.debug('staged', {
          batch: id,
          table: file.table.name,
          rows: result.rowsRead[file.table.name],
          ms: context.now() - copyStarted,
        });
        if (result.rowsRead[file.table.name] !== file.entry.rows) {
          throw new BatchLoadError(
            id,
            `read ${result.rowsRead[file.table.name]} rows, the manifest says ${file.entry.rows}`,
            file.entry.key,
          );
        }
        await applyStagedFile(file.table, batch, query, result, context.schemas);
      } catch (error) {
        throw explain(error, id, file.entry.key);
      }
    }

    const durationMs = context.now() - started;
    await query(
      `UPDATE ${ledger} SET rows_read = $3::jsonb, rows_written = $4::jsonb, placeholders_created = $5,
  loaded_at = clock_timestamp(), duration_ms = $6
WHERE source_table = $1 AND sequence = $2`,
      [
        batch.sourceTable,
        batch.sequence,
        JSON.stringify(result.rowsRead),
        JSON.stringify(result.rowsWritten),
        sum(result.placeholdersCreated),
        Math.round(durationMs),
      ],
    );
    await client.query('COMMIT');
    return { outcome: 'loaded', ...result, durationMs };
  } catch (error) {
    // The connection may be gone (that is often why we are here); the server rolls back then.
    await client.query('ROLLBACK').catch(() => {});
    if (isStatementTimeout(error)) throw new DeadlineReachedError(id);
    throw error;
  }
}

type Query = <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<{ rows: R[]; rowCount: number | null }>;

async function applyStagedFile(
  table: WarehouseTableDefinition,
  batch: { sourceTable: string; sequence: number },
  query: Query,
  result: { rowsWritten: RowCounts; placeholdersCreated: Partial<Record<DimensionTableName, number>>; datesDerived: number },
  schemas: WarehouseSchemas,
): Promise<void> {
  if (table.kind === 'dimension') {
    if (isVersionedDimension(table)) {
      const { rows } = await query<{ changed: number; written: number }>(upsertDimensionSql(table, schemas));
      result.rowsWritten[table.name] = rows[0]!.changed;
    } else {
      result.rowsWritten[table.name] = (await query(insertMissingDimensionSql(table, schemas))).rowCount ?? 0;
    }
    return;
  }
  const datesSql = insertReferencedDatesSql(table, schemas);
  if (datesSql) {
    const derived = (await query(datesSql)).rowCount ?? 0;
    result.datesDerived += derived;
    result.rowsWritten.dim_date = (result.rowsWritten.dim_date ?? 0) + derived;
  }
  for (const { dimension, sql } of insertPlaceholdersSql(table, schemas)) {
    const created = (await query(sql)).rowCount ?? 0;
    if (created > 0) result.placeholdersCreated[dimension] = (result.placeholdersCreated[dimension] ?? 0) + created;
  }
  let written = 0;
  for (const step of factHistorySteps(table, schemas)) {
    const { rowCount } = await query(step.sql, step.params(batch));
    if (step.writesFacts) written += rowCount ?? 0;
  }
  result.rowsWritten[table.name] = written;
}

/** Every file of the batch, fetched and checked against its table definition. */
async function fetchAndCheckFiles(store: ObjectStore, id: string, batch: LoadableBatch): Promise<CheckedFile[]> {
  const files: CheckedFile[] = [];
  for (const entry of filesInLoadOrder(batch.manifest)) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.getBytes(entry.key);
    } catch (error) {
      // Access denied, archived (InvalidObjectState), or S3 failing: this batch waits, the others load.
      throw new BatchLoadError(id, `cannot be read (${(error as Error).message})`, entry.key);
    }
    if (!bytes) throw new BatchLoadError(id, 'listed in the manifest but not in the bucket', entry.key);
    let parquet: ParquetFile;
    try {
      parquet = openParquetFile(bytes);
    } catch (error) {
      throw new BatchLoadError(id, `not a readable Parquet file (${(error as Error).message})`, entry.key);
    }
    const table = WAREHOUSE_TABLES[entry.table];
    const problems = schemaMismatches(table, parquet.schema);
    if (problems.length > 0) {
      throw new BatchLoadError(id, `does not match the ${table.name} definition: ${problems.join('; ')}`, entry.key);
    }
    const provenance = provenanceMismatches(parquet.keyValueMetadata, { ...batch, table: table.name });
    if (provenance.length > 0) throw new BatchLoadError(id, `not this batch's file: ${provenance.join('; ')}`, entry.key);
    if (parquet.rowCount !== entry.rows) {
      throw new BatchLoadError(id, `has ${parquet.rowCount} rows, the manifest says ${entry.rows}`, entry.key);
    }
    files.push({ entry, table, parquet });
  }
  return files;
}

/**
 * A file-level failure as the batch error it is, naming the file. Other errors (the
 * connection or server failing: the session is unusable) pass through and end the run.
 */
function explain(error: unknown, id: string, key: string): unknown {
  if (error instanceof BatchLoadError || error instanceof DeadlineReachedError) return error;
  if (error instanceof RowValueError || error instanceof FileDecodeError) return new BatchLoadError(id, error.message, key);
  if (isDataRejection(error)) return new BatchLoadError(id, `rejected by the warehouse: ${describeDatabaseError(error)}`, key);
  return error;
}

function sum(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce<number>((total, n) => total + (n ?? 0), 0);
}
