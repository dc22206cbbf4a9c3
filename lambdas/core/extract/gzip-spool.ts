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
import { createGzip, type Gzip } from 'node:zlib';
import type { SpooledBody } from './ports';

/** Characters gathered before handing them to gzip (fewer, larger writes). */
const CHUNK_CHARS = 256 * 1024;
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
    return new GzipSpool(dir, path, createGzip({ level }), createWriteStream(path));
  }

  /** Appends one line (a newline is added). */
  async writeLine(line: string): Promise<void> {
    this.buffered += `${line}\n`;
    if (this.buffered.length >= CHUNK_CHARS) await this.flush();
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
