/**
 * The loader's bookkeeping, in the control schema: the ledger of loaded batches. A batch
 * is loaded exactly when its ledger row exists; the row is written in the same
 * transaction as the batch's data, so the two can never disagree.
 */
import { CONTROL_TABLES, type WarehouseSchemas, qualified, quoteIdent } from './names';

export function controlDdl(schemas: WarehouseSchemas): string[] {
  const ledger = qualified(schemas.control, CONTROL_TABLES.loadedBatch);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.control)}`,
    `CREATE TABLE ${ledger} (
  source_table varchar NOT NULL,
  sequence int NOT NULL CHECK (sequence > 0),
  manifest_key varchar NOT NULL,
  source_key varchar NOT NULL,
  watermark varchar NOT NULL,
  transformed_at timestamptz,
  rows_read jsonb NOT NULL DEFAULT '{}',
  rows_written jsonb NOT NULL DEFAULT '{}',
  placeholders_created int NOT NULL DEFAULT 0,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  duration_ms int,
  PRIMARY KEY (source_table, sequence)
)`,
    `COMMENT ON TABLE ${ledger} IS 'One row per processed batch loaded into the warehouse, written in the same transaction as its rows'`,
  ];
}
