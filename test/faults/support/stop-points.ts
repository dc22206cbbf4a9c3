/**
 * Where to stop each object's first transform attempt: one of the writes it makes (a
 * Parquet file, its join state, its manifest) or its sequence update in SSM, spread over
 * the history so that every kind of stop is used several times.
 */
import { PROCESSED_PREFIX } from './transform-lambda';

export type StopKind = 'batches' | 'rejected' | 'state' | 'manifests' | 'sequence';

export interface StopPoint {
  readonly kind: StopKind;
  /** The processed-bucket key whose write is stopped (none for `sequence`). */
  readonly key?: string;
}

/** The kind of a processed-bucket write, from its key. */
export function writeKind(key: string): StopKind {
  return key.slice(PROCESSED_PREFIX.length).split('/')[0] as StopKind;
}

/**
 * `writes[i]`: the keys object i wrote in the fault-free run, in order. Each object gets
 * the kind it can offer that has been used least so far (its first write of that kind);
 * `sequence` stops are offered only when asked for.
 */
export function spreadStops(writes: readonly (readonly string[])[], options: { sequence: boolean }): StopPoint[] {
  const used = new Map<StopKind, number>();
  return writes.map((keys) => {
    const offered = new Map<StopKind, string | undefined>(options.sequence ? [['sequence', undefined]] : []);
    for (const key of keys) if (!offered.has(writeKind(key))) offered.set(writeKind(key), key);
    const [kind, key] = [...offered].sort(([a], [b]) => (used.get(a) ?? 0) - (used.get(b) ?? 0))[0]!;
    used.set(kind, (used.get(kind) ?? 0) + 1);
    return key === undefined ? { kind } : { kind, key };
  });
}
