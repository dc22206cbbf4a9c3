/**
 * The extract stage's bucket port over S3: conditional writes (If-None-Match: * to
 * create, If-Match: <etag> to replace; S3 answers 412 or 409 when another writer won)
 * and multipart upload of spooled bodies, completed with If-None-Match so an existing
 * object is never overwritten. An upload that fails is aborted.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ExtractStore, SpooledBody, StoredObject, WriteOptions } from '../../core/extract';
import type { StoredObjectInfo } from '../../core/ports';
import { isConditionFailure, isMissing, unquote } from './s3-errors';
import { S3ObjectStore } from './s3-object-store';

/** S3's minimum part is 5 MiB; 8 MiB parts keep memory small and parts few. */
const PART_BYTES = 8 * 1024 * 1024;

export class S3ExtractStore implements ExtractStore {
  private readonly objects: S3ObjectStore;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly partBytes = PART_BYTES,
  ) {
    this.objects = new S3ObjectStore(client, bucket);
  }

  list(prefix: string, startAfter?: string): AsyncIterable<StoredObjectInfo> {
    return this.objects.list(prefix, startAfter);
  }

  async read(key: string): Promise<StoredObject | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      return { body, etag: unquote(response.ETag) ?? '', metadata: response.Metadata ?? {} };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async metadata(key: string): Promise<Readonly<Record<string, string>> | undefined> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return response.Metadata ?? {};
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          Metadata: options.metadata ? { ...options.metadata } : undefined,
          IfNoneMatch: options.ifAbsent ? '*' : undefined,
          IfMatch: options.ifMatch === undefined ? undefined : `"${options.ifMatch}"`,
        }),
      );
      return true;
    } catch (error) {
      if ((options.ifAbsent || options.ifMatch !== undefined) && isConditionFailure(error)) return false;
      throw error;
    }
  }

  async createFrom(key: string, body: SpooledBody, options: Omit<WriteOptions, 'ifAbsent' | 'ifMatch'> = {}): Promise<boolean> {
    if (body.size <= this.partBytes) {
      const parts: Uint8Array[] = [];
      for await (const chunk of body.chunks()) parts.push(chunk);
      return this.write(key, Buffer.concat(parts), { ...options, ifAbsent: true });
    }
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: options.contentType,
        Metadata: options.metadata ? { ...options.metadata } : undefined,
      }),
    );
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      const upload = async (bytes: Buffer) => {
        const PartNumber = parts.length + 1;
        const { ETag } = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber, Body: bytes }),
        );
        parts.push({ ETag: ETag ?? '', PartNumber });
      };
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of body.chunks()) {
        pending.push(Buffer.from(chunk));
        pendingBytes += chunk.length;
        while (pendingBytes >= this.partBytes) {
          const all = Buffer.concat(pending);
          await upload(all.subarray(0, this.partBytes));
          pending = [all.subarray(this.partBytes)];
          pendingBytes = all.length - this.partBytes;
        }
      }
      if (pendingBytes > 0) await upload(Buffer.concat(pending));
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId })).catch(() => {});
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
