/**
 * The ingest stage's ExtractStore on the local filesystem (local mode, the benchmark):
 * objects are files under `root` exactly as FileObjectStore lays them out (so the
 * transform reads them), user metadata lives beside, under `metadataRoot` (outside the
 * bucket's folder, so listings never show it; file-object-metadata.ts, where
 * FileObjectStore.get finds it).
 *
 * Create-if-absent is atomic (the body is written to a temporary file, then hard-linked
 * into place: link fails when the name exists). Replace-if-match is FileObjectStore's
 * guarded compare-and-rename, so two writers, in any processes, never both win.
 * Metadata is written only by the winner, after its object: a crash in between leaves
 * the new object with the previous metadata (or none), never a losing or unwritten
 * object's metadata on the object that is there.
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
import { metadataKeyOf, metadataRootOf, readObjectMetadata } from '../../lambdas/adapters/file/file-object-metadata';

export class FileExtractStore implements ExtractStore {
  private readonly objects: FileObjectStore;
  private readonly metadataStore: FileObjectStore;
  readonly root: string;

  constructor(root: string, metadataRoot: string = metadataRootOf(root)) {
    this.root = resolve(root);
    this.objects = new FileObjectStore(this.root, { metadataRoot });
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
    return (await readObjectMetadata(this.metadataStore.root, key)) ?? {};
  }

  async write(key: string, body: Uint8Array | string, options: WriteOptions = {}): Promise<boolean> {
    let written: boolean;
    if (options.ifMatch !== undefined) written = (await this.objects.putIf(key, body, { ifMatch: options.ifMatch })) !== undefined;
    else if (options.ifAbsent) written = await this.linkNew(key, async (path) => writeFile(path, body));
    else {
      await this.objects.put(key, body);
      written = true;
    }
    if (written) await this.writeMetadata(key, options.metadata);
    return written;
  }

  async createFrom(key: string, body: SpooledBody, options: Omit<WriteOptions, 'ifAbsent' | 'ifMatch'> = {}): Promise<boolean> {
    if ((await this.objects.head(key)) !== undefined) return false;
    const created = await this.linkNew(key, async (path) => {
      const file = createWriteStream(path);
      await pipeline(Readable.from(body.chunks()), file);
      if (!file.closed) await once(file, 'close');
    });
    if (created) await this.writeMetadata(key, options.metadata);
    return created;
  }

  /** After the object is written: as S3, a write replaces the metadata (none given: none kept). */
  private async writeMetadata(key: string, metadata: Readonly<Record<string, string>> | undefined): Promise<void> {
    if (metadata) await this.metadataStore.put(metadataKeyOf(key), JSON.stringify(metadata));
    else await rm(this.metadataStore.pathOf(metadataKeyOf(key)), { force: true });
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
