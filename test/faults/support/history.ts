/**
 * The input every fault scenario runs on: a small generated totesys history (an initial
 * full run and a few later runs) landed as CONTRACT.md §2 ingestion objects, in landing order.
 * Values are written in the seeded mix of every accepted encoding and every other object
 * is gzip-compressed, so the fault runs cover the reader's paths as well.
 */
import {
  type IngestionHistory,
  type IngestionObject,
  distinctVersions,
  simulateIngestion,
  toIngestionObject,
} from '../../../local/generator';
import { FACT_TABLES, WAREHOUSE_TABLES } from '../../../lambdas/core/schema/warehouse-tables';
import { SOURCE_TABLE_NAMES, type SourceTableName } from '../../../lambdas/core/schema/source-tables';

export interface GeneratedInput {
  readonly history: IngestionHistory;
  /** Every object, in the order the ingestion job landed them. */
  readonly objects: readonly IngestionObject[];
}

const DEFAULT_INPUT = { seed: 11, scale: 0.005, laterRuns: 2 } as const;

export function generatedInput(options: { seed: number; scale: number; laterRuns: number } = DEFAULT_INPUT): GeneratedInput {
  const history = simulateIngestion(options);
  const nextSequence = new Map<SourceTableName, number>();
  const objects: IngestionObject[] = [];
  for (const run of history.runs) {
    for (const table of SOURCE_TABLE_NAMES) {
      const rows = run.tables[table];
      if (rows.length === 0) continue;
      const sequence = nextSequence.get(table) ?? 1;
      nextSequence.set(table, sequence + 1);
      objects.push(toIngestionObject(table, rows, sequence, { gzip: objects.length % 2 === 1, mixedEncodings: options.seed }));
    }
  }
  return { history, objects };
}

/**
 * Row counts the warehouse must hold for this input, worked out from the generated rows
 * alone: a check that the fault-free run every scenario is compared with is itself right
 * (and not, say, empty).
 */
export function expectedRowCounts(history: IngestionHistory): Record<string, number> {
  const sourceOfFact = { fact_sales_order: 'sales_order', fact_purchase_order: 'purchase_order', fact_payment: 'payment' } as const;
  const counts: Record<string, number> = {};
  for (const fact of Object.keys(FACT_TABLES) as (keyof typeof sourceOfFact)[]) {
    counts[fact] = distinctVersions(history.runs, sourceOfFact[fact]).length;
  }
  const final = history.final.tables;
  Object.assign(counts, {
    dim_staff: final.staff.length,
    dim_location: final.address.length,
    dim_currency: final.currency.length,
    dim_design: final.design.length,
    dim_counterparty: final.counterparty.length,
    dim_payment_type: final.payment_type.length,
    dim_transaction: final.transaction.length,
  });
  for (const table of Object.keys(counts)) if (!(table in WAREHOUSE_TABLES)) throw new Error(`not a warehouse table: ${table}`);
  return counts;
}
