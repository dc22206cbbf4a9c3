/**
 * The interfaces the core needs from the outside world. AWS adapters (lambdas/adapters/aws)
 * and local-mode adapters (local/) implement them; the core itself imports no AWS code,
 * so Lambda, local mode and tests run the same logic.
 */

export interface StoredObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** An object as one read returned it: the ETag is that of these very bytes. */
export interface ReadObject {
  readonly body: AsyncIterable<Uint8Array>;
  readonly etag?: string;
  readonly size?: number;
  /** User metadata (S3 `x-amz-meta-*`, names lower case), when the store keeps any. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A conditional write: `ifNoneMatch: '*'` creates the object only if there is none;
 * `ifMatch` replaces it only while its ETag is still the one given.
 */
export type WriteCondition = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string };

/** A bucket, or a stand-in for one. Keys are relative to the store (no bucket name). */
export interface ObjectStore {
  /** The body as a byte stream; undefined when there is no such object. */
  getStream(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /**
   * The body as a byte stream with the ETag of the version being streamed (one request, so
   * an overwrite between a head and a read cannot mix them up); undefined when absent.
   */
  get(key: string): Promise<ReadObject | undefined>;
  /** The whole body; undefined when there is no such object. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  head(key: string): Promise<StoredObjectInfo | undefined>;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  /**
   * Writes only when `condition` holds, atomically with respect to other conditional
   * writes of the key. Resolves the new ETag, or undefined when the condition did not hold
   * (another writer got there first).
   */
  putIf(key: string, body: Uint8Array | string, condition: WriteCondition, options?: PutOptions): Promise<string | undefined>;
  /** Every object under `prefix`, in key order, optionally only keys after `startAfter`. */
  list(prefix: string, startAfter?: string): AsyncIterable<StoredObjectInfo>;
}

/** Parameter Store, or a stand-in. Names are full paths (`/totesys/transform/x`). */
export interface ParameterStore {
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string): Promise<void>;
}

export type LogAttributes = Record<string, unknown>;

/** Structured logging; the Powertools Logger satisfies it. */
export interface Log {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'Bytes';

/** Metrics; adapters map this to Powertools Metrics (EMF) or to a local summary. */
export interface Metrics {
  /** Records one data point; `dimensions` such as `{ table: 'sales_order' }`. */
  record(name: string, value: number, unit: MetricUnit, dimensions?: Record<string, string>): void;
}

export const silentLog: Log = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export const noMetrics: Metrics = { record() {} };
