/**
 * Rows the transform holds back until their join partner arrives: a staff member whose
 * department is not in the department state, a counterparty whose legal address is not in
 * the address state. The transform emits no dimension row for them (no half-joined rows),
 * so until the partner arrives their facts point at placeholders. Read from the transform's
 * own join-state objects (`state/<table>.json`), never written.
 */
import { JOIN_REMODELS, JoinStateStore, sequenceOfVersion, StateFileError } from '../lambdas/core/transform';
import { type DimensionTableName, SOURCE_TABLES, type SourceTableName } from '../lambdas/core/schema';
import type { PipelineAccess } from './pipeline-access';

export interface WaitingRow {
  /** The held row's id (e.g. staff_id). */
  readonly id: number;
  /** The partner id it refers to, which the partner's state does not hold. */
  readonly partnerId: number;
  /** The sequence of the object that brought the held version of the row. */
  readonly sequence: number;
}

export interface JoinWait {
  /** The held rows' table (the left side of the join: staff, counterparty). */
  readonly table: SourceTableName;
  readonly idColumn: string;
  /** The table whose row has not arrived (department, address). */
  readonly partnerTable: SourceTableName;
  readonly foreignKey: string;
  /** The dimension the rows cannot reach until then. */
  readonly dimension: DimensionTableName;
  /** By sequence, then id. Empty when the state could not be read (see `error`). */
  readonly rows: readonly WaitingRow[];
  /** Why the join state is unreadable (the transform fails on it too), when it is. */
  readonly error?: string;
}

/** One entry per join the transform makes, with the rows waiting for their partner. */
export async function readJoinWaits(access: PipelineAccess): Promise<JoinWait[]> {
  const store = new JoinStateStore(access.processed, access.layout);
  return Promise.all(
    JOIN_REMODELS.map(async (join) => {
      const idColumn = SOURCE_TABLES[join.left].primaryKey;
      const base = { table: join.left, idColumn, partnerTable: join.right, foreignKey: join.foreignKey, dimension: join.target };
      try {
        const [left, right] = await Promise.all([store.load(join.left), store.load(join.right)]);
        const rows: WaitingRow[] = [];
        for (const [id, entry] of left.entriesById()) {
          const partnerId = entry.row[join.foreignKey] as number;
          if (right.get(partnerId) === undefined) rows.push({ id, partnerId, sequence: sequenceOfVersion(entry.version) });
        }
        rows.sort((a, b) => a.sequence - b.sequence || a.id - b.id);
        return { ...base, rows };
      } catch (error) {
        // State the transform cannot read either; failing to read the bucket is not that.
        if (!(error instanceof StateFileError)) throw error;
        return { ...base, rows: [], error: error.message };
      }
    }),
  );
}
