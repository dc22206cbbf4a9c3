import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GzipSpool } from '../../lambdas/core/extract/gzip-spool';
import { FileExtractStore } from '../../local/adapters/file-extract-store';

let dir: string;
let store: FileExtractStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-extract-store-'));
  store = new FileExtractStore(join(dir, 'bucket'), join(dir, 'metadata'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function spooled(lines: number) {
  const spool = await GzipSpool.create(1);
  for (let i = 0; i < lines; i++) await spool.writeLine(`{"i":${i}}`);
  return { spool, body: await spool.finish() };
}

describe('local extract store', () => {
  it('creates an object once, with its metadata, and never replaces it', async () => {
    const { spool, body } = await spooled(50_000);
    try {
      expect(await store.createFrom('t/0000000001_x.jsonl.gz', body, { metadata: { 'extract-cursor': 'c1' } })).toBe(true);
      expect(await store.createFrom('t/0000000001_x.jsonl.gz', body, { metadata: { 'extract-cursor': 'c2' } })).toBe(false);
    } finally {
      await spool.dispose();
    }
    expect(await store.metadata('t/0000000001_x.jsonl.gz')).toEqual({ 'extract-cursor': 'c1' });
    expect((await store.read('t/0000000001_x.jsonl.gz'))!.body.length).toBe(body.size);
    const keys: string[] = [];
    for await (const object of store.list('')) keys.push(object.key);
    expect(keys).toEqual(['t/0000000001_x.jsonl.gz']);
  });

  it('writes conditionally: absent, or the version read', async () => {
    expect(await store.write('lease', 'a', { ifAbsent: true })).toBe(true);
    expect(await store.write('lease', 'b', { ifAbsent: true })).toBe(false);
    const current = await store.read('lease');
    expect(await store.write('lease', 'c', { ifMatch: 'other' })).toBe(false);
    expect(await store.write('lease', 'c', { ifMatch: current!.etag })).toBe(true);
    expect(new TextDecoder().decode((await store.read('lease'))!.body)).toBe('c');
    expect(await store.metadata('missing')).toBeUndefined();
  });
});
