/**
 * Naive wall-clock time for the generator: instants are milliseconds since
 * 1970-01-01T00:00:00 read as a zone-less wall clock (like the core's timestamps), so
 * nothing here depends on the machine's zone. Days are whole days since 1970-01-01.
 */
import { MS_PER_DAY } from '../../lambdas/core/time';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export { MS_PER_DAY };

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` → ms. Accepts only the form this generator writes. */
export function parseTimestamp(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{6}))?$/.exec(text);
  if (!match) throw new Error(`not a generated timestamp: ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second, fraction] = match.map(Number) as number[];
  const micros = match[7] === undefined ? 0 : fraction!;
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) + Math.floor(micros / 1000);
}

/**
 * The dump's timestamp form: Python's `isoformat()` of a microsecond value, so six
 * fractional digits, and none at all when the fraction is zero (`2023-01-05T10:11:12`).
 */
export function formatTimestamp(ms: number): string {
  const date = new Date(ms);
  const fraction = date.getUTCMilliseconds();
  return (
    `${formatDay(Math.floor(ms / MS_PER_DAY))}T${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}` +
    (fraction === 0 ? '' : `.${String(fraction).padStart(3, '0')}000`)
  );
}

/** `YYYYMMDDTHHMMSSmmm`: the watermark form of an ingestion key. */
export function formatWatermark(ms: number): string {
  const date = new Date(ms);
  return (
    `${date.getUTCFullYear()}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}T` +
    `${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}` +
    String(date.getUTCMilliseconds()).padStart(3, '0')
  );
}

/** Day number → `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  const date = new Date(day * MS_PER_DAY);
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** `YYYY-MM-DD` → day number. */
export function parseDay(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a date: ${JSON.stringify(text)}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / MS_PER_DAY;
}

export function dayOf(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** ISO day of week, Monday 1 … Sunday 7 (1970-01-01 was a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * Office hours on weekdays, as one continuous axis: orders are only ever placed then.
 * `at(fraction)` maps [0, 1) over the office time between two instants onto wall-clock ms.
 */
export class OfficeHours {
  static readonly OPENS = 8 * MS_PER_HOUR;
  static readonly CLOSES = 19 * MS_PER_HOUR;
  private readonly days: number[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  readonly total: number;

  constructor(from: number, to: number) {
    let total = 0;
    for (let day = dayOf(from); day <= dayOf(to); day += 1) {
      if (isoWeekday(day) > 5) continue;
      const start = Math.max(day * MS_PER_DAY + OfficeHours.OPENS, from);
      const end = Math.min(day * MS_PER_DAY + OfficeHours.CLOSES, to);
      if (end <= start) continue;
      this.days.push(day);
      this.starts.push(start);
      this.lengths.push(end - start);
      total += end - start;
    }
    this.total = total;
    if (total === 0) throw new Error('no office hours between the two instants');
  }

  /** The wall-clock instant `fraction` of the way through the office time. */
  at(fraction: number): number {
    let offset = Math.floor(fraction * this.total);
    for (let index = 0; index < this.days.length; index += 1) {
      if (offset < this.lengths[index]!) return this.starts[index]! + offset;
      offset -= this.lengths[index]!;
    }
    return this.starts.at(-1)! + this.lengths.at(-1)! - 1;
  }

  /** Instants for ascending fractions, in one pass (fractions must be sorted). */
  *atSorted(fractions: ArrayLike<number>): Generator<number> {
    let index = 0;
    let before = 0;
    for (let i = 0; i < fractions.length; i += 1) {
      const offset = Math.floor(fractions[i]! * this.total);
      while (index < this.days.length - 1 && offset >= before + this.lengths[index]!) {
        before += this.lengths[index]!;
        index += 1;
      }
      yield this.starts[index]! + Math.min(offset - before, this.lengths[index]! - 1);
    }
  }
}

/** The first office-hours day after `day` (the next weekday). */
export function nextWeekday(day: number): number {
  let next = day + 1;
  while (isoWeekday(next) > 5) next += 1;
  return next;
}
