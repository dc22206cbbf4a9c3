/**
 * User metadata of objects in a local file bucket (S3's `x-amz-meta-*`): one JSON object of
 * strings per object, in `<metadata root>/<key>.meta.json`. The metadata root sits beside the
 * bucket's folder (`<root>-metadata`, e.g. `ingestion` → `ingestion-metadata`), never inside
 * it, so listings never show it. The local extract store writes it; FileObjectStore.get
 * returns it, as S3's GetObject does.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The folder holding the metadata of the bucket at `root`. */
export function metadataRootOf(root: string): string {
  return `${resolve(root)}-metadata`;
}

/** The key, under the metadata root, of the metadata of object `key`. */
export function metadataKeyOf(key: string): string {
  return `${key}.meta.json`;
}

/** The metadata written for `key` (a key already validated), or undefined when there is none. */
export async function readObjectMetadata(metadataRoot: string, key: string): Promise<Readonly<Record<string, string>> | undefined> {
  const path = join(metadataRoot, ...metadataKeyOf(key).split('/'));
  const bytes = await readFile(path).catch((error: unknown) => {
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((error as { code?: string })?.code ?? '')) return undefined;
    throw error;
  });
  if (bytes === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`metadata of object ${key} (${path}) is not JSON: ${(error as Error).message}`);
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((value) => typeof value !== 'string')
  ) {
    throw new Error(`metadata of object ${key} (${path}) is not a JSON object of strings`);
  }
  return parsed as Record<string, string>;
}
