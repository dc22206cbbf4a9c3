/**
 * Mutual exclusion between processes sharing a folder: a guard file created exclusively
 * (`open(..., 'wx')`), removed when the work is done. Held for milliseconds (one small
 * read-compare-write); a guard older than GUARD_STALE_MS was left by a process that died
 * holding it and is broken. Used where local stand-ins must be atomic across processes
 * the way S3 conditional writes and SSM puts are (e.g. `ops replay --local` beside
 * `npm start`).
 */
import { open, rm, stat } from 'node:fs/promises';

/** A guard this old was left by a writer that died holding it. */
export const GUARD_STALE_MS = 10_000;
/** How long to wait for a guard before giving up. */
const GUARD_WAIT_MS = 30_000;

export async function withFileGuard<T>(guardPath: string, work: () => Promise<T>, options: { readonly waitMs?: number } = {}): Promise<T> {
  const waitMs = options.waitMs ?? GUARD_WAIT_MS;
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    const guard = await open(guardPath, 'wx').catch((error: unknown) => {
      if ((error as { code?: string })?.code === 'EEXIST') return undefined;
      throw error;
    });
    if (guard !== undefined) {
      await guard.close();
      try {
        return await work();
      } finally {
        await rm(guardPath, { force: true });
      }
    }
    const held = await stat(guardPath).catch(() => undefined);
    if (held !== undefined && Date.now() - held.mtimeMs > GUARD_STALE_MS) {
      await rm(guardPath, { force: true });
      continue;
    }
    if (Date.now() > giveUpAt) {
      throw new Error(`${guardPath} stayed held for ${waitMs / 1000} s: another process is stuck, or remove the file`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
  }
}
