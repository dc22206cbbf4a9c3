/**
 * The source side of reconcile: every ingestion object read through the real ingest
 * reader (so valid and rejected rows are exactly what the transform saw), per object the
 * row counts and money sums, and per table the distinct fact versions and dimension ids;
 * for facts also the history the loaded objects make (fact-history.ts).
 */
import { BadObjectError, readIngestionObject } from '../../lambdas/core/objects';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema';
import type { PipelineAccess } from '../pipeline-access';
import { type IngestionObjectInfo, type LoadedSequences, listIngestionObjects } from '../pipeline-listing';
import { ExpectedHistory, ObjectObservations } from './fact-history';
import { type FactMeasure, versionKey } from './measures';

interface SourceObjectFigures {
  readonly object: IngestionObjectInfo;
  /** Data lines, valid and rejected (what the manifest's rowsIn counts). */
  readonly rowsIn: number;
  readonly rowsRejected: number;
  /** Money sums over the valid rows, per money column of the fact (facts only). */
  readonly money: readonly bigint[];
  /** Why the object as a whole cannot be processed, when it cannot. */
  readonly badObject?: string;
}

export interface SourceTableFigures {
  readonly table: SourceTableName;
  readonly objects: readonly SourceObjectFigures[];
  /** Facts: the distinct versions (natural id and version hash), one state per id per object… */
  readonly versions: Set<string>;
  /** …and their money sums, per money column. */
  readonly versionMoney: readonly bigint[];
  /** Distinct primary key values over the valid rows. */
  readonly ids: Set<number>;
  /** Facts: each id's history as the objects of loaded batches make it… */
  readonly history: ExpectedHistory;
  /** …from these sequences (loaded, with a processable object). */
  readonly historySequences: ReadonlySet<number>;
}

export async function readSourceTable(
  access: PipelineAccess,
  table: SourceTableName,
  fact: FactMeasure | undefined,
  loaded?: LoadedSequences,
): Promise<SourceTableFigures> {
  const { objects } = await listIngestionObjects(access, table);
  const primaryKey = SOURCE_TABLES[table].primaryKey;
  const versions = new Set<string>();
  const versionMoney = (fact?.money ?? []).map(() => 0n);
  const ids = new Set<number>();
  const figures: SourceObjectFigures[] = [];
  const history = new ExpectedHistory();
  const historySequences = new Set<number>();
  for (const object of objects) {
    const money = (fact?.money ?? []).map(() => 0n);
    let rowsIn = 0;
    let rowsRejected = 0;
    // Versions and ids count only once the whole object is known to be processable.
    // An id repeated in the object is one state (the loader's rule, fact-history.ts):
    // only that state's version counts, with its money.
    const objectVersions = new Map<string, readonly bigint[]>();
    const objectIds: number[] = [];
    const observations = new ObjectObservations();
    try {
      const body = await access.ingestion.getStream(object.key);
      if (body === undefined) throw new BadObjectError(object.key, 'vanished after listing');
      for await (const batch of readIngestionObject(body, { objectKey: object.key, table: SOURCE_TABLES[table], gzip: object.gzip })) {
        rowsIn += batch.rows.length + batch.rejected.length;
        rowsRejected += batch.rejected.length;
        for (const { row } of batch.rows) {
          objectIds.push(row[primaryKey] as number);
          if (!fact) continue;
          const version = fact.version(row);
          version.money.forEach((value, index) => (money[index]! += value));
          objectVersions.set(versionKey(version.id, version.hash), version.money);
          observations.offer(version.id, version.hash, version.lastUpdated);
        }
      }
    } catch (error) {
      if (!(error instanceof BadObjectError)) throw error;
      figures.push({ object, rowsIn, rowsRejected, money, badObject: error.message });
      continue;
    }
    for (const [id, hash] of observations.entries()) {
      const key = versionKey(id, hash);
      if (versions.has(key)) continue;
      versions.add(key);
      for (const [index, value] of objectVersions.get(key)!.entries()) versionMoney[index]! += value;
    }
    for (const id of objectIds) ids.add(id);
    // A sequence landed under two keys counts once (the first key; reconcile reports the other).
    if (fact && loaded?.has(object.sequence) && !historySequences.has(object.sequence)) {
      history.add(object.sequence, observations);
      historySequences.add(object.sequence);
    }
    figures.push({ object, rowsIn, rowsRejected, money });
  }
  return { table, objects: figures, versions, versionMoney, ids, history, historySequences };
}
