/**
 * A lease that serialises transforms touching the same join state (docs/ARCHITECTURE.md
 * "Concurrency"). Staff and department objects read each other's state and write their
 * own, so a guard on one state object is not enough (read skew across two): the whole
 * transform of an object holds the lease of its *lock group*: `staff-department`,
 * `counterparty-address`, or the table itself for the others (which guards the table's
 * sequence parameter).
 *
 * The lease is one small object, `state/locks/<group>.json`, written only with
 * conditional writes: created with `IfNoneMatch: '*'`, renewed, released and taken over
 * with `IfMatch` on the ETag last seen, so of two contenders exactly one wins.
 * - The holder renews it every third of the lease time; each renewal changes its ETag.
 * - A waiter that sees the same ETag for a whole lease time, by its own clock, knows the
 *   holder stopped renewing (crashed, timed out) and takes over. No clocks are compared
 *   between machines.
 * - Release writes a `released` lease (the function may write, not delete, in `state/`);
 *   a waiter takes a released lease at once.
 * - A holder whose renewal finds the lease taken over has lost it: `confirm()`, called
 *   before join state, the manifest and the sequence parameter are written, then throws
 *   TransformLockLostError and the transform fails (to be retried) without writing them.
 * - A lease this process left unreleased (its release failed) is taken back at once.
 * - A failed read or write of the lease while waiting is retried within the same wait.
 * A waiter gives up after `waitMs` with TransformLockTimeoutError naming the holder.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ProcessedLayout } from '../layout';
import type { Log, ObjectStore } from '../ports';
import type { SourceTableName } from '../schema/source-tables';
import { stateTablesFor } from './remodels';
import { PipelineError } from '../errors';

export interface LockSettings {
  /** A lease unchanged for this long is abandoned and may be taken over. */
  readonly leaseMs: number;
  /** How long to wait for a lease another transform holds before failing. */
  readonly waitMs: number;
  /** Pause between looks at a held lease. */
  readonly pollMs: number;
}

/**
 * The Lambda times out after 5 minutes: waiting 90 seconds leaves time to work, and a
 * crashed holder's lease (60 seconds) is taken over within one wait.
 */
const DEFAULT_LOCK_SETTINGS: LockSettings = { leaseMs: 60_000, waitMs: 90_000, pollMs: 500 };

export interface LockContext {
  readonly store: ObjectStore;
  readonly layout: ProcessedLayout;
  readonly log: Log;
  readonly settings?: Partial<LockSettings>;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly clock?: () => number;
  /** Who is asking, for messages; defaults to this host and process. */
  readonly holder?: string;
}

interface LeaseBody {
  readonly formatVersion: 1;
  readonly group: string;
  readonly holder: string;
  readonly acquiredAt: string;
  readonly renewedAt: string;
  readonly released: boolean;
  /** Makes every write a new ETag, even within one millisecond. */
  readonly nonce: string;
}

export class TransformLockTimeoutError extends PipelineError {
  readonly kind = 'conflict';
  constructor(
    readonly lockKey: string,
    readonly holder: string | undefined,
    readonly waitedMs: number,
  ) {
    super(
      `transform lock "${lockKey}" is held by ${holder ?? 'another transform'}: waited ${Math.round(waitedMs / 1000)} s ` +
        'for it; another transform of the same join state is running (e.g. an ops replay beside the pipeline). ' +
        'The object was not processed; a retry processes it once the lock is free',
    );
    this.name = 'TransformLockTimeoutError';
  }
}

export class TransformLockLostError extends PipelineError {
  readonly kind = 'conflict';
  constructor(
    readonly lockKey: string,
    reason: string,
  ) {
    super(
      `transform lock "${lockKey}" was lost (${reason}): this transform stopped before writing join state, ` +
        'the manifest or the sequence; a retry processes the object again',
    );
    this.name = 'TransformLockLostError';
  }
}

/** The lock group of a table: tables sharing join state share a lock. */
export function lockGroupOf(table: SourceTableName): string {
  const tables = stateTablesFor(table);
  return tables.length > 0 ? tables.join('-') : table;
}

export function lockKey(layout: ProcessedLayout, group: string): string {
  return `${layout.prefix}state/locks/${group}.json`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** This process, in leases it writes: host, process id and a random tag (pids are reused). */
const PROCESS_HOLDER = `${hostname()} pid ${process.pid} (${randomUUID().slice(0, 8)})`;
/** `what` run by this process, for lock messages: e.g. `ops replay, laptop pid 4242 (1f2e3d4c)`. */
export function holderName(what: string): string {
  return `${what}, ${PROCESS_HOLDER}`;
}

/** Lease keys this process holds right now. */
const heldHere = new Set<string>();

/** Waits (bounded) for the lock group of `table` and holds it until `release()`. */
export async function acquireTransformLock(context: LockContext, table: SourceTableName): Promise<HeldLock> {
  const settings = { ...DEFAULT_LOCK_SETTINGS, ...context.settings };
  const clock = context.clock ?? Date.now;
  const group = lockGroupOf(table);
  const key = lockKey(context.layout, group);
  const holder = context.holder ?? PROCESS_HOLDER;
  const started = clock();
  let seen: { readonly etag: string; readonly since: number } | undefined;
  let waitingLogged = false;
  for (;;) {
    let current: Awaited<ReturnType<typeof readLease>>;
    let etag: string | undefined;
    try {
      current = await readLease(context.store, key);
      const body = leaseBody(group, holder, new Date(clock()));
      if (current === undefined) {
        etag = await context.store.putIf(key, body, { ifNoneMatch: '*' });
      } else {
        if (seen?.etag !== current.etag) seen = { etag: current.etag, since: clock() };
        const abandoned = clock() - seen.since >= settings.leaseMs;
        // Ours, from a release that failed: nobody else can be holding it.
        const leftByUs = current.lease?.holder === holder && !heldHere.has(key);
        if (abandoned && !current.lease?.released && !leftByUs) {
          context.log.warn('transform lock abandoned (not renewed for a lease time): taking it over', {
            lockKey: key,
            previousHolder: current.lease?.holder,
            leaseMs: settings.leaseMs,
          });
        }
        if (current.lease?.released || abandoned || leftByUs) {
          etag = await context.store.putIf(key, body, { ifMatch: current.etag });
        }
      }
    } catch (error) {
      // A failed look at the lease is retried like a held one, within the same wait.
      if (clock() - started >= settings.waitMs) throw error;
      context.log.warn('transform lock: reading or writing the lease failed; trying again', {
        lockKey: key,
        error: (error as Error)?.message ?? String(error),
      });
      await sleep(Math.min(settings.pollMs, 100));
      continue;
    }
    if (etag !== undefined) {
      heldHere.add(key);
      return new HeldLock(context, key, group, holder, etag, settings, clock);
    }

    // Held by another transform, or another waiter won the race to it.
    const waited = clock() - started;
    if (waited >= settings.waitMs) throw new TransformLockTimeoutError(key, current?.lease?.holder, waited);
    if (!waitingLogged) {
      context.log.info('waiting for the transform lock', { lockKey: key, holder: current?.lease?.holder, waitMs: settings.waitMs });
      waitingLogged = true;
    }
    await sleep(current?.lease?.released || current === undefined ? Math.min(settings.pollMs, 20) : settings.pollMs);
  }
}

const RELEASE_ATTEMPTS = 3;

export class HeldLock {
  private lost: string | undefined;
  private released = false;
  /** Renewals and confirmations run one at a time, each from the ETag the last one wrote. */
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly acquiredAt: Date;

  constructor(
    private readonly context: LockContext,
    readonly key: string,
    private readonly group: string,
    readonly holder: string,
    private etag: string,
    settings: LockSettings,
    private readonly clock: () => number,
  ) {
    this.acquiredAt = new Date(clock());
    this.timer = setInterval(() => void this.renew().catch(() => {}), Math.max(1, Math.floor(settings.leaseMs / 3)));
    this.timer.unref();
  }

  /**
   * Renews the lease now: throws TransformLockLostError when another transform holds it,
   * and the store's error when the renewal cannot be written (then this transform cannot
   * know it still holds the lease, so it must not write).
   */
  async confirm(): Promise<void> {
    await this.renew({ strict: true });
    if (this.lost !== undefined) throw new TransformLockLostError(this.key, this.lost);
  }

  /** Lets the next transform in. A lease already lost is left to its new holder. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.step(async () => {
        if (this.lost !== undefined || this.released) return;
        this.released = true;
        for (let attempt = 1; ; attempt++) {
          try {
            const done = await this.context.store.putIf(this.key, this.body(true), { ifMatch: this.etag });
            if (done === undefined) this.context.log.warn('transform lock was taken over before release', { lockKey: this.key });
            return;
          } catch (error) {
            // Unreleased, the lease blocks other processes for a lease time (this one retakes it at once).
            if (attempt >= RELEASE_ATTEMPTS) throw error;
            await sleep(50 * attempt);
          }
        }
      });
    } finally {
      heldHere.delete(this.key);
    }
  }

  private renew(options: { readonly strict?: boolean } = {}): Promise<void> {
    return this.step(async () => {
      if (this.lost !== undefined || this.released) return;
      try {
        const etag = await this.context.store.putIf(this.key, this.body(false), { ifMatch: this.etag });
        if (etag === undefined) {
          this.lost = 'another transform took it over after this one failed to renew it in time';
          this.context.log.error('transform lock lost', { lockKey: this.key, holder: this.holder });
        } else {
          this.etag = etag;
        }
      } catch (error) {
        // A failed timed renewal is retried at the next tick; only a takeover loses the lease.
        this.context.log.warn('transform lock renewal failed', { lockKey: this.key, error: (error as Error).message });
        if (options.strict) throw error;
      }
    });
  }

  private step(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => {});
    return next;
  }

  private body(released: boolean): string {
    return JSON.stringify({
      formatVersion: 1,
      group: this.group,
      holder: this.holder,
      acquiredAt: this.acquiredAt.toISOString(),
      renewedAt: new Date(this.clock()).toISOString(),
      released,
      nonce: randomUUID(),
    } satisfies LeaseBody);
  }
}

function leaseBody(group: string, holder: string, now: Date): string {
  return JSON.stringify({
    formatVersion: 1,
    group,
    holder,
    acquiredAt: now.toISOString(),
    renewedAt: now.toISOString(),
    released: false,
    nonce: randomUUID(),
  } satisfies LeaseBody);
}

/** The lease and its ETag; `lease` is undefined when the object is not a lease we can read. */
async function readLease(store: ObjectStore, key: string): Promise<{ etag: string; lease?: LeaseBody } | undefined> {
  const object = await store.get(key);
  if (object === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of object.body) chunks.push(chunk);
  if (object.etag === undefined) throw new Error(`transform lock "${key}": the store gave no ETag, so it cannot be locked`);
  try {
    const lease = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LeaseBody;
    return { etag: object.etag, lease: lease?.formatVersion === 1 ? lease : undefined };
  } catch {
    // Unreadable: treated like a lease whose holder is gone once it stays unchanged a lease time.
    return { etag: object.etag };
  }
}
