/**
 * Generated source rows and their JSON Lines form, written the way the real dump is:
 * Python's `json.dumps` layout (`{"a": 1, "b": null}`), timestamps as generated, and money
 * as a JSON number in Python's float form (`361.39`, `3.9`, `3.0`).
 *
 * Money is held as integer cents (bigint) and its text is built from the digits, never
 * through a binary float.
 *
 * Given a Random, values are instead written in any of the other forms CONTRACT.md §2 says real
 * dumps use (same values, other text): timestamps with a space or `T` and 0–6 fractional
 * digits (never dropping a non-zero millisecond), integers as integral floats (`2.0`),
 * money as numeric strings (`"3.90"`), booleans as `"t"`/`"f"`.
 */
import { formatUnscaled, formatUnscaledShortest } from '../../lambdas/core/money';
import type { ColumnDefinition } from '../../lambdas/core/schema/column-types';
import type { Random } from './random';
import { SOURCE_TABLES, type SourceTableName } from '../../lambdas/core/schema/source-tables';

/**
 * A value of a generated source row: text (also timestamps `YYYY-MM-DDTHH:MM:SS[.ffffff]`,
 * dates `YYYY-MM-DD` and enums), an integer, a boolean, null, or money as integer cents
 * (bigint, so `unit_price: 394n` is 3.94).
 */
export type SourceValue = string | number | boolean | bigint | null;

/** One row of a source table, keyed by the table's column names. */
export type SourceRecord = Readonly<Record<string, SourceValue>>;

/** Cents → the source's JSON number text: `36139n` → `361.39`, `390n` → `3.9`, `300n` → `3.0`. */
export function formatMoney(cents: bigint | number): string {
  if (typeof cents === 'number' && !Number.isSafeInteger(cents)) {
    throw new Error(`money must be a whole number of cents, got ${cents}`);
  }
  return formatUnscaledShortest(BigInt(cents), 2);
}

/**
 * One JSON Lines line (without the newline) for a row of `table`, columns in the table
 * definition's order. Throws when the row's columns are not exactly the table's.
 */
export function serializeRow(table: SourceTableName, row: SourceRecord, mixedEncodings?: Random): string {
  const columns = SOURCE_TABLES[table].columns;
  const parts: string[] = [];
  for (const column of columns) {
    if (!(column.name in row)) throw new Error(`${table} row lacks column "${column.name}"`);
    parts.push(`${JSON.stringify(column.name)}: ${serializeValue(table, column, row[column.name]!, mixedEncodings)}`);
  }
  const extra = Object.keys(row).filter((name) => !columns.some((column) => column.name === name));
  if (extra.length > 0) throw new Error(`${table} row has unknown columns ${extra.join(', ')}`);
  return `{${parts.join(', ')}}`;
}

function serializeValue(table: string, column: ColumnDefinition, value: SourceValue, mixed?: Random): string {
  const where = `${table}.${column.name}`;
  if (value === null) {
    if (!column.nullable) throw new Error(`${where} is not nullable`);
    return 'null';
  }
  const kind = column.type.kind;
  const expected = kind === 'decimal' ? 'bigint' : kind === 'integer' ? 'number' : kind === 'boolean' ? 'boolean' : 'string';
  if (typeof value !== expected) throw new Error(`${where} must be a ${expected}, got ${typeof value}`);
  if (typeof value === 'bigint') return mixed?.chance(0.4) ? `"${formatUnscaled(value, 2)}"` : formatMoney(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`${where}: ${value} is not an integer`);
    return mixed?.chance(0.3) ? `${value}.0` : String(value);
  }
  if (typeof value === 'boolean') return mixed?.chance(0.5) ? (value ? '"t"' : '"f"') : value ? 'true' : 'false';
  if (kind === 'timestamp' && mixed) return JSON.stringify(varyTimestamp(value, mixed));
  return JSON.stringify(value);
}

/** `2024-11-14T09:30:12.345000` → e.g. `2024-11-14 09:30:12.345` or `…T09:30:12.3450`. */
function varyTimestamp(text: string, random: Random): string {
  const [date, time] = [text.slice(0, 10), text.slice(11, 19)];
  const fraction = text.length > 19 ? text.slice(20) : '000000';
  const significant = fraction.replace(/0+$/, '').length;
  const digits = random.int(significant, 6);
  return `${date}${random.chance(0.5) ? ' ' : 'T'}${time}${digits === 0 ? '' : `.${fraction.slice(0, digits)}`}`;
}

/** A JSON Lines body: one line per row, each ending in a newline. */
export function serializeRows(table: SourceTableName, rows: readonly SourceRecord[], mixedEncodings?: Random): string {
  let body = '';
  for (const row of rows) body += `${serializeRow(table, row, mixedEncodings)}\n`;
  return body;
}
