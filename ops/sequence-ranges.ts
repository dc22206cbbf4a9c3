/** Sequence lists for people: `3, 7-9, 12` instead of every number. */

export interface SequenceRange {
  readonly from: number;
  readonly to: number;
}

/** Consecutive runs of the given sequences (any order, duplicates ignored). */
export function toRanges(sequences: Iterable<number>): SequenceRange[] {
  const sorted = [...new Set(sequences)].sort((a, b) => a - b);
  const ranges: SequenceRange[] = [];
  for (const sequence of sorted) {
    const last = ranges.at(-1);
    if (last && sequence === last.to + 1) ranges[ranges.length - 1] = { from: last.from, to: sequence };
    else ranges.push({ from: sequence, to: sequence });
  }
  return ranges;
}

export function formatRanges(ranges: readonly SequenceRange[], maxRanges = 8): string {
  if (ranges.length === 0) return '-';
  const shown = ranges.slice(0, maxRanges).map(({ from, to }) => (from === to ? `${from}` : `${from}-${to}`));
  const more = ranges.length - shown.length;
  return more > 0 ? `${shown.join(', ')} (+${more} more)` : shown.join(', ');
}

/** The sequences from 1 to `last` that are not in `present`. */
export function missingUpTo(last: number, present: ReadonlySet<number>): SequenceRange[] {
  const ranges: SequenceRange[] = [];
  let start: number | undefined;
  for (let sequence = 1; sequence <= last + 1; sequence++) {
    const missing = sequence <= last && !present.has(sequence);
    if (missing && start === undefined) start = sequence;
    if (!missing && start !== undefined) {
      ranges.push({ from: start, to: sequence - 1 });
      start = undefined;
    }
  }
  return ranges;
}
