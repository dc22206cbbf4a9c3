/**
 * Values to Postgres COPY text format. Everything goes as text the server parses:
 * decimals are printed from the unscaled integer (never a binary float), dates and times
 * are computed arithmetically (never through the machine's zone), so what lands in the
 * warehouse is exactly what the file holds, in any TZ.
 */
import type { WarehouseColumnDefinition } from '../schema/warehouse-tables';

/** COPY's NULL marker. */
export const COPY_NULL = '\\N';

/** A value of a Parquet column that cannot go into its warehouse column. */
export class CellError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CellError';
  }
}

export type CellFormatter = (value: unknown) => string;

/** The formatter for one column; null in a NOT NULL column is a CellError. */
export function cellFormatter(column: WarehouseColumnDefinition): CellFormatter {
  const format = valueFormatter(column);
  if (column.nullable) return (value) => (value === null || value === undefined ? COPY_NULL : format(value));
  return (value) => {
    if (value === null || value === undefined) throw new CellError('null in a NOT NULL column');
    return format(value);
  };
}

function valueFormatter(column: WarehouseColumnDefinition): CellFormatter {
  const { type } = column;
  switch (type.kind) {
    case 'integer':
      return (value) => String(value as number);
    case 'text':
    case 'enum':
      return (value) => escapeCopyText(value as string);
    case 'boolean':
      return (value) => (value ? 't' : 'f');
    case 'decimal':
      return (value) => formatDecimal(BigInt(value as bigint | number), type.scale);
    case 'date': {
      // Facts repeat a few hundred dates across many rows: format each once.
      const cache = new Map<number, string>();
      return (value) => {
        const days = value as number;
        let text = cache.get(days);
        if (text === undefined) {
          text = formatDate(days);
          cache.set(days, text);
        }
        return text;
      };
    }
    case 'time':
      return (value) => formatTime(value as number);
    case 'timestamp':
      throw new Error(`column ${column.name}: warehouse tables split timestamps into date and time`);
  }
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function escapeCopyText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** 1234n at scale 2 → `12.34`; -5n → `-0.05`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian, years 1–9999). */
export function formatDate(days: number): string {
  if (!Number.isInteger(days)) throw new CellError(`date ${days} is not a whole number of days`);
  // Howard Hinnant's civil_from_days: pure integer arithmetic, no Date, no zone.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) throw new CellError(`date ${days} (year ${year}) is out of range`);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Milliseconds since midnight → `HH:MM:SS.mmm`. */
export function formatTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 86_400_000) throw new CellError(`time ${ms} ms is not a time of day`);
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(ms % 1000).padStart(3, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
