import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';

let directory: string;
let file: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'parameters-'));
  file = join(directory, 'state', 'parameters.json');
});

describe('FileParameterStore', () => {
  it('returns undefined for a parameter never set, before and after the file exists', async () => {
    const store = new FileParameterStore(file);
    expect(await store.get('/totesys/transform/sales_order/last-processed-sequence')).toBeUndefined();
    await store.put('/totesys/transform/staff/last-processed-sequence', '3');
    expect(await store.get('/totesys/transform/sales_order/last-processed-sequence')).toBeUndefined();
  });

  it('persists values to one JSON file that a new instance reads back', async () => {
    const store = new FileParameterStore(file);
    await store.put('/totesys/transform/sales_order/last-processed-sequence', '41');
    await store.put('/totesys/transform/sales_order/last-processed-sequence', '42');
    await store.put('/totesys/transform/staff/last-processed-sequence', '7');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      '/totesys/transform/sales_order/last-processed-sequence': '42',
      '/totesys/transform/staff/last-processed-sequence': '7',
    });
    const reopened = new FileParameterStore(file);
    expect(await reopened.get('/totesys/transform/sales_order/last-processed-sequence')).toBe('42');
    expect(await reopened.get('/totesys/transform/staff/last-processed-sequence')).toBe('7');
  });

  it('loses no update when many puts run concurrently, and leaves no temp files', async () => {
    const store = new FileParameterStore(file);
    await Promise.all(Array.from({ length: 50 }, (_, index) => store.put(`/p/${index}`, String(index))));
    const reopened = new FileParameterStore(file);
    for (let index = 0; index < 50; index += 1) expect(await reopened.get(`/p/${index}`)).toBe(String(index));
    expect(await readdir(join(directory, 'state'))).toEqual(['parameters.json']);
  });

  it('reads a consistent file while writes are in flight (atomic replace)', async () => {
    const store = new FileParameterStore(file);
    const big = 'x'.repeat(200_000);
    const writes = Promise.all(Array.from({ length: 20 }, (_, index) => store.put(`/big/${index}`, big)));
    const reader = new FileParameterStore(file);
    let done = false;
    void writes.finally(() => {
      done = true;
    });
    while (!done) await reader.get('/big/0');
    await writes;
    expect(await reader.get('/big/19')).toBe(big);
  });

  it('keeps "__proto__" an ordinary parameter name', async () => {
    const store = new FileParameterStore(file);
    await store.put('__proto__', 'v');
    expect(await new FileParameterStore(file).get('__proto__')).toBe('v');
    expect(await new FileParameterStore(file).get('constructor')).toBeUndefined();
  });

  it('refuses empty values and names, like SSM', async () => {
    const store = new FileParameterStore(file);
    await expect(store.put('/p', '')).rejects.toThrow(/non-empty string/);
    await expect(store.put('', 'v')).rejects.toThrow(/non-empty string/);
    await store.put('/p', 'ok');
    expect(await store.get('/p')).toBe('ok');
  });

  it('names the file when it is corrupt', async () => {
    await writeFile(join(directory, 'broken.json'), '{ not json');
    const store = new FileParameterStore(join(directory, 'broken.json'));
    await expect(store.get('/p')).rejects.toThrow(/broken\.json is not valid JSON/);
    await writeFile(join(directory, 'array.json'), '["a"]');
    await expect(new FileParameterStore(join(directory, 'array.json')).get('/p')).rejects.toThrow(/array\.json must hold a JSON object/);
    await writeFile(join(directory, 'number.json'), '{"/p": 1}');
    await expect(new FileParameterStore(join(directory, 'number.json')).get('/p')).rejects.toThrow(/value of "\/p" is not a string/);
  });
});

describe('FileParameterStore shared by several processes', () => {
  it("never drops another writer's parameter (each store instance stands for a process)", async () => {
    const writers = [new FileParameterStore(file), new FileParameterStore(file), new FileParameterStore(file)];
    await Promise.all(
      writers.flatMap((store, writer) =>
        Array.from({ length: 15 }, (_, i) => store.put(`/totesys/transform/table_${writer}_${i}/last-processed-sequence`, String(i + 1))),
      ),
    );
    const all = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(Object.keys(all)).toHaveLength(45);
    expect(all['/totesys/transform/table_2_14/last-processed-sequence']).toBe('15');
    expect(await readdir(join(directory, 'state'))).toEqual(['parameters.json']);
  });
});
