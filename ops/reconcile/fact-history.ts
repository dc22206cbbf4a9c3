/**
 * Fact history for reconcile: what each id's rows must be by the loader's rule (CONTRACT.md §5),
 * worked out from the ingestion objects alone. An object is one observation of each id it
 * holds (an id repeated in it: the newest line by last_updated, the later line on a tie);
 * observations in sequence order, consecutive equal versions collapsed, one row per run
 * at its first sequence.
 */

export interface HistoryEntry {
  readonly sequence: number;
  readonly hash: string;
}

/** The observations of one object, one per id. */
export class ObjectObservations {
  private readonly states = new Map<number, { hash: string; lastUpdated: number }>();

  offer(id: number, hash: string, lastUpdated: number): void {
    const held = this.states.get(id);
    if (!held || lastUpdated >= held.lastUpdated) this.states.set(id, { hash, lastUpdated });
  }

  *entries(): Iterable<[number, string]> {
    for (const [id, state] of this.states) yield [id, state.hash];
  }
}

/** Per id, the runs so far; objects must be added in sequence order. */
export class ExpectedHistory {
  private readonly runs = new Map<number, HistoryEntry[]>();
  private lastSequence = 0;

  add(sequence: number, observations: ObjectObservations): void {
    if (sequence <= this.lastSequence) throw new Error(`observations out of order: ${sequence} after ${this.lastSequence}`);
    this.lastSequence = sequence;
    for (const [id, hash] of observations.entries()) {
      const runs = this.runs.get(id);
      if (!runs) this.runs.set(id, [{ sequence, hash }]);
      else if (runs.at(-1)!.hash !== hash) runs.push({ sequence, hash });
    }
  }

  of(id: number): readonly HistoryEntry[] {
    return this.runs.get(id) ?? [];
  }

  ids(): Iterable<number> {
    return this.runs.keys();
  }
}

export function sameHistory(a: readonly HistoryEntry[], b: readonly HistoryEntry[]): boolean {
  return a.length === b.length && a.every((entry, index) => entry.sequence === b[index]!.sequence && entry.hash === b[index]!.hash);
}

/** `1:3f2a9c01 2:77b0e4d2`: each version's sequence and the start of its hash. */
export function describeHistory(entries: readonly HistoryEntry[]): string {
  return entries.length === 0 ? '(none)' : entries.map((entry) => `${entry.sequence}:${entry.hash.slice(0, 8)}`).join(' ');
}
