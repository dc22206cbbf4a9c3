/**
 * Valid JSON Lines rows to surround bad ones with, taken from the project's generator (so
 * no column list is repeated here), and small text surgery to make a line bad in exactly
 * one way: one value's raw JSON replaced, a column dropped or added.
 */
import { type SourceRecord, generateDataset, serializeRow } from '../../../local/generator';
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';

const DATASET = generateDataset({ seed: 3, scale: 0.002 });

/** Row `index` of a small generated totesys database. */
function sourceRow(table: SourceTableName, index = 0): SourceRecord {
  const row = DATASET.tables[table][index];
  if (!row) throw new Error(`the generated ${table} table has no row ${index}`);
  return row;
}

/** A valid line of `table` (as the dump writes it), with some values replaced. */
export function validLine(table: SourceTableName, overrides: Record<string, SourceRecord[string]> = {}, index = 0): string {
  return serializeRow(table, { ...sourceRow(table, index), ...overrides });
}

/** Where `"column": <value>` sits in a line: [start of the value, end of the value]. */
function valueSpan(line: string, column: string): [number, number] {
  const label = `${JSON.stringify(column)}: `;
  const at = line.indexOf(label);
  if (at < 0) throw new Error(`no column ${column} in ${line}`);
  const start = at + label.length;
  let end = start;
  if (line[start] === '"') {
    end = start + 1;
    while (line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
    end += 1;
  } else {
    while (end < line.length && line[end] !== ',' && line[end] !== '}') end += 1;
  }
  return [start, end];
}

/** The line with one column's value written as this raw JSON text (`"abc"`, `1.5`, `{}`...). */
export function withRawValue(line: string, column: string, raw: string): string {
  const [start, end] = valueSpan(line, column);
  return line.slice(0, start) + raw + line.slice(end);
}

/** The line without one column (schema drift). */
export function withoutColumn(line: string, column: string): string {
  const label = line.indexOf(`${JSON.stringify(column)}: `);
  const [, end] = valueSpan(line, column);
  if (line.startsWith(', ', end)) return line.slice(0, label) + line.slice(end + 2);
  return line.slice(0, label).replace(/, $/, '') + line.slice(end);
}

/** The line with one more key at the end. */
export function withExtraKey(line: string, key: string, raw: string): string {
  return `${line.slice(0, -1)}, ${JSON.stringify(key)}: ${raw}}`;
}

/** Lines joined as an object body, each ended by `\n`. */
export function body(...lines: string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}
