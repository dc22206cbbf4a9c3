/**
 * The transform lock: one holder per join group at a time, a bounded wait that fails
 * clearly, takeover of a lease its holder stopped renewing, and a holder that lost its
 * lease stops before writing shared state. Over a real file store (the same conditional
 * writes S3 gets), and through transformObject over fake S3.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ProcessedLayout } from '../../lambdas/core/layout';
import type { ObjectStore } from '../../lambdas/core/ports';
import {
  TransformLockLostError,
  TransformLockTimeoutError,
  acquireTransformLock,
  lockGroupOf,
  lockKey,
} from '../../lambdas/core/transform/transform-lock';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { TransformHarness } from './support/harness';
import { RecordingLog } from '../support/recorders';
import { line } from '../support/source-rows';

const layout = new ProcessedLayout('processed/');
const fast = { leaseMs: 300, waitMs: 2_000, pollMs: 10 };
let store: FileObjectStore;
let log: RecordingLog;

beforeEach(async () => {
  store = new FileObjectStore(await mkdtemp(join(tmpdir(), 'transform-lock-')));
  log = new RecordingLog();
});

const lockAs = (holder: string, settings: Partial<typeof fast> = fast, on: ObjectStore = store) =>
  acquireTransformLock({ store: on, layout, log, settings, holder }, 'staff');

async function lease(): Promise<Record<string, unknown>> {
  return JSON.parse(new TextDecoder().decode(await store.getBytes(lockKey(layout, 'staff-department'))));
}

describe('lock groups', () => {
  it('tables sharing join state share a lock; the others lock per table', () => {
    expect(lockGroupOf('staff')).toBe('staff-department');
    expect(lockGroupOf('department')).toBe('staff-department');
    expect(lockGroupOf('counterparty')).toBe('counterparty-address');
    expect(lockGroupOf('address')).toBe('counterparty-address');
    expect(lockGroupOf('sales_order')).toBe('sales_order');
    expect(lockKey(layout, 'staff-department')).toBe('processed/state/locks/staff-department.json');
  });
});

describe('the transform lock', () => {
  it('lets a second transform of the group in only after the first releases', async () => {
    const first = await lockAs('first');
    let secondIn = false;
    const second = lockAs('second').then((held) => {
      secondIn = true;
      return held;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(secondIn).toBe(false);
    expect(await lease()).toMatchObject({ holder: 'first', released: false, group: 'staff-department' });
    await first.release();
    const held = await second;
    expect(await lease()).toMatchObject({ holder: 'second', released: false });
    await held.release();
    expect(await lease()).toMatchObject({ holder: 'second', released: true });
  });

  it('keeps a lease it renews, and a waiter gives up after its wait, naming the holder', async () => {
    const first = await lockAs('transform on host-a pid 7');
    const started = Date.now();
    const error = await lockAs('second', { ...fast, waitMs: 700 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransformLockTimeoutError);
    expect((error as Error).message).toMatch(
      /^transform lock "processed\/state\/locks\/staff-department.json" is held by transform on host-a pid 7: waited \d+ s .*a retry processes it once the lock is free$/,
    );
    // 700 ms is more than two lease times: only renewals kept the waiter out.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    await first.confirm();
    await first.release();
  });

  it('takes over a lease its holder stopped renewing (crashed), after one lease time', async () => {
    const key = lockKey(layout, 'staff-department');
    await store.put(key, JSON.stringify({ formatVersion: 1, group: 'staff-department', holder: 'crashed', released: false }));
    const started = Date.now();
    const held = await lockAs('next');
    expect(Date.now() - started).toBeGreaterThanOrEqual(fast.leaseMs);
    expect(await lease()).toMatchObject({ holder: 'next' });
    expect(log.at('warn')).toContainEqual(
      expect.objectContaining({
        message: 'transform lock abandoned (not renewed for a lease time): taking it over',
        attributes: expect.objectContaining({ previousHolder: 'crashed' }),
      }),
    );
    await held.release();
  });

  it('a holder whose lease was taken over finds out before writing, and fails clearly', async () => {
    const held = await lockAs('slow', { ...fast, leaseMs: 60_000 });
    await store.put(lockKey(layout, 'staff-department'), JSON.stringify({ formatVersion: 1, holder: 'other', released: false }));
    await expect(held.confirm()).rejects.toThrow(TransformLockLostError);
    await expect(held.confirm()).rejects.toThrow(/was lost .*stopped before writing join state, the manifest or the sequence/);
    await held.release(); // leaves the new holder's lease alone
    expect(await lease()).toMatchObject({ holder: 'other' });
  });

  it("a holder that cannot write its renewal before writing state fails with the store's error", async () => {
    let failRenewals = false;
    const flaky: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      putIf: (key: string, body: string | Uint8Array, condition: Parameters<ObjectStore['putIf']>[2]) =>
        failRenewals && 'ifMatch' in condition && typeof body === 'string' && body.includes('"released":false')
          ? Promise.reject(new Error('500 InternalError'))
          : store.putIf(key, body, condition),
    });
    const held = await lockAs('holder', { ...fast, leaseMs: 60_000 }, flaky);
    failRenewals = true;
    await expect(held.confirm()).rejects.toThrow('500 InternalError');
    failRenewals = false;
    await held.confirm();
    await held.release();
    expect(await lease()).toMatchObject({ holder: 'holder', released: true });
  });

  it('retakes at once a lease this process failed to release', async () => {
    let failReleases = true;
    const flaky: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      putIf: (key: string, body: string | Uint8Array, condition: Parameters<ObjectStore['putIf']>[2]) =>
        failReleases && typeof body === 'string' && body.includes('"released":true')
          ? Promise.reject(new Error('503 Slow Down'))
          : store.putIf(key, body, condition),
    });
    const first = await lockAs('this process', { ...fast, leaseMs: 60_000 }, flaky);
    await expect(first.release()).rejects.toThrow('503 Slow Down');
    failReleases = false;
    const started = Date.now();
    const again = await lockAs('this process', { ...fast, leaseMs: 60_000 }, flaky);
    expect(Date.now() - started).toBeLessThan(1_000);
    await again.release();
    expect(await lease()).toMatchObject({ released: true });
  });
});

describe('the transform lock when the store fails', () => {
  it("retries a failed look at the lease within its wait, then gives the store's error", async () => {
    let failures = 2;
    const flaky: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      get: (key: string) => (failures-- > 0 ? Promise.reject(new Error('503 SlowDown')) : store.get(key)),
    });
    const held = await lockAs('patient', fast, flaky);
    expect(log.at('warn').map((e) => e.message)).toEqual([
      'transform lock: reading or writing the lease failed; trying again',
      'transform lock: reading or writing the lease failed; trying again',
    ]);
    await held.release();

    const down: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      get: () => Promise.reject(new Error('503 SlowDown')),
    });
    await expect(lockAs('patient', { ...fast, waitMs: 200 }, down)).rejects.toThrow('503 SlowDown');
  });

  it('refuses a store that gives no ETags (it could not lock)', async () => {
    const blind: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      get: async (key: string) => {
        const object = await store.get(key);
        return object && { body: object.body };
      },
    });
    await (await lockAs('first')).release();
    await expect(lockAs('second', { ...fast, waitMs: 0 }, blind)).rejects.toThrow(
      'transform lock "processed/state/locks/staff-department.json": the store gave no ETag, so it cannot be locked',
    );
  });
});

describe('transformObject under the lock', () => {
  const h = new TransformHarness();
  beforeEach(() => h.reset());
  afterAll(() => {
    h.s3.restore();
    h.ssm.restore();
  });

  it('waits for another transform of the join group, then fails clearly, publishing nothing', async () => {
    const store = h.deps().processed;
    const other = await acquireTransformLock({ store, layout: h.layout, log, holder: 'ops replay on laptop' }, 'department');
    const object = h.ingest('staff', 1, [line('staff')]);
    await expect(h.transform(object, { lock: { waitMs: 300, pollMs: 20 } })).rejects.toThrow(
      /^transform lock "processed\/state\/locks\/staff-department.json" is held by ops replay on laptop/,
    );
    expect(h.processedKeys()).toEqual([]);
    expect(h.lastSequence('staff')).toBeUndefined();
    expect(h.log.at('info').map((entry) => entry.message)).toContain('waiting for the transform lock');

    await other.release();
    expect((await h.transform(object, { lock: { waitMs: 300, pollMs: 20 } })).outcome).toBe('processed');
    expect(h.lastSequence('staff')).toBe('1');
  });

  it('does not wait for a transform of another group', async () => {
    const other = await acquireTransformLock({ store: h.deps().processed, layout: h.layout, log, holder: 'elsewhere' }, 'staff');
    const object = h.ingest('sales_order', 1, [line('sales_order')]);
    expect((await h.transform(object, { lock: { waitMs: 100 } })).outcome).toBe('processed');
    await other.release();
  });

  it('a release that fails does not fail the transform: it is logged, and the lease expires', async () => {
    const real = h.deps().processed;
    const noRelease: ObjectStore = Object.assign(Object.create(real) as ObjectStore, {
      putIf: (key: string, body: string | Uint8Array, condition: Parameters<ObjectStore['putIf']>[2]) =>
        typeof body === 'string' && body.includes('"released":true')
          ? Promise.reject(new Error('500 InternalError'))
          : real.putIf(key, body, condition),
    });
    const object = h.ingest('design', 1, [line('design')]);
    expect((await h.transform(object, { processed: noRelease })).outcome).toBe('processed');
    expect(h.log.at('warn')).toContainEqual({
      level: 'warn',
      message: 'transform lock not released (it is taken over after its lease time)',
      attributes: { lockKey: 'processed/state/locks/design.json', error: '500 InternalError' },
    });
  });

  it('releases the lock when the transform fails', async () => {
    const bad = h.ingest('department', 1, ['not json at all']);
    await expect(h.transform(bad)).rejects.toThrow();
    const text = h.s3.text('totesys-processed', lockKey(h.layout, 'staff-department'))!;
    expect(JSON.parse(text)).toMatchObject({ released: true });
  });
});
