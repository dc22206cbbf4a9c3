import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { withFileGuard } from '../../lambdas/adapters/file/file-guard';
import { FileObjectStore, GUARD_STALE_MS, InvalidObjectKeyError, TEMP_DIRECTORY } from '../../lambdas/adapters/file/file-object-store';

let parent: string;
let root: string;
let store: FileObjectStore;

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'object-store-'));
  root = join(parent, 'bucket');
  store = new FileObjectStore(root);
});

async function keys(prefix: string, startAfter?: string): Promise<string[]> {
  const found: string[] = [];
  for await (const info of store.list(prefix, startAfter)) found.push(info.key);
  return found;
}

async function readStream(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('FileObjectStore', () => {
  it('stores objects under keys with slashes as files below the root', async () => {
    await store.put('sales_order/0000000001_20241114T093012345.jsonl', '{"a": 1}\n');
    expect(await readFile(join(root, 'sales_order', '0000000001_20241114T093012345.jsonl'), 'utf8')).toBe('{"a": 1}\n');
    const bytes = await store.getBytes('sales_order/0000000001_20241114T093012345.jsonl');
    expect(Buffer.from(bytes!).toString('utf8')).toBe('{"a": 1}\n');
  });

  it('round-trips binary bodies byte for byte, through getBytes and getStream', async () => {
    const body = new Uint8Array(300_000).map((_, index) => (index * 31) % 256);
    await store.put('bin/blob', body);
    expect(Buffer.from((await store.getBytes('bin/blob'))!).equals(Buffer.from(body))).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of (await store.getStream('bin/blob'))!) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).equals(Buffer.from(body))).toBe(true);
  });

  it('reports missing objects as undefined from getBytes, getStream and head', async () => {
    await store.put('dir/present', 'x');
    for (const key of ['absent', 'dir/absent', 'dir', 'dir/present/below']) {
      expect(await store.getBytes(key)).toBeUndefined();
      expect(await store.getStream(key)).toBeUndefined();
      expect(await store.head(key)).toBeUndefined();
    }
  });

  it('lists nothing, without error, before anything was stored', async () => {
    expect(await keys('')).toEqual([]);
    expect(await keys('sales_order/')).toEqual([]);
  });

  it('gives the size and the hex MD5 of the body as ETag, like S3', async () => {
    await store.put('t/x.jsonl', 'hello\n');
    const md5 = createHash('md5').update('hello\n').digest('hex');
    expect(await store.head('t/x.jsonl')).toEqual({ key: 't/x.jsonl', size: 6, etag: md5 });
    await store.put('t/x.jsonl', 'changed body\n');
    expect((await store.head('t/x.jsonl'))?.etag).toBe(createHash('md5').update('changed body\n').digest('hex'));
  });

  it('lists recursively in S3 key order (byte order, not directory order), with sizes and ETags', async () => {
    const stored = ['a-c', 'a/b', 'a/a/z', 'a0', 'b', 'a/b0', 'A', 'a.d/x', 'é', 'z/€', 'z/😀', 'z/\uffff'];
    for (const key of stored) await store.put(key, key);
    const expected = [...stored].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(await keys('')).toEqual(expected);
    // JS string order would put U+FFFF after the emoji; S3 (UTF-8 bytes) puts it before.
    expect(expected.indexOf('z/\uffff')).toBeLessThan(expected.indexOf('z/😀'));
    const infos = [];
    for await (const info of store.list('a/')) infos.push(info);
    expect(infos).toEqual([
      { key: 'a/a/z', size: 5, etag: createHash('md5').update('a/a/z').digest('hex') },
      { key: 'a/b', size: 3, etag: createHash('md5').update('a/b').digest('hex') },
      { key: 'a/b0', size: 4, etag: createHash('md5').update('a/b0').digest('hex') },
    ]);
  });

  it('treats the prefix as a string prefix, not a directory, and startAfter as exclusive', async () => {
    for (const sequence of [1, 2, 3, 10, 11]) {
      await store.put(`sales_order/${String(sequence).padStart(10, '0')}_20241114T093012345.jsonl`, '');
    }
    await store.put('sales_order_extra/0000000001_20241114T093012345.jsonl', '');
    await store.put('staff/0000000001_20241114T093012345.jsonl', '');
    expect(await keys('sales_order/000000001')).toEqual([
      'sales_order/0000000010_20241114T093012345.jsonl',
      'sales_order/0000000011_20241114T093012345.jsonl',
    ]);
    expect(await keys('sales_order')).toHaveLength(6);
    expect(await keys('sales_order/', 'sales_order/0000000002_20241114T093012345.jsonl')).toEqual([
      'sales_order/0000000003_20241114T093012345.jsonl',
      'sales_order/0000000010_20241114T093012345.jsonl',
      'sales_order/0000000011_20241114T093012345.jsonl',
    ]);
    expect(await keys('', 'sales_order_extra/')).toEqual([
      'sales_order_extra/0000000001_20241114T093012345.jsonl',
      'staff/0000000001_20241114T093012345.jsonl',
    ]);
    expect(await keys('', 'sales_order/0000000011_20241114T093012345.jsonl')).toEqual([
      'sales_order_extra/0000000001_20241114T093012345.jsonl',
      'staff/0000000001_20241114T093012345.jsonl',
    ]);
    expect(await keys('', 'zzz')).toEqual([]);
  });

  it.each([
    ['../outside', '".." segments'],
    ['a/../../outside', '".." segments'],
    ['a/./b', '"." segments'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty path segments'],
    ['a/', 'empty path segments'],
    ['', 'empty'],
    ['a\\..\\..\\outside', 'backslashes'],
    ['a\0b', 'NUL'],
    [`${TEMP_DIRECTORY}/x`, 'reserved'],
  ])('refuses the key %j (%s) for every operation, and writes nothing outside the root', async (key, reason) => {
    await store.put('inside', 'x');
    await expect(store.put(key, 'x')).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.put(key, 'x')).rejects.toThrow(reason);
    await expect(store.getBytes(key)).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.getStream(key)).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.head(key)).rejects.toThrow(InvalidObjectKeyError);
    expect(await readdir(parent)).toEqual(['bucket']);
  });

  it('refuses a listing prefix that climbs out of the root', async () => {
    await writeFile(join(parent, 'secret'), 'x');
    await expect(keys('../')).rejects.toThrow(InvalidObjectKeyError);
  });

  it('says clearly when a key would need a file and a directory of the same name', async () => {
    await store.put('a/b', 'file');
    await expect(store.put('a/b/c', 'x')).rejects.toThrow(/both an object and a "directory"/);
    await expect(store.put('a', 'x')).rejects.toThrow(/both an object and a "directory"/);
    expect(await keys('')).toEqual(['a/b']);
  });

  it('never lets a reader see a half-written object, and leaves no temp files behind', async () => {
    const bodies = ['first body line\n'.repeat(200_000), 'second body\n'.repeat(300_000)];
    await store.put('obj', bodies[0]!);
    let done = false;
    const writer = (async () => {
      for (let round = 1; round <= 20; round += 1) await store.put('obj', bodies[round % 2]!);
      done = true;
    })();
    const outcomes = new Set<string>();
    const classify = (text: string) => (text === bodies[0] ? 'first' : text === bodies[1] ? 'second' : 'torn');
    const reader = async () => {
      while (!done) {
        outcomes.add(classify(Buffer.from((await store.getBytes('obj'))!).toString('utf8')));
        outcomes.add(classify(await readStream((await store.getStream('obj'))!)));
      }
    };
    await Promise.all([writer, reader(), reader(), reader()]);
    expect(outcomes.has('torn')).toBe(false);
    expect(outcomes.size).toBeGreaterThan(0);
    expect(Buffer.from((await store.getBytes('obj'))!).toString('utf8')).toBe(bodies[0]);
    expect(await readdir(join(root, TEMP_DIRECTORY))).toEqual([]);
    expect(await keys('')).toEqual(['obj']);
  });

  it('keeps streaming the complete old body when the object is replaced mid-read', async () => {
    const old = 'o'.repeat(1_000_000);
    await store.put('obj', old);
    const stream = await store.getStream('obj');
    await store.put('obj', 'replacement');
    expect(await readStream(stream!)).toBe(old);
  });

  it('lists objects only, not empty directories', async () => {
    await mkdir(join(root, 'empty-dir'), { recursive: true });
    await store.put('k', 'v');
    expect(await keys('')).toEqual(['k']);
  });
});

describe('FileObjectStore reads with ETags and conditional writes', () => {
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');

  it('returns the ETag of the bytes it streams, even when the object is replaced mid-read', async () => {
    const old = 'o'.repeat(1_000_000);
    await store.put('obj', old);
    const read = await store.get('obj');
    await store.put('obj', 'replacement');
    expect(read!.etag).toBe(md5(old));
    expect(read!.size).toBe(old.length);
    expect(await readStream(read!.body)).toBe(old);
    expect((await store.get('obj'))!.etag).toBe(md5('replacement'));
    expect(await store.get('missing')).toBeUndefined();
  });

  it('creates only when absent (exclusive create) and replaces only the version it names', async () => {
    expect(await store.putIf('locks/a.json', 'one', { ifNoneMatch: '*' })).toBe(md5('one'));
    expect(await store.putIf('locks/a.json', 'two', { ifNoneMatch: '*' })).toBeUndefined();
    expect(await store.putIf('locks/a.json', 'three', { ifMatch: md5('two') })).toBeUndefined();
    expect(Buffer.from((await store.getBytes('locks/a.json'))!).toString()).toBe('one');
    expect(await store.putIf('locks/a.json', 'four', { ifMatch: md5('one') })).toBe(md5('four'));
    expect(Buffer.from((await store.getBytes('locks/a.json'))!).toString()).toBe('four');
    expect(await store.putIf('locks/none.json', 'x', { ifMatch: md5('one') })).toBeUndefined();
    expect(await keys('')).toEqual(['locks/a.json']);
    expect(await readdir(join(root, TEMP_DIRECTORY))).toEqual([]);
  });

  it('lets exactly one of many simultaneous writers win, for creates and for replaces', async () => {
    const creates = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIf('k', `create ${i}`, { ifNoneMatch: '*' })));
    expect(creates.filter((etag) => etag !== undefined)).toHaveLength(1);
    const base = creates.find((etag) => etag !== undefined)!;
    const replaces = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIf('k', `replace ${i}`, { ifMatch: base })));
    const winners = replaces.filter((etag) => etag !== undefined);
    expect(winners).toHaveLength(1);
    expect((await store.head('k'))!.etag).toBe(winners[0]);
  });

  it('breaks a guard left by a writer that died holding it', async () => {
    await store.put('k', 'v');
    const guard = join(root, TEMP_DIRECTORY, `${md5('k')}.guard`);
    await writeFile(guard, '');
    const old = (Date.now() - GUARD_STALE_MS - 1_000) / 1000;
    await utimes(guard, old, old);
    expect(await store.putIf('k', 'w', { ifMatch: md5('v') })).toBe(md5('w'));
  });

  it('gives up clearly on a guard another live process keeps holding, and runs nothing', async () => {
    const guard = join(parent, 'held.guard');
    await writeFile(guard, '');
    let ran = false;
    await expect(withFileGuard(guard, async () => (ran = true), { waitMs: 100 })).rejects.toThrow(
      `${guard} stayed held for 0.1 s: another process is stuck, or remove the file`,
    );
    expect(ran).toBe(false);
  });
});
