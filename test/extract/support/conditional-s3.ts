/**
 * An in-memory S3 with what the extract stage relies on: conditional PutObject
 * (If-None-Match: *, If-Match), user metadata, and multipart uploads completed with
 * If-None-Match. Behind aws-sdk-client-mock, so the real S3ExtractStore adapter runs.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';

export interface FakeObject {
  readonly body: Uint8Array;
  readonly etag: string;
  readonly metadata: Record<string, string>;
}

function preconditionFailed(key: string): Error {
  return new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    message: `At least one of the pre-conditions you specified did not hold (${key})`,
    $metadata: { httpStatusCode: 412 },
  });
}

export class ConditionalS3 {
  readonly mock = mockClient(S3Client);
  readonly objects = new Map<string, FakeObject>(); // "bucket/key"
  readonly uploads = new Map<string, { key: string; parts: Map<number, Uint8Array>; metadata: Record<string, string> }>();
  /** Crash injection: throw for a matching write (PutObject or CompleteMultipartUpload). */
  failWrite: ((key: string) => boolean) | undefined;
  /** Called before a write lands (to interleave a concurrent writer). */
  beforeWrite: ((key: string) => Promise<void>) | undefined;
  private uploadCount = 0;

  constructor() {
    this.install();
  }

  restore(): void {
    this.mock.restore();
  }

  keys(bucket: string, prefix = ''): string[] {
    return [...this.objects.keys()]
      .filter((id) => id.startsWith(`${bucket}/${prefix}`))
      .map((id) => id.slice(bucket.length + 1))
      .sort();
  }

  get(bucket: string, key: string): FakeObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  delete(bucket: string, key: string): void {
    this.objects.delete(`${bucket}/${key}`);
  }

  private land(
    bucket: string,
    key: string,
    body: Uint8Array,
    metadata: Record<string, string>,
    condition: { ifNoneMatch?: string; ifMatch?: string },
  ): string {
    const id = `${bucket}/${key}`;
    const existing = this.objects.get(id);
    if (condition.ifNoneMatch === '*' && existing) throw preconditionFailed(key);
    if (condition.ifMatch !== undefined && (!existing || existing.etag !== condition.ifMatch)) throw preconditionFailed(key);
    const etag = `"${createHash('md5').update(body).digest('hex')}-${++this.uploadCount}"`;
    this.objects.set(id, { body, etag, metadata });
    return etag;
  }

  private install(): void {
    this.mock.on(GetObjectCommand).callsFake(async (input) => {
      const object = this.get(input.Bucket!, input.Key!);
      if (!object) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      return { Body: sdkStreamMixin(Readable.from([Buffer.from(object.body)])), ETag: object.etag, Metadata: object.metadata };
    });
    this.mock.on(HeadObjectCommand).callsFake(async (input) => {
      const object = this.get(input.Bucket!, input.Key!);
      if (!object) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
      return { ETag: object.etag, ContentLength: object.body.length, Metadata: object.metadata };
    });
    this.mock.on(PutObjectCommand).callsFake(async (input) => {
      await this.beforeWrite?.(input.Key!);
      if (this.failWrite?.(input.Key!))
        throw Object.assign(new Error(`injected failure writing ${input.Key}`), { name: 'InjectedFailure' });
      const body = typeof input.Body === 'string' ? new TextEncoder().encode(input.Body) : new Uint8Array(input.Body as Uint8Array);
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(input.Metadata ?? {})) metadata[name.toLowerCase()] = String(value);
      return { ETag: this.land(input.Bucket!, input.Key!, body, metadata, { ifNoneMatch: input.IfNoneMatch, ifMatch: input.IfMatch }) };
    });
    this.mock.on(CreateMultipartUploadCommand).callsFake(async (input) => {
      const UploadId = `upload-${++this.uploadCount}`;
      this.uploads.set(UploadId, { key: input.Key!, parts: new Map(), metadata: { ...(input.Metadata ?? {}) } });
      return { UploadId, Bucket: input.Bucket, Key: input.Key };
    });
    this.mock.on(UploadPartCommand).callsFake(async (input) => {
      const upload = this.uploads.get(input.UploadId!);
      if (!upload) throw new Error('NoSuchUpload');
      const bytes = new Uint8Array(input.Body as Uint8Array);
      upload.parts.set(input.PartNumber!, bytes);
      return { ETag: `"part-${input.PartNumber}"` };
    });
    this.mock.on(CompleteMultipartUploadCommand).callsFake(async (input) => {
      await this.beforeWrite?.(input.Key!);
      if (this.failWrite?.(input.Key!))
        throw Object.assign(new Error(`injected failure writing ${input.Key}`), { name: 'InjectedFailure' });
      const upload = this.uploads.get(input.UploadId!);
      if (!upload) throw new Error('NoSuchUpload');
      const parts = input.MultipartUpload!.Parts!.map((part: { PartNumber?: number }) => upload.parts.get(part.PartNumber!)!);
      const body = Buffer.concat(parts);
      const etag = this.land(input.Bucket!, input.Key!, new Uint8Array(body), upload.metadata, { ifNoneMatch: input.IfNoneMatch });
      this.uploads.delete(input.UploadId!);
      return { ETag: etag };
    });
    this.mock.on(AbortMultipartUploadCommand).callsFake(async (input) => {
      this.uploads.delete(input.UploadId!);
      return {};
    });
    this.mock.on(ListObjectsV2Command).callsFake(async (input) => {
      const after = input.ContinuationToken ?? input.StartAfter ?? '';
      const matching = this.keys(input.Bucket!, input.Prefix ?? '').filter((key) => key > after);
      const page = matching.slice(0, 1000);
      const truncated = matching.length > page.length;
      return {
        Contents: page.map((key) => ({
          Key: key,
          Size: this.get(input.Bucket!, key)!.body.length,
          ETag: this.get(input.Bucket!, key)!.etag,
        })),
        IsTruncated: truncated,
        NextContinuationToken: truncated ? page[page.length - 1] : undefined,
      };
    });
  }
}
