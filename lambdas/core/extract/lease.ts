/**
 * One run at a time without writing to the source (no advisory lock: the source is
 * read-only to us): a lease object in the bucket, taken with a conditional create (or a
 * conditional replace of an expired lease), released by a conditional replace. Two runs
 * racing for it: S3 lets exactly one conditional write win.
 */
import { randomUUID } from 'node:crypto';
import type { ExtractStore } from './ports';

interface LeaseBody {
  readonly owner: string;
  readonly expiresAt: string;
}

interface Lease {
  readonly owner: string;
  release(): Promise<void>;
}

export type LeaseResult = { readonly acquired: true; readonly lease: Lease } | { readonly acquired: false; readonly heldBy: LeaseBody };

function parse(bytes: Uint8Array): LeaseBody | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as LeaseBody;
    return typeof value.owner === 'string' && typeof value.expiresAt === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireLease(store: ExtractStore, key: string, now: Date, durationMs: number): Promise<LeaseResult> {
  const owner = randomUUID();
  const body = JSON.stringify({ owner, expiresAt: new Date(now.getTime() + durationMs).toISOString() } satisfies LeaseBody);
  const current = await store.read(key);
  const held = current && parse(current.body);
  if (held && Date.parse(held.expiresAt) > now.getTime()) return { acquired: false, heldBy: held };
  const written = current
    ? await store.write(key, body, { ifMatch: current.etag, contentType: 'application/json' })
    : await store.write(key, body, { ifAbsent: true, contentType: 'application/json' });
  if (!written) {
    const winner = await store.read(key);
    return { acquired: false, heldBy: (winner && parse(winner.body)) ?? { owner: 'unknown', expiresAt: '' } };
  }
  return {
    acquired: true,
    lease: {
      owner,
      release: async () => {
        const mine = await store.read(key);
        if (!mine || parse(mine.body)?.owner !== owner) return; // expired and taken over: not ours to release
        const released = JSON.stringify({ owner, expiresAt: new Date(0).toISOString() } satisfies LeaseBody);
        await store.write(key, released, { ifMatch: mine.etag, contentType: 'application/json' });
      },
    },
  };
}
