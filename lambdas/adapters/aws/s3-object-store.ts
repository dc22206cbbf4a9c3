/**
 * ObjectStore over one S3 bucket. A missing key (404) reads as undefined; access denied
 * (403) is an error that says so, naming the object: S3 also answers 403 for a missing key
 * when the role may not list it, which is why each role gets s3:ListBucket on what it reads.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore, PutOptions, ReadObject, StoredObjectInfo, WriteCondition } from '../../core/ports';
import { PipelineError } from '../../core/errors';
import { isAccessDenied, isConditionFailure, isMissing, unquote } from './s3-errors';

export class S3AccessDeniedError extends PipelineError {
  readonly kind = 'configuration';
  constructor(
    readonly bucket: string,
    readonly key: string,
    options: { cause: unknown },
  ) {
    super(
      `access denied reading s3://${bucket}/${key} (S3 403 AccessDenied): the object may exist but this role may not read it ` +
        '(its IAM policy, the bucket policy, or a KMS key it may not use); a missing object would have read as 404',
      options,
    );
    this.name = 'S3AccessDeniedError';
  }
}

/** S3 answers 403 for an object in an archive storage class too; that is not a permission problem. */
class S3ObjectArchivedError extends PipelineError {
  readonly kind = 'unavailable';
  constructor(
    readonly bucket: string,
    readonly key: string,
    options: { cause: unknown },
  ) {
    super(
      `s3://${bucket}/${key} is archived (S3 403 InvalidObjectState): restore it (or move it to a storage class S3 can read ` +
        'directly), then retry',
      options,
    );
    this.name = 'S3ObjectArchivedError';
  }
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async getStream(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return response.Body as AsyncIterable<Uint8Array> | undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.explained(error, key);
    }
  }

  async get(key: string): Promise<ReadObject | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = (response.Body as AsyncIterable<Uint8Array> | undefined) ?? emptyBody();
      return { body, etag: unquote(response.ETag), size: response.ContentLength, metadata: response.Metadata ?? {} };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.explained(error, key);
    }
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.explained(error, key);
    }
  }

  async head(key: string): Promise<StoredObjectInfo | undefined> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: response.ContentLength ?? 0, etag: unquote(response.ETag) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw this.explained(error, key);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        Metadata: options.metadata ? { ...options.metadata } : undefined,
      }),
    );
  }

  async putIf(key: string, body: Uint8Array | string, condition: WriteCondition, options: PutOptions = {}): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          Metadata: options.metadata ? { ...options.metadata } : undefined,
          ...('ifNoneMatch' in condition ? { IfNoneMatch: '*' } : { IfMatch: `"${condition.ifMatch}"` }),
        }),
      );
      return unquote(response.ETag);
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw error;
    }
  }

  private explained(error: unknown, key: string): unknown {
    if ((error as { name?: string })?.name === 'InvalidObjectState') return new S3ObjectArchivedError(this.bucket, key, { cause: error });
    return isAccessDenied(error) ? new S3AccessDeniedError(this.bucket, key, { cause: error }) : error;
  }

  async *list(prefix: string, startAfter?: string): AsyncIterable<StoredObjectInfo> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          StartAfter: continuationToken ? undefined : startAfter,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key, size: object.Size ?? 0, etag: unquote(object.ETag) };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }
}

/** 412 and 409 (see isConditionFailure), and 404: `IfMatch` on a key that no longer exists. All mean "another writer got there first". */
function conditionFailed(error: unknown): boolean {
  return isConditionFailure(error) || isMissing(error);
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}
