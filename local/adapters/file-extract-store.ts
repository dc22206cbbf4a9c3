/**
 * The ingest stage's ExtractStore on the local filesystem (local mode, the benchmark):
 * objects are files under `root` exactly as FileObjectStore lays them out (so the
 * transform reads them), user metadata lives beside, under `metadataRoot` (outside the
 * bucket's folder, so listings never show it).
 *
 * Create-if-absent is atomic (the body is written to a temporary file, then hard-linked
 * into place: link fails when the name exists). Replace-if-match compares the MD5 ETag
 * first: fine for local mode's one process, not a cross-process lock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ExtractStore, SpooledBody, StoredObject, WriteOptions } from '../../lambdas/core/extract';
import type { StoredObjectInfo } from '../../lambdas/core/ports';
import { FileObjectStore, TEMP_DIRECTORY } from '../../lambdas/adapters/file/file-object-store';

export class FileExtractStore implements ExtractStore {
  private readonly objects: FileObjectStore;
  private readonly metadataStore: FileObjectStore;
  readonly root: string;

  constructor(root: string, metadataRoot: string) {
    this.root = resolve(root);
    this.objects = new FileObjectStore(this.root);
    this.metadataStore = new FileObjectStore(metadataRoot);
  }

  list(prefix: string, startAfter?: string): AsyncIterable<StoredObjectInfo> {
    return this.objects.list(prefix, startAfter);
  }

  async read(key: string): Promise<StoredObject | undefined> {
    const body = await this.objects.getBytes(key);
    if (body === undefined) return undefined;
    return { body, etag: md5(body), metadata: (await this.metadata(key)) ?? {} };
  }

  async metadata(key: string): Promise<Readonly<Record<string, string>> | undefined> {
    if ((await this.objects.head(key)) === undefined) return undefined;
    const bytes = await this.metadataStore.getBytes(`${key}.meta.json`);
    return bytes === undefined ? {} : (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, string>);
  }

  async write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<boolean> {
    if (options.ifMatch !== undefined) {
      const current = await this.objects.head(key);
      if (current?.etag !== options.ifMatch) return false;
    }
    await this.writeMetadata(key, options.metadata);
    if (!options.ifAbsent) {
      await this.objects.put(key, body);
      return true;
    }
    return this.linkNew(key, async (path) => writeFile(path, body));
  }

  async createFrom(key: string, body: SpooledBody, options: Omit<WriteOptions, 'ifAbsent' | 'ifMatch'> = {}): Promise<boolean> {
    if ((await this.objects.head(key)) !== undefined) return false;
    await this.writeMetadata(key, options.metadata);
    return this.linkNew(key, async (path) => {
      const file = createWriteStream(path);
      await pipeline(Readable.from(body.chunks()), file);
      if (!file.closed) await once(file, 'close');
    });
  }

  private async writeMetadata(key: string, metadata: Readonly<Record<string, string>> | undefined): Promise<void> {
    // Before the object: metadata without its object is harmless (the next create rewrites it).
    if (metadata) await this.metadataStore.put(`${key}.meta.json`, JSON.stringify(metadata));
  }

  /** Writes a temporary file, then links it to the key's path unless that exists. */
  private async linkNew(key: string, fill: (path: string) => Promise<void>): Promise<boolean> {
    await this.objects.head(key); // validates the key (throws InvalidObjectKeyError)
    const path = join(this.root, ...key.split('/'));
    const temp = join(this.root, TEMP_DIRECTORY, `${randomBytes(12).toString('hex')}.partial`);
    await mkdir(dirname(temp), { recursive: true });
    try {
      await fill(temp);
      await mkdir(dirname(path), { recursive: true });
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
  }
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}
