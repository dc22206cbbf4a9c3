/**
 * What every operator command works on: the two buckets, the sequence parameters and the
 * warehouse, behind the same ports the Lambdas use. `targets.ts` builds one for local mode
 * (folders and embedded Postgres) or for a deployed stack (S3, SSM, the warehouse secret),
 * so the commands are plain functions over this and tests run them on local stores.
 */
import type { ProcessedLayout } from '../lambdas/core/layout';
import type { DatabaseClient } from '../lambdas/core/load';
import type { ObjectStore, ParameterStore } from '../lambdas/core/ports';
import type { WarehouseSchemas } from '../lambdas/core/warehouse';

export interface PipelineAccess {
  /** The ingestion bucket (or folder). */
  readonly ingestion: ObjectStore;
  /** Key prefix of ingestion objects: `''` or ending with `/`. */
  readonly ingestionPrefix: string;
  /** The processed bucket (or folder), and where things live in it. */
  readonly processed: ObjectStore;
  readonly layout: ProcessedLayout;
  readonly parameters: ParameterStore;
  /** The transform's SSM path: `<path>/<table>/last-processed-sequence`. */
  readonly sequenceParameterPath: string;
  /** The ingest stage's SSM path: `<path>/<table>` holds `{ sequence, cursor }`; absent when there is no ingest stage. */
  readonly ingestParameterPath?: string;
  /** A new connection to the warehouse; the caller ends it. */
  readonly connect: () => Promise<DatabaseClient>;
  readonly schemas?: WarehouseSchemas;
}
