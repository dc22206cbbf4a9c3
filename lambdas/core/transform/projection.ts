/**
 * Maps source rows onto a warehouse table's columns by name, so no column list is
 * repeated here: each warehouse column is found in the first source part that has it,
 * after a small per-part rename table or prefix. Audit columns (`version_hash`,
 * `source_version`) are left for the caller, who knows the row's version.
 */
import type { SourceRow } from '../ingest/types';
import type { CellValue } from '../schema/column-types';
import type { SourceTableDefinition } from '../schema/source-tables';
import type { WarehouseTableDefinition } from '../schema/warehouse-tables';

export interface SourcePart {
  readonly table: SourceTableDefinition;
  /** Warehouse column → this part's column, where the names differ. */
  readonly renames?: Readonly<Record<string, string>>;
  /** Warehouse columns with this prefix come from this part's column without it. */
  readonly prefix?: string;
}

export type DerivedField = (parts: readonly SourceRow[]) => CellValue;

export interface ProjectionSpec {
  readonly target: WarehouseTableDefinition;
  readonly parts: readonly SourcePart[];
  /** Warehouse columns computed from the parts rather than copied. */
  readonly derived?: Readonly<Record<string, DerivedField>>;
}

export interface Projection {
  readonly target: WarehouseTableDefinition;
  /** Indexes of the non-audit columns, in column order. */
  readonly businessIndexes: readonly number[];
  /** A row with every column in order; audit columns are null until the caller sets them. */
  project(parts: readonly SourceRow[]): CellValue[];
  indexOf(column: string): number;
}

export function compileProjection(spec: ProjectionSpec): Projection {
  const { target } = spec;
  const fields: (DerivedField | undefined)[] = target.columns.map((column) =>
    column.audit ? undefined : resolveField(spec, column.name, column.nullable === true),
  );
  const businessIndexes = target.columns.flatMap((column, index) => (column.audit ? [] : [index]));
  return {
    target,
    businessIndexes,
    project(parts) {
      const values = new Array<CellValue>(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i];
        values[i] = field === undefined ? null : field(parts);
      }
      return values;
    },
    indexOf(column) {
      const index = target.columns.findIndex((c) => c.name === column);
      if (index < 0) throw new Error(`${target.name} has no column "${column}"`);
      return index;
    },
  };
}

function resolveField(spec: ProjectionSpec, column: string, targetNullable: boolean): DerivedField {
  const derived = spec.derived?.[column];
  if (derived) return derived;
  for (const [partIndex, part] of spec.parts.entries()) {
    const name = sourceColumnName(part, column);
    const sourceColumn = name === undefined ? undefined : part.table.columns.find((c) => c.name === name);
    if (!sourceColumn || name === undefined) continue;
    if (sourceColumn.nullable && !targetNullable) {
      throw new Error(`${spec.target.name}.${column} is NOT NULL but ${part.table.name}.${name} is nullable`);
    }
    return (parts) => parts[partIndex]![name] ?? null;
  }
  throw new Error(`${spec.target.name}.${column}: no source column maps to it`);
}

function sourceColumnName(part: SourcePart, column: string): string | undefined {
  const renamed = part.renames?.[column];
  if (renamed !== undefined) return renamed;
  if (part.prefix === undefined) return column;
  return column.startsWith(part.prefix) ? column.slice(part.prefix.length) : undefined;
}
