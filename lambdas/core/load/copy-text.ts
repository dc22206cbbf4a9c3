/**
 * Values to Postgres COPY text format. Everything goes as text the server parses:
 * decimals are printed from the unscaled integer (never a binary float), dates and times
 * are computed arithmetically (never through the machine's zone), so what lands in the
 * warehouse is exactly what the file holds, in any TZ.
 */
import type { WarehouseColumnDefinition } from '../schema/warehouse-tables';
import { formatUnscaled } from '../money/decimal-text';
import { MS_PER_DAY, civilFromDays } from '../time/calendar';
import { PipelineError } from '../errors';

/** COPY's NULL marker. */
const COPY_NULL = '\\N';

/** A value of a Parquet column that cannot go into its warehouse column. */
export class CellError extends PipelineError {
  readonly kind = 'bad-input';
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
      return (value) => formatUnscaled(BigInt(value as bigint | number), type.scale);
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

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian, years 1–9999). */
export function formatDate(days: number): string {
  if (!Number.isInteger(days)) throw new CellError(`date ${days} is not a whole number of days`);
  const { year, month, day } = civilFromDays(days);
  if (year < 1 || year > 9999) throw new CellError(`date ${days} (year ${year}) is out of range`);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Milliseconds since midnight → `HH:MM:SS.mmm`. */
export function formatTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= MS_PER_DAY) throw new CellError(`time ${ms} ms is not a time of day`);
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(ms % 1000).padStart(3, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
