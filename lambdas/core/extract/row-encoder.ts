/**
 * One source row (Postgres text output) → one JSON Lines line with exactly the table's
 * columns (CONTRACT.md §2, §6): integers as numbers, money as its numeric text in a string,
 * booleans true/false, naive timestamps as `YYYY-MM-DD HH:MM:SS.mmm` text. Values never
 * pass through a Date, a binary float or the machine's zone.
 */
import type { ColumnDefinition } from '../schema/column-types';
import type { SourceTableDefinition } from '../schema/source-tables';
import type { SourceRow } from './ports';
import { PipelineError } from '../errors';

export class SourceValueError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(table: string, rowId: string | null, column: string, value: string, reason: string) {
    super(`source table ${table}, row ${rowId ?? '?'}, column ${column}: ${reason} (value ${JSON.stringify(value.slice(0, 80))})`);
    this.name = 'SourceValueError';
  }
}

export interface EncodedRow {
  readonly line: string;
  readonly id: number;
  /** `YYYY-MM-DD HH:MM:SS.mmm` */
  readonly lastUpdated: string;
}

type Encode = (value: string, fail: (reason: string) => never) => string;

const INTEGER = /^-?\d{1,10}$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

const asIs: Encode = (value, fail) => (INTEGER.test(value) ? value : fail('not an integer'));
const quoted: Encode = (value) => JSON.stringify(value);
const decimalText: Encode = (value, fail) => (NUMERIC.test(value) ? `"${value}"` : fail('not a decimal number'));
const booleanWord: Encode = (value, fail) =>
  value === 't' || value === 'true' ? 'true' : value === 'f' || value === 'false' ? 'false' : fail('not a boolean');
const timestampText: Encode = (value, fail) => `"${naiveTimestamp(value, fail)}"`;

/** `YYYY-MM-DD HH:MM:SS[.f…]` (DateStyle ISO) → exactly three fractional digits. */
export function naiveTimestamp(value: string, fail: (reason: string) => never): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(value)) {
    return fail('not a timestamp YYYY-MM-DD HH:MM:SS[.fff] (DateStyle must be ISO; BC and infinity are not supported)');
  }
  if (value.length === 19) return `${value}.000`;
  if (value.length <= 23) return value.padEnd(23, '0');
  // timestamp(3) never has more digits; a wider column must not be silently rounded.
  if (/^0+$/.test(value.slice(23))) return value.slice(0, 23);
  return fail('has more than millisecond precision');
}

function encoderFor(column: ColumnDefinition): Encode {
  switch (column.type.kind) {
    case 'integer':
      return asIs;
    case 'decimal':
      return decimalText;
    case 'boolean':
      return booleanWord;
    case 'timestamp':
      return timestampText;
    case 'text':
    case 'enum':
    case 'date':
    case 'time':
      return quoted;
  }
}

/** Builds the encoder for one table; throws SourceValueError naming table, row, column. */
export function rowEncoder(table: SourceTableDefinition): (row: SourceRow) => EncodedRow {
  const columns = table.columns;
  const prefixes = columns.map((column, i) => `${i === 0 ? '{' : ','}${JSON.stringify(column.name)}:`);
  const encoders = columns.map(encoderFor);
  const lastUpdatedIndex = columns.findIndex((column) => column.name === 'last_updated');
  const count = columns.length;
  return (row) => {
    if (row.length !== count) {
      throw new SourceValueError(table.name, row[0] ?? null, '*', '', `expected ${count} columns, got ${row.length}`);
    }
    let line = '';
    let lastUpdated = '';
    for (let i = 0; i < count; i++) {
      const value = row[i]!;
      if (value === null) {
        if (columns[i]!.nullable !== true) {
          throw new SourceValueError(table.name, row[0] ?? null, columns[i]!.name, '', 'null in a NOT NULL column');
        }
        line += `${prefixes[i]}null`;
        continue;
      }
      const encoded = encoders[i]!(value, (reason) => {
        throw new SourceValueError(table.name, row[0] ?? null, columns[i]!.name, value, reason);
      });
      if (i === lastUpdatedIndex) lastUpdated = encoded.slice(1, -1);
      line += prefixes[i]! + encoded;
    }
    return { line: `${line}}`, id: Number(row[0]), lastUpdated };
  };
}

/** `YYYY-MM-DD HH:MM:SS.mmm` → the key's `YYYYMMDDTHHMMSSmmm`. */
export function watermarkOf(lastUpdated: string): string {
  return (
    lastUpdated.slice(0, 4) +
    lastUpdated.slice(5, 7) +
    lastUpdated.slice(8, 10) +
    'T' +
    lastUpdated.slice(11, 13) +
    lastUpdated.slice(14, 16) +
    lastUpdated.slice(17, 19) +
    lastUpdated.slice(20, 23)
  );
}
