/**
 * Versioned, idempotent schema migrations. Each run takes a transaction-scoped advisory
 * lock, so concurrent runs (two loaders starting at once) serialise: the second finds
 * everything applied and does nothing. All pending steps apply in one transaction: a
 * database is either at the old version or the new one, never between.
 *
 * Each applied step's checksum is recorded; a step whose SQL has since changed (say, a
 * table definition was edited) fails loudly instead of leaving existing databases behind
 * new ones. Change the schema by appending a step. A step's statements name the warehouse
 * schema, so a changed schema setting also changes its checksum: that is recognised and
 * refused with what to do, not reported as an edited step.
 */
import { createHash } from 'node:crypto';
import type { QueryClient } from '../sql-client';
import { type Log, silentLog } from '../ports';
import { controlDdl } from './control-ddl';
import { warehouseDdl } from './ddl';
import { factHistoryDdl } from './fact-history-ddl';
import { sequenceFirstVersionsDdl } from './legacy-versions';
import { runDdl } from './schema-statements';
import { applyStarSchema } from './star-schema-migration';
import {
  ADVISORY_LOCK_NAMESPACE,
  CONTROL_TABLES,
  DEFAULT_SCHEMAS,
  MIGRATION_LOCK,
  type WarehouseSchemas,
  qualified,
  quoteIdent,
} from './names';
import { PipelineError } from '../errors';

export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(schemas: WarehouseSchemas): string[];
  /** Applies the step when running its statements in order is not enough (its checksum is still its statements'). */
  apply?(client: QueryClient, schemas: WarehouseSchemas, log: Log): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'control schema: ledger of loaded batches', statements: controlDdl },
  // Existing tables in the warehouse schema are adopted if they match, else refused.
  { version: 2, name: 'star schema: 8 dimensions, 3 facts', statements: warehouseDdl, apply: applyStarSchema },
  { version: 3, name: 'dimension versions ordered by ingestion sequence', statements: sequenceFirstVersionsDdl },
  { version: 4, name: 'fact history by ingestion sequence: source_sequence, observations, current views', statements: factHistoryDdl },
];

export const CURRENT_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export interface MigrationResult {
  /** Versions applied by this call (empty when the database was already current). */
  readonly applied: number[];
  readonly version: number;
}

class MigrationError extends PipelineError {
  readonly kind = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function migrationChecksum(migration: Migration, schemas: WarehouseSchemas): string {
  return createHash('sha256').update(migration.statements(schemas).join(';\n')).digest('hex');
}

/** Brings the database to CURRENT_SCHEMA_VERSION. Safe to call on every run, from many processes at once. */
export async function migrate(client: QueryClient, options: { schemas?: WarehouseSchemas; log?: Log } = {}): Promise<MigrationResult> {
  const schemas = options.schemas ?? DEFAULT_SCHEMAS;
  const log = options.log ?? silentLog;
  const table = qualified(schemas.control, CONTROL_TABLES.schemaMigration);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_NAMESPACE, MIGRATION_LOCK]);
    await runDdl(client, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.control)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
  version int PRIMARY KEY,
  name varchar NOT NULL,
  checksum varchar NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
    );
    const { rows } = await client.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM ${table} ORDER BY version`);
    const recorded = new Map(rows.map((row) => [row.version, row.checksum]));
    const unknown = rows.filter((row) => !MIGRATIONS.some((m) => m.version === row.version));
    if (unknown.length > 0) {
      throw new MigrationError(
        `database schema is at version ${Math.max(...unknown.map((r) => r.version))}, newer than this code knows (${CURRENT_SCHEMA_VERSION}); deploy the newer loader`,
      );
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      const checksum = migrationChecksum(migration, schemas);
      const existing = recorded.get(migration.version);
      if (existing !== undefined) {
        if (existing !== checksum) {
          const appliedIn = await schemaAppliedIn(client, migration, existing, schemas);
          if (appliedIn !== undefined) throw new MigrationError(movedSchemaMessage(appliedIn, schemas.warehouse));
          throw new MigrationError(
            `migration ${migration.version} (${migration.name}) has changed since it was applied; append a new migration instead of editing an applied one`,
          );
        }
        continue;
      }
      if (migration.apply) await migration.apply(client, schemas, log);
      else for (const statement of migration.statements(schemas)) await runDdl(client, statement);
      await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        checksum,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    if (applied.length > 0) log.info('warehouse schema migrated', { applied, version: CURRENT_SCHEMA_VERSION });
    return { applied, version: CURRENT_SCHEMA_VERSION };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * The warehouse schema a step was applied for, when the recorded checksum is this step's
 * for another schema that holds the star schema: the schema setting changed, the step did
 * not (a step's statements name the schema, so its checksum does too).
 */
async function schemaAppliedIn(
  client: QueryClient,
  migration: Migration,
  recorded: string,
  schemas: WarehouseSchemas,
): Promise<string | undefined> {
  const { rows } = await client.query<{ schema: string }>(
    `SELECT DISTINCT table_schema AS schema FROM information_schema.tables
WHERE table_name = ANY($1) AND table_schema <> $2 ORDER BY 1`,
    [STAR_SCHEMA_MARKERS, schemas.warehouse],
  );
  return rows.map((row) => row.schema).find((warehouse) => migrationChecksum(migration, { ...schemas, warehouse }) === recorded);
}

/** Tables only the star schema has, to find the schema it was built in. */
const STAR_SCHEMA_MARKERS = ['fact_sales_order', 'dim_staff'];

function movedSchemaMessage(appliedIn: string, setting: string): string {
  return (
    `the star schema is in "${appliedIn}"; the warehouse schema setting says "${setting}". ` +
    `The loader does not move a warehouse between schemas. Set it back to "${appliedIn}" ` +
    `(locally: --warehouse-schema ${appliedIn}; a stack: deploy with -c warehouseSchema=${appliedIn}). ` +
    `To have the warehouse in "${setting}" instead, point the loader at a new database: it builds the star schema there ` +
    'and loads every batch still in the processed bucket.'
  );
}
