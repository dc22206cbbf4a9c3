/** What the handler needs from an S3 event notification record. */
import type { S3EventRecord } from 'aws-lambda';

export interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly etag?: string;
}

/**
 * S3 event keys are URL-encoded with `+` for space (form encoding): decode the `+` first,
 * so a literal plus (sent as `%2B`) survives.
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export function createdObject(record: S3EventRecord): CreatedObject {
  const { bucket, object } = record.s3;
  return { bucket: bucket.name, key: decodeS3EventKey(object.key), etag: object.eTag || undefined };
}

export function isObjectCreated(record: S3EventRecord): boolean {
  return record.eventName?.startsWith('ObjectCreated:') ?? false;
}
