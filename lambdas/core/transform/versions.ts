/**
 * Versions (docs/ARCHITECTURE.md "Versions and history").
 * - A source row's version is `<last_updated as YYYYMMDDTHHMMSSmmm>.<10-digit sequence>`:
 *   fixed width, so string order is version order, and the ingestion sequence breaks the
 *   tie when a row changed without `last_updated` moving.
 * - A joined dimension row's version is its partners' versions joined by `/`.
 * - A fact row's `version_hash` is the hex MD5 of its business columns.
 */
import { hash } from 'node:crypto';
import { padSequence } from '../layout';
import type { CellValue } from '../schema/column-types';
import { compactTimestamp } from './calendar';

export function rowVersion(lastUpdatedMs: number, sequence: number): string {
  return `${compactTimestamp(lastUpdatedMs)}.${padSequence(sequence)}`;
}

export function joinedVersion(...versions: readonly string[]): string {
  return versions.join('/');
}

/**
 * The canonical encoding hashed is the JSON array of the business values in column
 * order, money as its unscaled integer in decimal (exact; the scale is fixed per column),
 * dates as day numbers and times as milliseconds. Every column has one type, so equal
 * encodings mean equal rows. Changing this encoding changes every hash: don't.
 */
export function versionHash(values: readonly CellValue[], businessIndexes: readonly number[]): string {
  // Builds exactly JSON.stringify(businessValues, bigint → string) without the
  // intermediate array: this runs once per fact row.
  let text = '[';
  for (let i = 0; i < businessIndexes.length; i++) {
    const value = values[businessIndexes[i]!];
    if (i > 0) text += ',';
    if (typeof value === 'string') text += JSON.stringify(value);
    else if (typeof value === 'bigint') text += `"${value}"`;
    else text += value === null || value === undefined ? 'null' : String(value);
  }
  return hash('md5', `${text}]`, 'hex');
}
