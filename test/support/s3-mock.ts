/**
 * An in-memory S3 behind aws-sdk-client-mock: every S3Client's `send` is answered from a
 * map of buckets, so the real S3ObjectStore adapter runs against it. Bodies come back as
 * SDK streams (sdkStreamMixin over a Node Readable, in small chunks), ETags are quoted
 * MD5s as S3 gives them, missing keys raise NoSuchKey / NotFound, listings paginate, and
 * conditional puts (`IfNoneMatch: '*'`, `IfMatch`) answer 412 PreconditionFailed as S3 does.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';

const LEASE_KEY = /(^|\/)state\/locks\/[^/]+\.json$/;

export interface FakeS3Object {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

export class FakeS3 {
  readonly mock = mockClient(S3Client);
  private readonly buckets = new Map<string, Map<string, FakeS3Object>>();
  /** Page size of ListObjectsV2 (S3's is 1000); small values exercise pagination. */
  pageSize = 1000;
  /** Size of the chunks a GetObject body streams in. */
  chunkSize = 64 * 1024;
  /** When set and true for a put, the put fails as if the network dropped (crash injection). */
  failPut: ((bucket: string, key: string) => boolean) | undefined;

  constructor() {
    this.install();
  }

  /** Forgets every object and all recorded calls; keeps answering. */
  reset(): void {
    this.buckets.clear();
    this.failPut = undefined;
    this.pageSize = 1000;
    this.mock.reset();
    this.install();
  }

  restore(): void {
    this.mock.restore();
  }

  put(bucket: string, key: string, body: Uint8Array | string, contentType?: string, metadata?: Record<string, string>): FakeS3Object {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
    const object = {
      body: bytes,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      contentType,
      ...(metadata ? { metadata } : {}),
    };
    this.bucket(bucket).set(key, object);
    return object;
  }

  get(bucket: string, key: string): FakeS3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  text(bucket: string, key: string): string | undefined {
    const object = this.get(bucket, key);
    return object && new TextDecoder().decode(object.body);
  }

  keys(bucket: string, prefix = ''): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].filter((key) => key.startsWith(prefix)).sort();
  }

  /** Keys in a bucket without the transform lock's lease: what the pipeline published. */
  publishedKeys(bucket: string, prefix = ''): string[] {
    return this.keys(bucket, prefix).filter((key) => !LEASE_KEY.test(key));
  }

  /**
   * Keys written by PutObject since the last reset or history reset, leaving out the
   * transform lock's lease (`state/locks/`): taking and releasing it publishes nothing.
   */
  putKeys(): string[] {
    return this.allPutKeys().filter((key) => !LEASE_KEY.test(key));
  }

  /** Every key written by PutObject, lock leases included. */
  allPutKeys(): string[] {
    return this.mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key!);
  }

  private bucket(name: string): Map<string, FakeS3Object> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private install(): void {
    this.mock.on(GetObjectCommand).callsFake(async (input) => {
      const object = this.get(input.Bucket!, input.Key!);
      if (!object) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < object.body.length; offset += this.chunkSize) {
        chunks.push(Buffer.from(object.body.subarray(offset, offset + this.chunkSize)));
      }
      return {
        Body: sdkStreamMixin(Readable.from(chunks)),
        ETag: object.etag,
        ContentLength: object.body.length,
        ContentType: object.contentType,
        Metadata: object.metadata,
      };
    });
    this.mock.on(HeadObjectCommand).callsFake(async (input) => {
      const object = this.get(input.Bucket!, input.Key!);
      if (!object) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
      return { ETag: object.etag, ContentLength: object.body.length, ContentType: object.contentType };
    });
    this.mock.on(PutObjectCommand).callsFake(async (input) => {
      if (this.failPut?.(input.Bucket!, input.Key!)) {
        throw Object.assign(new Error(`injected failure writing ${input.Key}`), { name: 'InjectedFailure' });
      }
      const existing = this.get(input.Bucket!, input.Key!);
      if (input.IfMatch !== undefined && existing === undefined) {
        throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      }
      if ((input.IfNoneMatch === '*' && existing) || (input.IfMatch !== undefined && existing!.etag !== input.IfMatch)) {
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      }
      const body = input.Body as Uint8Array | string;
      const object = this.put(input.Bucket!, input.Key!, body, input.ContentType);
      if (input.Metadata) this.bucket(input.Bucket!).set(input.Key!, { ...object, metadata: input.Metadata });
      return { ETag: object.etag };
    });
    this.mock.on(ListObjectsV2Command).callsFake(async (input) => {
      const after = input.ContinuationToken ?? input.StartAfter ?? '';
      const matching = this.keys(input.Bucket!, input.Prefix ?? '').filter((key) => key > after);
      const page = matching.slice(0, Math.min(this.pageSize, input.MaxKeys ?? 1000));
      const truncated = matching.length > page.length;
      return {
        Contents: page.map((key) => {
          const object = this.get(input.Bucket!, key)!;
          return { Key: key, Size: object.body.length, ETag: object.etag };
        }),
        KeyCount: page.length,
        IsTruncated: truncated,
        NextContinuationToken: truncated ? page[page.length - 1] : undefined,
      };
    });
  }
}
