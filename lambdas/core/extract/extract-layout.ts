/**
 * Where the extract stage keeps things:
 * - ingestion bucket: `[ingestionPrefix]<table>/<sequence>_<watermark>.jsonl.gz` (CONTRACT.md §2);
 * - processed bucket: `[processedPrefix]extract/fingerprints/<table>.bin` and
 *   `[processedPrefix]extract/lease.json` (outside the ingestion prefix, so the transform
 *   is never triggered by them, and nothing else lists `extract/`);
 * - Parameter Store: `<parameterPath>/<table>` holding `{ sequence, cursor }`.
 */
import { ingestionKey, padSequence } from '../layout';
import type { SourceTableName } from '../schema/source-tables';

export class ExtractLayout {
  readonly ingestionPrefix: string;
  readonly processedPrefix: string;
  readonly parameterPath: string;

  constructor(options: { ingestionPrefix?: string; processedPrefix?: string; parameterPath: string }) {
    this.ingestionPrefix = withSlash(options.ingestionPrefix ?? '');
    this.processedPrefix = withSlash(options.processedPrefix ?? '');
    this.parameterPath = options.parameterPath.replace(/\/+$/, '');
  }

  tablePrefix(table: SourceTableName): string {
    return `${this.ingestionPrefix}${table}/`;
  }

  /** Every key of `sequence` starts with this. */
  sequencePrefix(table: SourceTableName, sequence: number): string {
    return `${this.tablePrefix(table)}${padSequence(sequence)}_`;
  }

  /** Lists after this see only sequences above `sequence` ('~' sorts after '_' and digits). */
  afterSequence(table: SourceTableName, sequence: number): string {
    return `${this.tablePrefix(table)}${padSequence(sequence)}~`;
  }

  objectKey(table: SourceTableName, sequence: number, watermark: string): string {
    return `${this.ingestionPrefix}${ingestionKey(table, sequence, watermark, true)}`;
  }

  fingerprints(table: SourceTableName): string {
    return `${this.processedPrefix}extract/fingerprints/${table}.bin`;
  }

  lease(): string {
    return `${this.processedPrefix}extract/lease.json`;
  }

  parameter(table: SourceTableName): string {
    return `${this.parameterPath}/${table}`;
  }
}

function withSlash(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}
