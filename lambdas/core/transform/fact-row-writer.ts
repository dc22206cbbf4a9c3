/**
 * The fact path's row step, compiled per fact table: one generated function reads a
 * source row's values, splits its timestamps, hashes the business values in registers
 * (versions.ts `fixedLayoutHashSource`) and writes every column straight into the
 * Parquet writer's buffers (DirectRows), with no values array between the steps. It is
 * an optimisation only: the same projection, hash and physical types as the general
 * path (project → hash → append), which the caller takes whenever this returns false (a
 * value not in its common form: a null, a fractional number, money beyond ±2^53), so
 * both give the same bytes (test/transform/fact-row-writer.test.ts).
 *
 * Only for a fact whose every column is required and fixed-width in Parquet (INT32,
 * INT64, BOOLEAN) apart from its version hash: sales_order's and payment's.
 * purchase_order's (a text column) always takes the general path.
 */
import type { DirectRows } from '../parquet/writer';
import { parquetSchema } from '../parquet/schema';
import { VERSION_HASH_COLUMN } from '../schema/warehouse-tables';
import type { Projection, SourceValues } from './projection';
import { fixedLayoutHashSource, hexInto } from './versions';

/** Writes one row, its date columns' day numbers to `days` (in date-column order); false when the row needs the general path. */
export type FactRowWriter = (row: SourceValues, rows: DirectRows, days: Int32Array) => boolean;

/** The version hash is 32 hex digits. */
const HASH_BYTES = 32;

export function compileFactRowWriter(projection: Projection): FactRowWriter | undefined {
  const columns = projection.target.columns;
  const physical = parquetSchema(projection.target).slice(1);
  const derived: ((value: unknown) => unknown)[] = [];
  const reads: string[] = [];
  const writes: string[] = [];
  const dayWrites: string[] = [];
  for (const [k, field] of projection.fields.entries()) {
    const column = columns[k]!;
    const type = physical[k]!.type;
    if (column.nullable) return undefined;
    if (field.kind === 'audit') {
      if (column.name !== VERSION_HASH_COLUMN || type !== 'BYTE_ARRAY') return undefined;
      // The slot first: making room may move the column's bytes.
      writes.push(`const at${k} = rows.byteSlot(${k | 0}, ${HASH_BYTES});`, `hexInto(digest, rows.bytes(${k | 0}), at${k});`);
      continue;
    }
    const source = `row[${field.index | 0}]`;
    if (field.kind === 'copy') {
      reads.push(`const v${k} = ${source};`);
    } else {
      derived.push(field.derive as (value: unknown) => unknown);
      reads.push(`const v${k} = derived[${derived.length - 1}](${source});`);
    }
    const kind = column.type.kind;
    if (type === 'INT32' && (kind === 'integer' || kind === 'date' || kind === 'time')) {
      writes.push(`rows.int32(${k | 0})[n] = v${k};`);
    } else if (type === 'INT64' && kind === 'decimal') {
      writes.push(`rows.int64(${k | 0})[n] = v${k};`);
    } else if (type === 'BOOLEAN' && kind === 'boolean') {
      writes.push(`rows.boolean(${k | 0})[n] = v${k} ? 1 : 0;`);
    } else {
      return undefined;
    }
    if (column.references === 'dim_date') dayWrites.push(`days[${dayWrites.length}] = v${k};`);
  }
  const business = projection.businessIndexes;
  const hash = fixedLayoutHashSource(
    business.map((index) => columns[index]!.type.kind),
    business.map((index) => `v${index}`),
    'digest',
  );
  if (hash === undefined) return undefined;
  const body = `"use strict";
return function writeFactRow(row, rows, days) {
${reads.join('\n')}
${hash.prepare}
if (!(${hash.check})) return false;
${hash.hash}
const n = rows.reserve();
${writes.join('\n')}
rows.commit();
${dayWrites.join('\n')}
return true;
};`;
  return new Function('derived', 'digest', 'hexInto', body)(derived, new Int32Array(4), hexInto) as FactRowWriter;
}
