/**
 * The object's bytes, gunzipped when they are gzip. Streaming (node:zlib), so memory
 * stays bounded whatever the object's size.
 *
 * Gzip is used when the key says so (`.jsonl.gz`) **or** when the body starts with the
 * gzip magic bytes 1f 8b even though the key lacks `.gz`: JSON text never starts with
 * byte 0x1f, so this cannot misread a plain object, and it rescues objects uploaded
 * with a content encoding the key does not show. A `.gz` key whose body is not gzip
 * (including an empty body) is a corrupt gzip. Corrupt or truncated gzip is a
 * BadObjectError; errors reading the body itself (network) pass through unchanged, so
 * the invocation fails and is retried.
 */
import { Buffer } from 'node:buffer';
import { Readable, type TransformOptions } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ZlibOptions, createGunzip } from 'node:zlib';
import { BadObjectError } from './types';

const GZIP_MAGIC_1 = 0x1f;
const GZIP_MAGIC_2 = 0x8b;
/** Larger than zlib's 16 KiB default: fewer, fuller chunks downstream. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;
/** Lets zlib (on the libuv thread pool) inflate ahead while this thread parses. */
const GUNZIP_READ_AHEAD_BYTES = 1024 * 1024;

export async function* decompressedBytes(body: AsyncIterable<Uint8Array>, gzipKey: boolean, objectKey: string): AsyncGenerator<Buffer> {
  const source = body[Symbol.asyncIterator]();
  let sourceDone = false;
  try {
    // Peek at the first two bytes (chunks may be tiny) to recognise gzip.
    const head: Buffer[] = [];
    let headBytes = 0;
    while (headBytes < 2) {
      const next = await source.next();
      if (next.done) {
        sourceDone = true;
        break;
      }
      const chunk = asBuffer(next.value);
      head.push(chunk);
      headBytes += chunk.length;
    }
    const first = Buffer.concat(head);
    const bytes = async function* (): AsyncGenerator<Buffer> {
      if (first.length > 0) yield first;
      while (!sourceDone) {
        const next = await source.next();
        if (next.done) sourceDone = true;
        else yield asBuffer(next.value);
      }
    };
    const gzipMagic = first.length >= 2 && first[0] === GZIP_MAGIC_1 && first[1] === GZIP_MAGIC_2;
    yield* gzipKey || gzipMagic ? gunzip(bytes(), objectKey) : readAhead(bytes());
  } finally {
    // Stopped early (the consumer returned, or an error): release the body (its socket).
    // A stream is destroyed: its iterator's return() would wait for the read in flight,
    // which on a stalled connection lasts until the socket times out.
    if (!sourceDone) {
      if (isDestroyable(body)) body.destroy();
      else await source.return?.();
    }
  }
}

async function* gunzip(compressed: AsyncIterable<Buffer>, objectKey: string): AsyncGenerator<Buffer> {
  // zlib streams pass stream options through to their Transform (the types omit them).
  const options: ZlibOptions & TransformOptions = { chunkSize: GUNZIP_CHUNK_BYTES, readableHighWaterMark: GUNZIP_READ_AHEAD_BYTES };
  const gunzipStream = createGunzip(options);
  // The pipeline's failure also destroys gunzipStream, which ends the loop below with
  // the same error; the catch only keeps the promise from going unhandled.
  const piping = pipeline(Readable.from(compressed, { objectMode: false }), gunzipStream).catch(() => undefined);
  try {
    for await (const chunk of gunzipStream) yield chunk as Buffer;
  } catch (error) {
    throw isZlibError(error) ? corruptGzip(objectKey, error) : error;
  } finally {
    gunzipStream.destroy();
    await piping;
  }
}

/**
 * A plain body with its next chunk always on its way while this thread parses the current
 * one: a body stream only starts a read once the last chunk is taken, so the thread would
 * otherwise wait for every read. Chunks pass through as they are: a Readable in byte mode
 * would join queued chunks into new buffers, a copy of the whole object (and a GC every
 * few dozen megabytes, which V8 runs as buffers accumulate). An error of the body passes
 * through unchanged.
 */
async function* readAhead(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const source = chunks[Symbol.asyncIterator]();
  let next = source.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = source.next();
      yield result.value;
    }
  } finally {
    // Stopped early: the read in flight may still fail, and must not go unhandled.
    next.catch(() => undefined);
  }
}

function isDestroyable(body: AsyncIterable<Uint8Array>): body is AsyncIterable<Uint8Array> & { destroy(): void } {
  return typeof (body as { destroy?: unknown }).destroy === 'function';
}

function isZlibError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
}

function corruptGzip(objectKey: string, error: Error & { code: string }): BadObjectError {
  const truncated = error.code === 'Z_BUF_ERROR';
  return new BadObjectError(
    objectKey,
    truncated ? `corrupt gzip: the compressed data is truncated (${error.message})` : `corrupt gzip: ${error.message}`,
  );
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
