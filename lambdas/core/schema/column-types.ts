/**
 * The column model shared by source and warehouse tables. One definition per table
 * (see source-tables.ts and warehouse-tables.ts) drives row validation, the Parquet
 * schema and the warehouse DDL, so the column lists live only there.
 */

export type ColumnType =
  /** 32-bit signed integer. In ingestion objects, integral floats (`2.0`) are accepted. */
  | { readonly kind: 'integer' }
  /** UTF-8 text; `maxLength` for varchar(n). */
  | { readonly kind: 'text'; readonly maxLength?: number }
  /** One of a fixed set of strings (a source enum). */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** Exact decimal; never held in a binary float (values are unscaled bigints). */
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  /** Calendar date (source: `YYYY-MM-DD` text). */
  | { readonly kind: 'date' }
  /** Time of day with milliseconds (warehouse only). */
  | { readonly kind: 'time' }
  /** Naive wall-clock timestamp(3): no zone, never shifted (source only). */
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'boolean' };

export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether null is a valid value. Defaults to false. */
  readonly nullable?: boolean;
}

export const integer = { kind: 'integer' } as const satisfies ColumnType;
export const text = { kind: 'text' } as const satisfies ColumnType;
export const varchar = (maxLength?: number): ColumnType => (maxLength === undefined ? { kind: 'text' } : { kind: 'text', maxLength });
export const money = { kind: 'decimal', precision: 10, scale: 2 } as const satisfies ColumnType;
export const date = { kind: 'date' } as const satisfies ColumnType;
export const time = { kind: 'time' } as const satisfies ColumnType;
export const timestamp = { kind: 'timestamp' } as const satisfies ColumnType;
export const boolean = { kind: 'boolean' } as const satisfies ColumnType;
export const oneOf = (...values: string[]): ColumnType => ({ kind: 'enum', values });

/**
 * Typed values as the core holds them after validation. Chosen so that nothing is
 * lossy or zone-dependent:
 * - integer: number
 * - text, enum: string
 * - decimal: bigint, the unscaled value (12.34 at scale 2 is 1234n)
 * - date: number of days since 1970-01-01
 * - time: milliseconds since midnight
 * - timestamp: milliseconds since 1970-01-01T00:00:00 read as a naive wall clock
 *   (computed arithmetically, never through the machine's zone)
 * - boolean: boolean
 */
export type CellValue = number | string | bigint | boolean | null;
