/**
 * The byte readers of the fast path agree with naive-datetime.ts: whatever they read,
 * the string readers read to the same value, and whatever those reject, they decline.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_READ, readAsciiDate, readAsciiTimestamp } from '../../lambdas/core/objects/ascii-datetime';
import { isDateTimeProblem, readDate, readTimestamp } from '../../lambdas/core/objects/naive-datetime';

/** The text with about one character in ten replaced by a near miss. */
const nearly = (template: string) =>
  fc
    .array(
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.constantFrom(...'0123456789-:. Tt+Z/'), weight: 1 }),
      {
        minLength: template.length,
        maxLength: template.length,
      },
    )
    .map((replacements) => [...template].map((character, i) => replacements[i] ?? character).join(''));

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
const dateText = fc
  .tuple(digits(4), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([year, month, day]) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
const timestampText = fc
  .tuple(
    dateText,
    fc.constantFrom(' ', 'T', 't', 'x'),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 60 }),
    fc.option(digits(1).chain((d) => fc.nat(7).map((n) => d.repeat(n)))),
  )
  .map(([date, separator, h, m, s, fraction]) => {
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${date}${separator}${pad(h)}:${pad(m)}:${pad(s)}${fraction === null ? '' : `.${fraction}`}`;
  });

/** Whether the fast reader read `text` (it may decline); when it did, the general reader agrees. */
function agree(text: string, ascii: number, general: number): boolean {
  if (ascii === NOT_READ) return false;
  expect(isDateTimeProblem(general), text).toBe(false);
  expect(ascii, text).toBe(general);
  return true;
}

describe('fast-path date and timestamp readers', () => {
  it('read dates as readDate does, or decline', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(dateText, dateText.chain(nearly), fc.string({ maxLength: 12 })), (text) => {
        const bytes = Buffer.from(text, 'latin1');
        if (agree(text, readAsciiDate(bytes, 0, bytes.length), readDate(text, 0, text.length))) read++;
      }),
      { numRuns: 5000 },
    );
    // The property says something only if the fast reader read a good share of the texts.
    expect(read).toBeGreaterThan(1000); // about 1,950 of 5,000
    expect(readAsciiDate(Buffer.from('2024-02-29'), 0, 10)).toBe(readDate('2024-02-29', 0, 10));
  });

  it('read timestamps as readTimestamp does, or decline', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(timestampText, timestampText.chain(nearly)), (text) => {
        const bytes = Buffer.from(text, 'latin1');
        if (agree(text, readAsciiTimestamp(bytes, 0, bytes.length), readTimestamp(text, 0, text.length))) read++;
      }),
      { numRuns: 5000 },
    );
    // As for dates: a reader that declined everything would pass the property.
    expect(read).toBeGreaterThan(500); // about 1,200 of 5,000
    const text = '2022-11-03T14:20:52.186999';
    expect(readAsciiTimestamp(Buffer.from(text), 0, text.length)).toBe(Date.UTC(2022, 10, 3, 14, 20, 52, 186));
  });
});
