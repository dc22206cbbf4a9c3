/**
 * Lines gzipped into a temporary file as they are read, so memory stays bounded however
 * large the table: the object's key carries the newest `last_updated`, known only after
 * the last row, so the body is spooled and uploaded once complete (Lambda: /tmp).
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { TransformOptions } from 'node:stream';
import { createGzip, type Gzip, type ZlibOptions } from 'node:zlib';
import type { SpooledBody } from './ports';

/**
 * Characters gathered before handing them to gzip. zlib compresses on the libuv thread
 * pool but needs this thread between its jobs (to take the output and start on the next
 * input): large jobs, each taking a whole chunk and giving its output in one piece, keep
 * it compressing while this thread encodes rows, instead of waiting on this thread after
 * every 16 KiB of output.
 */
const CHUNK_CHARS = 4 * 1024 * 1024;
/** zlib's output buffer: one job's output (about a fifth of its input) fits whole. */
const GZIP_OUTPUT_CHUNK_BYTES = 1024 * 1024;
/** Room for one chunk queued while another is compressed, before a write waits. */
const GZIP_QUEUE_BYTES = 2 * CHUNK_CHARS;
const READ_CHUNK_BYTES = 1024 * 1024;

export class GzipSpool {
  private buffered = '';
  private readonly finished: Promise<unknown>;
  private failure: unknown;

  private constructor(
    private readonly dir: string,
    private readonly path: string,
    private readonly gzip: Gzip,
    file: WriteStream,
  ) {
    gzip.pipe(file);
    this.finished = once(file, 'close');
    const fail = (error: unknown) => {
      this.failure ??= error;
    };
    gzip.on('error', fail);
    file.on('error', fail);
    this.finished.catch(fail);
  }

  static async create(level: number, directory = tmpdir()): Promise<GzipSpool> {
    const dir = await mkdtemp(join(directory, 'extract-'));
    const path = join(dir, 'body.jsonl.gz');
    // zlib streams pass stream options through to their Transform (the types omit them).
    const options: ZlibOptions & TransformOptions = {
      level,
      chunkSize: GZIP_OUTPUT_CHUNK_BYTES,
      writableHighWaterMark: GZIP_QUEUE_BYTES,
    };
    return new GzipSpool(dir, path, createGzip(options), createWriteStream(path));
  }

  /**
   * Appends one line (a newline is added). Returns a promise only when the gathered text
   * went to gzip and must be waited for (backpressure): awaiting every line would cost a
   * microtask turn per row.
   */
  writeLine(line: string): Promise<void> | undefined {
    this.buffered += `${line}\n`;
    return this.buffered.length >= CHUNK_CHARS ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffered === '') return;
    const ok = this.gzip.write(this.buffered);
    this.buffered = '';
    if (!ok) await once(this.gzip, 'drain');
  }

  /** Ends the gzip stream; the body can then be read any number of times. */
  async finish(): Promise<SpooledBody> {
    await this.flush();
    this.gzip.end();
    await this.finished;
    if (this.failure) throw this.failure;
    const { size } = await stat(this.path);
    const path = this.path;
    return {
      size,
      chunks: () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
    };
  }

  /** Deletes the temporary file (always call, success or not). */
  async dispose(): Promise<void> {
    this.gzip.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
