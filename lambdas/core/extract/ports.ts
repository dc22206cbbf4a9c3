/**
 * What the extract core needs from the outside: a read-only view of the source database
 * and a bucket that can create objects conditionally. Adapters: lambdas/adapters/pg
 * (source) and lambdas/adapters/aws/s3-extract-store.ts (bucket); local mode has its own.
 */
import type { SourceTableDefinition } from '../schema/source-tables';
import type { StoredObjectInfo } from '../ports';
import type { SourceSnapshot } from './snapshot-cursor';
import { PipelineError } from '../errors';

/** One source row: the table definition's columns in order, as Postgres' text output (null for NULL). */
export type SourceRow = readonly (string | null)[];

/**
 * One consistent, read-only view of the source (a REPEATABLE READ READ ONLY transaction):
 * every table is read as of `snapshot`.
 */
export interface SourceSession {
  readonly snapshot: SourceSnapshot;
  /**
   * The table's rows, in batches. With `sinceXid`, only rows whose creating transaction
   * (`xmin`, widened to a full 64-bit xid against `snapshot`) is at least `sinceXid`;
   * without it, every row. A failure reading one table leaves the session usable.
   */
  readRows(table: SourceTableDefinition, sinceXid?: bigint): AsyncIterable<readonly SourceRow[]>;
  close(): Promise<void>;
}

export interface SourceDatabase {
  /** Opens a session; throws SourceUnavailableError when the database cannot be reached. */
  open(): Promise<SourceSession>;
  /** `host:port/dbname as user`: safe to log. */
  readonly description: string;
}

export class SourceUnavailableError extends PipelineError {
  readonly kind = 'unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceUnavailableError';
  }
}

/** A finished, replayable body: a spooled gzip file, read in chunks as often as needed. */
export interface SpooledBody {
  readonly size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export interface StoredObject {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface WriteOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Create only: fails (returns false) when the key exists. */
  readonly ifAbsent?: boolean;
  /** Replace only the version with this ETag: fails (returns false) otherwise. */
  readonly ifMatch?: string;
}

/** A bucket with conditional writes (S3 If-None-Match / If-Match). Keys are relative to the bucket. */
export interface ExtractStore {
  list(prefix: string, startAfter?: string): AsyncIterable<StoredObjectInfo>;
  read(key: string): Promise<StoredObject | undefined>;
  /** User metadata of an object; undefined when there is no such object. */
  metadata(key: string): Promise<Readonly<Record<string, string>> | undefined>;
  /** Writes a small body; false when a condition failed (someone else wrote first). */
  write(key: string, body: Uint8Array | string, options?: WriteOptions): Promise<boolean>;
  /**
   * Creates `key` from a spooled body (multipart for large bodies) only if it does not
   * exist; false when it already exists.
   */
  createFrom(key: string, body: SpooledBody, options?: Omit<WriteOptions, 'ifAbsent' | 'ifMatch'>): Promise<boolean>;
}
