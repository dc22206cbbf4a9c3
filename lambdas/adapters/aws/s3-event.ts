/**
 * What the handler takes from an S3 event notification, and nothing it should not: a
 * record is one of ours only if it is an object creation in the configured ingestion
 * bucket under the configured prefix, shaped `<prefix><table>/<file>`. Event records are
 * input like any other: a malformed one is classified here, never thrown on.
 */
import type { S3EventRecord } from 'aws-lambda';

interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly etag?: string;
}

export interface IngestionSource {
  readonly bucket: string;
  /** Key prefix of ingestion objects; '' for none. */
  readonly prefix: string;
}

/** What to do with one event record. */
export type RecordTriage =
  | { readonly kind: 'object'; readonly object: CreatedObject }
  /** Not ours to process: logged and counted. */
  | { readonly kind: 'ignored'; readonly reason: string; readonly bucket?: string; readonly key?: string }
  /** Claims to be ours but cannot be read: fails on its own. */
  | { readonly kind: 'malformed'; readonly reason: string; readonly key: string };

/**
 * S3 event keys are URL-encoded with `+` for space (form encoding): decode the `+` first,
 * so a literal plus (sent as `%2B`) survives. Throws URIError for a malformed encoding.
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

function isObjectCreated(record: S3EventRecord): boolean {
  return typeof record?.eventName === 'string' && record.eventName.startsWith('ObjectCreated:');
}

export function triageRecord(record: S3EventRecord | undefined, source: IngestionSource): RecordTriage {
  const s3 = (record as Partial<S3EventRecord> | undefined)?.s3;
  const bucket = s3?.bucket?.name;
  const encodedKey = s3?.object?.key;
  if (typeof bucket !== 'string' || typeof encodedKey !== 'string') {
    return { kind: 'ignored', reason: 'the record names no S3 object' };
  }
  if (!isObjectCreated(record!)) {
    return { kind: 'ignored', reason: `not an object creation (${String(record!.eventName)})`, bucket, key: encodedKey };
  }
  if (bucket !== source.bucket) {
    return { kind: 'ignored', reason: `not the ingestion bucket (${source.bucket})`, bucket, key: encodedKey };
  }
  let key: string;
  try {
    key = decodeS3EventKey(encodedKey);
  } catch {
    return { kind: 'malformed', reason: 'the event key is not valid URL encoding', key: encodedKey };
  }
  if (!isIngestionKeyShape(key, source.prefix)) {
    return { kind: 'ignored', reason: `not <prefix><table>/<file> under the ingestion prefix "${source.prefix}"`, bucket, key };
  }
  const etag = s3?.object?.eTag;
  return { kind: 'object', object: { bucket, key, etag: typeof etag === 'string' && etag !== '' ? etag : undefined } };
}

/** `^<prefix><table>/<file>$`: exactly one folder (the table) below the prefix. */
function isIngestionKeyShape(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && /^[^/]+\/[^/]+$/.test(key.slice(prefix.length));
}
