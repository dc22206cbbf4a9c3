/**
 * Source ids that never reached their dimension: ingested (a valid row in a readable
 * object) but in no batch's dimension file, loaded or not. The Parquet ↔ warehouse check
 * cannot see them, since no batch holds them. The usual cause is a row the transform holds
 * in join state until its partner arrives (a staff member whose department never arrived);
 * the join state names the partner, so the difference can say which. A held row whose id
 * did reach the dimension (an earlier version) is a newer version that never reached it:
 * the warehouse keeps the previous values.
 */
import type { JoinWait } from '../join-waits';
import type { DimensionMeasure } from './measures';
import type { ParquetDimensionId } from './parquet-figures';

export interface IdNotReached {
  readonly id: number;
  /** Set when the row waits in join state: what it waits for. */
  readonly waitingFor?: string;
}

export function idsNotReached(
  measure: DimensionMeasure,
  sourceIds: ReadonlySet<number>,
  parquetIds: ReadonlyMap<string, ParquetDimensionId>,
  joinWaits: readonly JoinWait[],
): IdNotReached[] {
  const wait = joinWaits.find((candidate) => candidate.dimension === measure.table);
  const partnerOf = new Map(wait?.rows.map((row) => [row.id, row.partnerId]));
  const missing: IdNotReached[] = [];
  for (const id of [...sourceIds].sort((a, b) => a - b)) {
    if (parquetIds.has(String(id))) continue;
    const partnerId = partnerOf.get(id);
    missing.push(partnerId === undefined ? { id } : { id, waitingFor: `${wait!.foreignKey} ${partnerId}` });
  }
  return missing;
}

/** Held rows whose id is in some batch: their newest version is what never reached the dimension. */
export function versionsNotReached(
  measure: DimensionMeasure,
  parquetIds: ReadonlyMap<string, ParquetDimensionId>,
  joinWaits: readonly JoinWait[],
): IdNotReached[] {
  const wait = joinWaits.find((candidate) => candidate.dimension === measure.table);
  return (wait?.rows ?? [])
    .filter((row) => parquetIds.has(String(row.id)))
    .sort((a, b) => a.id - b.id)
    .map((row) => ({ id: row.id, waitingFor: `${wait!.foreignKey} ${row.partnerId}` }));
}

/** `staff_id 7777 (waits for department_id 9999, which never arrived)`. */
export function describeIdNotReached(measure: DimensionMeasure, missing: IdNotReached): string {
  const id = `${measure.sourceKey ?? measure.primaryKey} ${missing.id}`;
  return missing.waitingFor === undefined ? id : `${id} (waits in join state for ${missing.waitingFor}, which never arrived)`;
}
