/** Runs rows of one source table through the remodeller, with in-memory join state. */
import type { SourceRow } from '../../../lambdas/core/objects/types';
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';
import { BatchOutput } from '../../../lambdas/core/transform/batch-output';
import { TableState } from '../../../lambdas/core/transform/join-state';
import { createRemodeller } from '../../../lambdas/core/transform/remodellers';
import { stateTablesFor } from '../../../lambdas/core/transform/remodels';
import { batchRows } from './batch-rows';
import { RecordingLog } from '../../support/recorders';

export type JoinStates = Map<SourceTableName, TableState>;

export async function remodel(
  table: SourceTableName,
  sourceRows: readonly SourceRow[],
  options: { sequence?: number; state?: JoinStates; log?: RecordingLog } = {},
) {
  const state = options.state ?? new Map();
  const log = options.log ?? new RecordingLog();
  for (const t of stateTablesFor(table)) if (!state.has(t)) state.set(t, new TableState(t));
  const output = new BatchOutput();
  const remodeller = createRemodeller(table, {
    sourceKey: `${table}/test`,
    sequence: options.sequence ?? 1,
    output,
    state,
    log,
  });
  for (const row of sourceRows) remodeller.accept(row);
  return { tables: await batchRows(output), stats: remodeller.stats(), state, log };
}
