/**
 * Where things live in the buckets: the ingestion key format (CONTRACT.md §2) and the processed
 * bucket layout the transform writes and the loader reads. One module so both sides
 * agree; see docs/ARCHITECTURE.md for the reasoning.
 *
 * Processed bucket (all under an optional prefix):
 *   batches/<table>/<sequence>/<warehouse_table>.parquet   one file per affected table
 *   manifests/<table>/<sequence>.json                      written last: the commit marker
 *   rejected/<table>/<sequence>.jsonl                      rows that failed validation
 *   state/<table>.json                                     the transform's join state
 */
import { type SourceTableName, isSourceTableName } from './schema/source-tables';
import type { WarehouseTableName } from './schema/warehouse-tables';
import { PipelineError } from './errors';

const SEQUENCE_DIGITS = 10;

/**
 * S3 user metadata of an ingestion object: the UTC ISO instant its job read the source
 * (the ingest stage's snapshot time). Optional: any job that lands objects may set it; the
 * transform carries it into the batch manifest, and the loader reports the freshness lag
 * from it (a source's naive `last_updated` cannot be subtracted from a clock).
 */
export const SOURCE_READ_AT_METADATA = 'source-read-at';

/** `2024-11-14T09:30:12.345Z` or with an offset; what `Date.toISOString()` writes. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant (date, time and zone) that names a real moment. */
export function isIsoInstant(value: unknown): boolean {
  return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

export interface IngestionKey {
  readonly key: string;
  readonly table: SourceTableName;
  readonly sequence: number;
  /** `YYYYMMDDTHHMMSSmmm`: the newest `last_updated` in the object. */
  readonly watermark: string;
  readonly gzip: boolean;
}

class BadObjectKeyError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`bad ingestion object key "${key}": ${reason}`);
    this.name = 'BadObjectKeyError';
  }
}

const KEY_PATTERN = /(?:^|\/)([a-z_]+)\/(\d{10})_(\d{8}T\d{9})\.jsonl(\.gz)?$/;

/** Parses `[prefix/]<table>/<sequence>_<watermark>.jsonl[.gz]`, or throws BadObjectKeyError. */
export function parseIngestionKey(key: string): IngestionKey {
  const match = KEY_PATTERN.exec(key);
  if (!match) {
    throw new BadObjectKeyError(key, 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]');
  }
  const [, table, sequenceDigits, watermark, gz] = match as unknown as [string, string, string, string, string?];
  if (!isSourceTableName(table)) {
    throw new BadObjectKeyError(key, `unknown table "${table}"`);
  }
  const sequence = Number(sequenceDigits);
  if (sequence < 1) throw new BadObjectKeyError(key, 'sequence starts at 1');
  return { key, table, sequence, watermark, gzip: gz !== undefined };
}

export function ingestionKey(table: SourceTableName, sequence: number, watermark: string, gzip = false): string {
  return `${table}/${padSequence(sequence)}_${watermark}.jsonl${gzip ? '.gz' : ''}`;
}

export function padSequence(sequence: number): string {
  return String(sequence).padStart(SEQUENCE_DIGITS, '0');
}

/** Keys in the processed bucket, relative to an optional prefix (`''` or `'some/prefix/'`). */
export class ProcessedLayout {
  readonly prefix: string;

  constructor(prefix = '') {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  batchFile(table: SourceTableName, sequence: number, target: WarehouseTableName): string {
    return `${this.prefix}batches/${table}/${padSequence(sequence)}/${target}.parquet`;
  }

  manifestsPrefix(table: SourceTableName): string {
    return `${this.prefix}manifests/${table}/`;
  }

  manifest(table: SourceTableName, sequence: number): string {
    return `${this.manifestsPrefix(table)}${padSequence(sequence)}.json`;
  }

  /** The sequence a manifest key names, or undefined for a key that is not a manifest. */
  sequenceOfManifest(table: SourceTableName, key: string): number | undefined {
    const rest = key.slice(this.manifestsPrefix(table).length);
    const match = /^(\d{10})\.json$/.exec(rest);
    return key.startsWith(this.manifestsPrefix(table)) && match ? Number(match[1]) : undefined;
  }

  rejected(table: SourceTableName, sequence: number): string {
    return `${this.prefix}rejected/${table}/${padSequence(sequence)}.jsonl`;
  }

  state(table: SourceTableName): string {
    return `${this.prefix}state/${table}.json`;
  }
}

/** One Parquet file of a batch. */
export interface BatchFile {
  readonly table: WarehouseTableName;
  readonly key: string;
  readonly rows: number;
}

/**
 * A processed batch: everything one ingestion object produced. Written after all its
 * files, so a batch whose manifest exists is complete.
 */
export interface BatchManifest {
  readonly formatVersion: 1;
  readonly sourceTable: SourceTableName;
  readonly sequence: number;
  readonly watermark: string;
  readonly sourceKey: string;
  /** ETag of the ingestion object: tells a re-delivery from a replaced object. */
  readonly sourceETag?: string;
  readonly rowsIn: number;
  readonly rowsRejected: number;
  readonly rejectedKey?: string;
  readonly files: readonly BatchFile[];
  /** ISO instant the transform committed the batch. */
  readonly transformedAt: string;
  /**
   * ISO instant the job that wrote the ingestion object read the source (its
   * `source-read-at` metadata); absent when the object has none (objects from other jobs).
   */
  readonly sourceReadAt?: string;
}
