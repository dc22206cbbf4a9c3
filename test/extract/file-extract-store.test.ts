import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GzipSpool } from '../../lambdas/core/extract/gzip-spool';
import { acquireLease } from '../../lambdas/core/extract/lease';
import { SOURCE_READ_AT_METADATA } from '../../lambdas/core/layout';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileExtractStore } from '../../local/adapters/file-extract-store';
import type { LeaseProcessOptions } from './support/lease-process';

const run = promisify(execFile);
const LEASE_PROCESS = resolve(__dirname, 'support/lease-process.ts');
const TSX = resolve(__dirname, '../../node_modules/tsx/dist/loader.mjs');

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

  it('lets exactly one of two concurrent runs take an expired lease', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const key = `extract/lease-${trial}.json`;
      const first = await acquireLease(store, key, new Date(), 60_000);
      if (!first.acquired) throw new Error('the first run must take a free lease');
      await first.lease.release();
      // Two runs, each with its own store (as two processes would have).
      const runs = await Promise.all(
        [0, 1].map(() => acquireLease(new FileExtractStore(join(dir, 'bucket'), join(dir, 'metadata')), key, new Date(), 60_000)),
      );
      expect(runs.filter((run) => run.acquired)).toHaveLength(1);
    }
  });

  it('lets exactly one of two runs in two processes take each expired lease', async () => {
    const keys = Array.from({ length: 30 }, (_, index) => `extract/lease-${index}.json`);
    for (const key of keys) {
      const first = await acquireLease(store, key, new Date(), 60_000);
      if (!first.acquired) throw new Error('the first run must take a free lease');
      await first.lease.release();
    }
    const startAt = Date.now() + 3_000; // after both processes have started
    const outputs = await Promise.all(
      [0, 1].map(() =>
        run(
          process.execPath,
          ['--import', TSX, LEASE_PROCESS, JSON.stringify({ root: dir, keys, startAt } satisfies LeaseProcessOptions)],
          { timeout: 60_000 },
        ),
      ),
    );
    const taken = outputs.flatMap(({ stdout }) => stdout.split('\n').filter(Boolean));
    expect(taken.sort()).toEqual([...keys].sort());
  }, 60_000);

  it('lets exactly one of two concurrent replaces of the same version win', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const key = `state/${trial}`;
      expect(await store.write(key, 'v0', { ifAbsent: true })).toBe(true);
      const { etag } = (await store.read(key))!;
      const other = new FileExtractStore(join(dir, 'bucket'), join(dir, 'metadata'));
      const wins = await Promise.all([store.write(key, 'a', { ifMatch: etag }), other.write(key, 'b', { ifMatch: etag })]);
      expect(wins.filter(Boolean)).toHaveLength(1);
    }
  });

  it('keeps the metadata of the object there when a conditional write loses', async () => {
    expect(await store.write('fingerprints', 'f1', { ifAbsent: true, metadata: { sequence: '1' } })).toBe(true);
    expect(await store.write('fingerprints', 'f2', { ifAbsent: true, metadata: { sequence: '2' } })).toBe(false);
    expect(await store.write('fingerprints', 'f2', { ifMatch: 'stale', metadata: { sequence: '2' } })).toBe(false);
    const { spool, body } = await spooled(10);
    try {
      expect(await store.createFrom('fingerprints', body, { metadata: { sequence: '3' } })).toBe(false);
    } finally {
      await spool.dispose();
    }
    expect(await store.read('fingerprints')).toMatchObject({ metadata: { sequence: '1' } });
    const { etag } = (await store.read('fingerprints'))!;
    expect(await store.write('fingerprints', 'f4', { ifMatch: etag, metadata: { sequence: '4' } })).toBe(true);
    expect(await store.metadata('fingerprints')).toEqual({ sequence: '4' });
    // As S3: a write without metadata leaves none.
    expect(await store.write('fingerprints', 'f5')).toBe(true);
    expect(await store.metadata('fingerprints')).toEqual({});
  });

  it('writes no metadata for an object whose write failed', async () => {
    const failing = {
      size: 1,
      async *chunks(): AsyncIterable<Uint8Array> {
        yield new Uint8Array([1]);
        throw new Error('disk full');
      },
    };
    await expect(store.createFrom('t/0000000002_x.jsonl.gz', failing, { metadata: { 'extract-cursor': 'c2' } })).rejects.toThrow(
      'disk full',
    );
    expect(await store.metadata('t/0000000002_x.jsonl.gz')).toBeUndefined();
    // Had it been written, a later object of that key would inherit it.
    expect(await store.write('t/0000000002_x.jsonl.gz', 'x', { ifAbsent: true })).toBe(true);
    expect(await store.metadata('t/0000000002_x.jsonl.gz')).toEqual({});
  });
});

describe('local object metadata', () => {
  const key = 'sales_order/0000000001_20241120T120000000.jsonl.gz';

  it('is what FileObjectStore.get returns for an object the local extract store wrote', async () => {
    const local = new FileExtractStore(join(dir, 'ingestion'));
    const metadata = { [SOURCE_READ_AT_METADATA]: '2024-11-20T12:00:01.000Z', 'extract-cursor': 'c1' };
    expect(await local.write(key, 'body', { ifAbsent: true, metadata })).toBe(true);
    const read = await new FileObjectStore(join(dir, 'ingestion')).get(key);
    expect(read?.metadata).toEqual(metadata);
    for await (const _ of read!.body) {
      // drain, so the file is closed
    }
  });

  it('is absent for an object written without any', async () => {
    const objects = new FileObjectStore(join(dir, 'ingestion'));
    await objects.put(key, 'body');
    const read = await objects.get(key);
    expect(read?.metadata).toBeUndefined();
    for await (const _ of read!.body) {
      // drain
    }
  });

  it('names the object and file when it is not a JSON object of strings', async () => {
    const objects = new FileObjectStore(join(dir, 'ingestion'));
    await objects.put(key, 'body');
    const path = join(dir, 'ingestion-metadata', ...`${key}.meta.json`.split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '{"source-read-at":');
    await expect(objects.get(key)).rejects.toThrow(`metadata of object ${key} (${path}) is not JSON`);
    await writeFile(path, '{"rows":3}');
    await expect(objects.get(key)).rejects.toThrow(`metadata of object ${key} (${path}) is not a JSON object of strings`);
  });
});
