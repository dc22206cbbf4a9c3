/**
 * Why a local run's load left batches for another run. A load that found another loader
 * holding the warehouse lock (or stopped at its time limit) loaded nothing or not all:
 * a run that exits 0 then would tell the user the warehouse is up to date when it is not.
 */
import type { LoadSummary } from '../lambdas/core/load';

/** The reason, with the pending count; undefined when the load ran to the end. */
export function unfinishedLoad(load: Pick<LoadSummary, 'outcome' | 'pendingBatches'>): string | undefined {
  const pending = `${load.pendingBatches} batch(es) still pending`;
  if (load.outcome === 'skipped') return `load skipped: another loader holds the warehouse lock; ${pending}`;
  if (load.outcome === 'deadline') return `load stopped at its time limit; ${pending}`;
  return undefined;
}
