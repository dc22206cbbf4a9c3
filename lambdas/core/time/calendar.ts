/**
 * The project's one home for calendar arithmetic on day numbers (days since 1970-01-01) and naive timestamps
 * (milliseconds since 1970-01-01T00:00:00 read as a wall clock). Pure integer maths:
 * nothing here goes through `Date` or the machine's time zone, so the results are the
 * same in every zone.
 */

export const MS_PER_DAY = 86_400_000;

/**
 * Days from 1970-01-01 to the given proleptic Gregorian date (month 1–12). Hinnant's
 * days_from_civil: exact integer arithmetic, and unlike `Date.UTC` no special meaning
 * for years 0–99.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // March = 0
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** ISO day of week: Monday 1 … Sunday 7. Day 0 (1970-01-01) was a Thursday. */
export function isoDayOfWeek(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** Splits a naive timestamp into its date (day number) and time of day (ms since midnight). */
export function splitTimestamp(timestampMs: number): { readonly date: number; readonly time: number } {
  const date = Math.floor(timestampMs / MS_PER_DAY);
  return { date, time: timestampMs - date * MS_PER_DAY };
}

export function dateOfTimestamp(timestampMs: number): number {
  return Math.floor(timestampMs / MS_PER_DAY);
}

export function timeOfTimestamp(timestampMs: number): number {
  return timestampMs - Math.floor(timestampMs / MS_PER_DAY) * MS_PER_DAY;
}

/**
 * `YYYYMMDDTHHMMSSmmm`: the fixed-width form used in ingestion keys and row versions,
 * so that string order is time order.
 */
export function compactTimestamp(timestampMs: number): string {
  const { date, time } = splitTimestamp(timestampMs);
  const { year, month, day } = civilFromDays(date);
  const hours = Math.floor(time / 3_600_000);
  const minutes = Math.floor(time / 60_000) % 60;
  const seconds = Math.floor(time / 1000) % 60;
  const millis = time % 1000;
  return `${pad(year, 4) + pad(month, 2) + pad(day, 2)}T${pad(hours, 2)}${pad(minutes, 2)}${pad(seconds, 2)}${pad(millis, 3)}`;
}

/** `YYYY-MM-DD` of a day number. */
export function isoDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
