/** S3ObjectStore against in-memory S3 (aws-sdk-client-mock). */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { S3AccessDeniedError, S3ObjectStore } from '../../lambdas/adapters/aws/s3-object-store';
import { INGESTION_BUCKET, TransformHarness } from '../transform/support/harness';
import { FakeS3 } from '../support/s3-mock';

const s3 = new FakeS3();
const store = new S3ObjectStore(new S3Client({ region: 'eu-west-2' }), 'bucket');
beforeEach(() => s3.reset());
afterAll(() => s3.restore());

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('S3ObjectStore', () => {
  it('streams an object body chunk by chunk', async () => {
    s3.chunkSize = 4;
    s3.put('bucket', 'a/b.jsonl', '{"x": 1}\n{"x": 2}\n');
    const stream = await store.getStream('a/b.jsonl');
    let chunks = 0;
    const parts: Uint8Array[] = [];
    for await (const chunk of stream!) {
      chunks++;
      parts.push(chunk);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(Buffer.concat(parts).toString()).toBe('{"x": 1}\n{"x": 2}\n');
    s3.chunkSize = 64 * 1024;
  });

  it('reads whole bodies and reports missing objects as undefined', async () => {
    s3.put('bucket', 'k', new Uint8Array([0, 1, 255]));
    expect(await store.getBytes('k')).toEqual(new Uint8Array([0, 1, 255]));
    expect(await store.getBytes('missing')).toBeUndefined();
    expect(await store.getStream('missing')).toBeUndefined();
    expect(await store.head('missing')).toBeUndefined();
  });

  it('heads an object with its size and unquoted ETag', async () => {
    const { etag } = s3.put('bucket', 'k', 'hello');
    expect(await store.head('k')).toEqual({ key: 'k', size: 5, etag: etag.replace(/"/g, '') });
    expect(etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  });

  it('puts bodies with content type and metadata', async () => {
    await store.put('out/x.json', '{"a":1}', { contentType: 'application/json', metadata: { rows: '1' } });
    expect(s3.mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'bucket',
      Key: 'out/x.json',
      ContentType: 'application/json',
      Metadata: { rows: '1' },
    });
    expect(s3.text('bucket', 'out/x.json')).toBe('{"a":1}');
    expect(await collect((await store.getStream('out/x.json'))!)).toBe('{"a":1}');
  });

  it('lists every key under a prefix in key order across pages, optionally after a key', async () => {
    s3.pageSize = 2;
    for (const key of ['m/3', 'm/1', 'm/5', 'm/2', 'm/4', 'n/1']) s3.put('bucket', key, key);
    const all: string[] = [];
    for await (const info of store.list('m/')) all.push(info.key);
    expect(all).toEqual(['m/1', 'm/2', 'm/3', 'm/4', 'm/5']);
    const after: string[] = [];
    for await (const info of store.list('m/', 'm/2')) after.push(info.key);
    expect(after).toEqual(['m/3', 'm/4', 'm/5']);
  });

  it('says access denied (403), naming the object, rather than passing S3\'s bare "Access Denied"', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      message: 'Access Denied',
      $metadata: { httpStatusCode: 403 },
    });
    s3.mock.on(GetObjectCommand).rejects(denied);
    s3.mock.on(HeadObjectCommand).rejects(denied);
    for (const read of [() => store.getBytes('in/k'), () => store.getStream('in/k'), () => store.head('in/k')]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(S3AccessDeniedError);
      expect((error as Error).message).toMatch(/^access denied reading s3:\/\/bucket\/in\/k \(S3 403 AccessDenied\): /);
      expect((error as Error).cause).toBe(denied);
    }
  });

  it('lets other errors through unchanged', async () => {
    const failure = new S3ServiceException({
      name: 'InternalError',
      $fault: 'server',
      message: 'We encountered an internal error',
      $metadata: { httpStatusCode: 500 },
    });
    s3.mock.on(GetObjectCommand).rejects(failure);
    await expect(store.getBytes('k')).rejects.toBe(failure);
  });
});

describe('the transform, when its ingestion object cannot be read', () => {
  const h = new TransformHarness();
  beforeEach(() => h.reset());
  afterAll(() => {
    h.s3.restore();
    h.ssm.restore();
  });
  const key = 'design/0000000001_20241114T093012345.jsonl';

  it('says the object was deleted when S3 answers 404 (the role may list the ingestion prefix)', async () => {
    await expect(h.transform({ key, etag: 'abc' })).rejects.toThrow(
      `ingestion object "${key}" does not exist (404 Not Found): it was deleted or renamed after its event was sent; nothing to transform`,
    );
  });

  it('says access was denied when S3 answers 403', async () => {
    h.s3.mock
      .on(GetObjectCommand, { Bucket: INGESTION_BUCKET, Key: key })
      .rejects(
        new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }),
      );
    await expect(h.transform({ key, etag: 'abc' })).rejects.toThrow(
      `access denied reading s3://${INGESTION_BUCKET}/${key} (S3 403 AccessDenied)`,
    );
  });
});

describe('S3ObjectStore reads and conditional writes', () => {
  it('returns the ETag of the very response whose bytes it streams', async () => {
    const { etag } = s3.put('bucket', 'k', 'first');
    const read = await store.get('k');
    s3.put('bucket', 'k', 'second'); // replaced after the read began: the read keeps its bytes and ETag
    expect(await collect(read!.body)).toBe('first');
    expect(read!.etag).toBe(etag.replace(/"/g, ''));
    expect(read!.size).toBe(5);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('creates only when absent and replaces only the version it names, answering the new ETag', async () => {
    const created = await store.putIf('lock', 'a', { ifNoneMatch: '*' });
    expect(created).toBe((await store.head('lock'))!.etag);
    expect(await store.putIf('lock', 'b', { ifNoneMatch: '*' })).toBeUndefined();
    expect(s3.text('bucket', 'lock')).toBe('a');
    expect(await store.putIf('lock', 'c', { ifMatch: 'not-the-etag' })).toBeUndefined();
    const replaced = await store.putIf('lock', 'd', { ifMatch: created! });
    expect(s3.text('bucket', 'lock')).toBe('d');
    expect(replaced).toBe((await store.head('lock'))!.etag);
    expect(await store.putIf('gone', 'e', { ifMatch: created! })).toBeUndefined();
    expect(s3.mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'lock', IfMatch: `"${created}"` });
    expect(s3.mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'lock', IfNoneMatch: '*' });
  });

  it('treats a conflicting conditional write in flight (409) as lost, and lets other errors through', async () => {
    s3.mock
      .on(PutObjectCommand)
      .rejectsOnce(
        new S3ServiceException({
          name: 'ConditionalRequestConflict',
          $fault: 'client',
          message: 'conflict',
          $metadata: { httpStatusCode: 409 },
        }),
      )
      .rejectsOnce(
        new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }),
      );
    expect(await store.putIf('lock', 'a', { ifNoneMatch: '*' })).toBeUndefined();
    await expect(store.putIf('lock', 'a', { ifNoneMatch: '*' })).rejects.toThrow('Access Denied');
  });
});
