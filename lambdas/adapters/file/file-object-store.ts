/**
 * A bucket on the local filesystem: the ObjectStore local mode and tests use in place of S3.
 * Object `a/b/c.jsonl` is the file `<root>/a/b/c.jsonl`, so the directory can be browsed
 * like the bucket.
 *
 * Behaves like S3 where the core relies on it:
 * - `put` is atomic (temp file + rename): a reader sees the old object or the new one,
 *   never half of one. Temp files live in a reserved directory under the root that no key
 *   may name, so listings never show them.
 * - `list` yields keys in S3 order (UTF-8 byte order), `prefix` is a string prefix (not a
 *   directory), `startAfter` is exclusive.
 * - `etag` is the hex MD5 of the body (S3's single-part ETag, without the quotes); `get`
 *   returns the ETag of the very file it streams.
 * - `putIf` is S3's conditional write: `ifNoneMatch: '*'` is an exclusive create (a hard
 *   link, which fails if the name exists); `ifMatch` compares and replaces under a per-key
 *   guard file created exclusively, so two conditional writers of a key, in any processes,
 *   never both win. A guard older than GUARD_STALE_MS (its writer died inside the few
 *   milliseconds it is held) is broken. Plain `put`s do not take the guard.
 *
 * Keys that could leave the root (`..`, `.`, absolute, empty segments, backslashes, NUL)
 * are refused with InvalidObjectKeyError. Put options (content type, metadata) are accepted
 * and not stored. `get` returns the user metadata the local extract store wrote for the key
 * (file-object-metadata.ts: beside the bucket, under `metadataRoot`), as S3's GetObject
 * does: the transform reads `source-read-at` from it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { withFileGuard } from './file-guard';
import { metadataRootOf, readObjectMetadata } from './file-object-metadata';
import type { ObjectStore, PutOptions, ReadObject, StoredObjectInfo, WriteCondition } from '../../core/ports';
import { PipelineError } from '../../core/errors';

/** Bigger than the stream default (64 KiB): a quarter of the read calls and page faults for a large object. */
const READ_CHUNK_BYTES = 256 * 1024;

/** Directory under the root holding in-flight writes; no key may start with it. */
export const TEMP_DIRECTORY = '.file-object-store-tmp';
export { GUARD_STALE_MS } from './file-guard';

export class InvalidObjectKeyError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

export class FileObjectStore implements ObjectStore {
  readonly root: string;
  /** Where `get` finds the objects' user metadata (file-object-metadata.ts). */
  readonly metadataRoot: string;
  /** ETags by file identity: every put renames a new inode into place, so a hit is current. */
  private readonly etags = new Map<string, { readonly identity: string; readonly etag: string }>();

  constructor(root: string, options: { readonly metadataRoot?: string } = {}) {
    this.root = resolve(root);
    this.metadataRoot = resolve(options.metadataRoot ?? metadataRootOf(this.root));
  }

  async getStream(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const path = this.pathOf(key);
    // Open first, then stream from the handle: a concurrent put renames a new file into
    // place, and this reader keeps the complete old one.
    const handle = await open(path, 'r').catch(absentAsUndefined);
    if (handle === undefined) return undefined;
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      return undefined;
    }
    return handle.createReadStream();
  }

  async get(key: string): Promise<ReadObject | undefined> {
    const handle = await open(this.pathOf(key), 'r').catch(absentAsUndefined);
    if (handle === undefined) return undefined;
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return undefined;
      }
      // The ETag of this open file: a put renames a new file into place, this one stays whole.
      const etag = await this.etagOf(key, handle, stats);
      const metadata = await readObjectMetadata(this.metadataRoot, key);
      return {
        body: handle.createReadStream({ start: 0, highWaterMark: READ_CHUNK_BYTES }),
        etag,
        size: stats.size,
        ...(metadata ? { metadata } : {}),
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    const bytes = await readFile(this.pathOf(key)).catch(absentAsUndefined);
    return bytes === undefined ? undefined : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async head(key: string): Promise<StoredObjectInfo | undefined> {
    const handle = await open(this.pathOf(key), 'r').catch(absentAsUndefined);
    if (handle === undefined) return undefined;
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) return undefined;
      return { key, size: stats.size, etag: await this.etagOf(key, handle, stats) };
    } finally {
      await handle.close();
    }
  }

  private async etagOf(key: string, handle: FileHandle, stats: Stats): Promise<string> {
    const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    const cached = this.etags.get(key);
    if (cached?.identity === identity) return cached.etag;
    const hash = createHash('md5');
    for await (const chunk of handle.createReadStream({ autoClose: false, start: 0 })) hash.update(chunk as Buffer);
    const etag = hash.digest('hex');
    this.etags.set(key, { identity, etag });
    return etag;
  }

  async put(key: string, body: Uint8Array | string, _options?: PutOptions): Promise<void> {
    const path = this.pathOf(key);
    const tempDirectory = join(this.root, TEMP_DIRECTORY);
    await mkdir(tempDirectory, { recursive: true });
    const tempPath = join(tempDirectory, `${randomBytes(12).toString('hex')}.partial`);
    try {
      await writeFile(tempPath, body);
      await mkdir(join(path, '..'), { recursive: true });
      await rename(tempPath, path);
    } catch (error) {
      await rm(tempPath, { force: true });
      if (isCode(error, 'ENOTDIR', 'EEXIST', 'EISDIR')) {
        throw new InvalidObjectKeyError(
          key,
          'a filesystem store cannot hold both an object and a "directory" of objects under the same name',
        );
      }
      throw error;
    }
  }

  async putIf(key: string, body: Uint8Array | string, condition: WriteCondition, _options?: PutOptions): Promise<string | undefined> {
    const path = this.pathOf(key);
    const etag = createHash('md5').update(body).digest('hex');
    if ('ifNoneMatch' in condition) {
      const tempPath = await this.writeTemp(body);
      try {
        await mkdir(join(path, '..'), { recursive: true });
        await link(tempPath, path);
        return etag;
      } catch (error) {
        if (isCode(error, 'EEXIST')) return undefined;
        throw error;
      } finally {
        await rm(tempPath, { force: true });
      }
    }
    return this.withGuard(key, async () => {
      const current = await this.head(key);
      if (current?.etag !== condition.ifMatch) return undefined;
      const tempPath = await this.writeTemp(body);
      try {
        await rename(tempPath, path);
      } catch (error) {
        await rm(tempPath, { force: true });
        throw error;
      }
      return etag;
    });
  }

  private async writeTemp(body: Uint8Array | string): Promise<string> {
    const tempDirectory = join(this.root, TEMP_DIRECTORY);
    await mkdir(tempDirectory, { recursive: true });
    const tempPath = join(tempDirectory, `${randomBytes(12).toString('hex')}.partial`);
    await writeFile(tempPath, body);
    return tempPath;
  }

  /** Runs `work` holding the key's guard: a file only one process can create at a time. */
  private async withGuard<T>(key: string, work: () => Promise<T>): Promise<T> {
    const tempDirectory = join(this.root, TEMP_DIRECTORY);
    await mkdir(tempDirectory, { recursive: true });
    return withFileGuard(join(tempDirectory, `${createHash('md5').update(key).digest('hex')}.guard`), work);
  }

  async *list(prefix: string, startAfter?: string): AsyncIterable<StoredObjectInfo> {
    // The deepest directory wholly named by the prefix; the rest of the prefix filters names.
    const directoryPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (directoryPart !== '') this.pathOf(`${directoryPart}x`);
    yield* this.walk(directoryPart, prefix, startAfter);
  }

  private async *walk(directoryKey: string, prefix: string, startAfter?: string): AsyncGenerator<StoredObjectInfo> {
    const directory = directoryKey === '' ? this.root : join(this.root, ...directoryKey.split('/').slice(0, -1));
    const entries = await readdir(directory, { withFileTypes: true }).catch(absentAsUndefined);
    if (entries === undefined) return;
    // Sorting a directory by `name/` makes a depth-first walk yield keys in global key order:
    // every key below `name/` sorts exactly where `name/` does among its siblings.
    const named = entries
      .filter((entry) => !(directoryKey === '' && entry.name === TEMP_DIRECTORY))
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .map((entry: Dirent) => ({ entry, key: `${directoryKey}${entry.name}${entry.isDirectory() ? '/' : ''}` }))
      .sort((a, b) => compareKeys(a.key, b.key));
    for (const { entry, key } of named) {
      if (entry.isDirectory()) {
        const couldMatch = key.startsWith(prefix) || prefix.startsWith(key);
        const anyAfter = startAfter === undefined || startAfter.startsWith(key) || compareKeys(key, startAfter) > 0;
        if (couldMatch && anyAfter) yield* this.walk(key, prefix, startAfter);
      } else if (key.startsWith(prefix) && (startAfter === undefined || compareKeys(key, startAfter) > 0)) {
        const info = await this.head(key);
        if (info !== undefined) yield info;
      }
    }
  }

  /** The file a key names, or InvalidObjectKeyError for a key that could leave the root. */
  pathOf(key: string): string {
    if (key === '') throw new InvalidObjectKeyError(key, 'the key is empty');
    if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'absolute keys are not allowed');
    if (key.includes('\\')) throw new InvalidObjectKeyError(key, 'backslashes are not allowed');
    if (key.includes('\0')) throw new InvalidObjectKeyError(key, 'NUL characters are not allowed');
    const segments = key.split('/');
    for (const segment of segments) {
      if (segment === '') throw new InvalidObjectKeyError(key, 'empty path segments (leading, trailing or double "/") are not allowed');
      if (segment === '.' || segment === '..') throw new InvalidObjectKeyError(key, `"${segment}" segments are not allowed`);
    }
    if (segments[0] === TEMP_DIRECTORY) throw new InvalidObjectKeyError(key, `"${TEMP_DIRECTORY}" is reserved`);
    const path = resolve(this.root, ...segments);
    // Belt and braces: whatever the checks above missed, the path must stay under the root.
    if (!path.startsWith(this.root + sep)) throw new InvalidObjectKeyError(key, 'the key leaves the store root');
    return path;
  }
}

/** S3 key order: by UTF-8 bytes (differs from JS string order for astral characters). */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '');
}

/** A missing object, or a "key" that names a directory or passes through a file, is absent. */
function absentAsUndefined(error: unknown): undefined {
  if (isCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return undefined;
  throw error;
}
