/**
 * Maps source rows onto a warehouse table's columns by name, so no column list is
 * repeated here: each warehouse column is found in the first source part that has it,
 * after a small per-part rename table or prefix. Audit columns (`version_hash`,
 * `source_version`) are left for the caller, who knows the row's version.
 */
import type { SourceRow } from '../objects/types';
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
  /** As `project`, into an existing array (the fact path reuses one for every row). */
  projectInto(parts: readonly SourceRow[], values: CellValue[]): void;
  indexOf(column: string): number;
}

/** How one warehouse column gets its value. */
type Field =
  | { readonly kind: 'copy'; readonly part: number; readonly name: string }
  | { readonly kind: 'derived'; readonly derive: DerivedField }
  | { readonly kind: 'audit' };

export function compileProjection(spec: ProjectionSpec): Projection {
  const { target } = spec;
  const fields: Field[] = target.columns.map((column) =>
    column.audit ? { kind: 'audit' } : resolveField(spec, column.name, column.nullable === true),
  );
  const businessIndexes = target.columns.flatMap((column, index) => (column.audit ? [] : [index]));
  const projectInto = compileProjector(fields);
  return {
    target,
    businessIndexes,
    project(parts) {
      const values = new Array<CellValue>(fields.length);
      projectInto(parts, values);
      return values;
    },
    projectInto,
    indexOf(column) {
      const index = target.columns.findIndex((c) => c.name === column);
      if (index < 0) throw new Error(`${target.name} has no column "${column}"`);
      return index;
    },
  };
}

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * The projection as one generated function: `values[0] = parts[0]["sales_order_id"] ?? null; …`.
 * A property read through a variable name (one shared closure per copied column) is a
 * megamorphic lookup, several times slower than these constant-name reads, and this runs
 * once per fact row. Names come from our table definitions (never from input) and are
 * checked to be plain identifiers; derived fields are called as they are.
 */
function compileProjector(fields: readonly Field[]): (parts: readonly SourceRow[], values: CellValue[]) => void {
  const derived: DerivedField[] = [];
  const statements = fields.map((field, index) => {
    switch (field.kind) {
      case 'copy':
        if (!PLAIN_IDENTIFIER.test(field.name)) throw new Error(`column name ${JSON.stringify(field.name)} is not a plain identifier`);
        return `values[${index}] = parts[${field.part}][${JSON.stringify(field.name)}] ?? null;`;
      case 'derived':
        derived.push(field.derive);
        return `values[${index}] = derived[${derived.length - 1}](parts);`;
      case 'audit':
        return `values[${index}] = null;`;
    }
  });
  const body = `"use strict"; return function projectInto(parts, values) {\n${statements.join('\n')}\n};`;
  return new Function('derived', body)(derived) as (parts: readonly SourceRow[], values: CellValue[]) => void;
}

function resolveField(spec: ProjectionSpec, column: string, targetNullable: boolean): Field {
  const derived = spec.derived?.[column];
  if (derived) return { kind: 'derived', derive: derived };
  for (const [partIndex, part] of spec.parts.entries()) {
    const name = sourceColumnName(part, column);
    const sourceColumn = name === undefined ? undefined : part.table.columns.find((c) => c.name === name);
    if (!sourceColumn || name === undefined) continue;
    if (sourceColumn.nullable && !targetNullable) {
      throw new Error(`${spec.target.name}.${column} is NOT NULL but ${part.table.name}.${name} is nullable`);
    }
    return { kind: 'copy', part: partIndex, name };
  }
  throw new Error(`${spec.target.name}.${column}: no source column maps to it`);
}

function sourceColumnName(part: SourcePart, column: string): string | undefined {
  const renamed = part.renames?.[column];
  if (renamed !== undefined) return renamed;
  if (part.prefix === undefined) return column;
  return column.startsWith(part.prefix) ? column.slice(part.prefix.length) : undefined;
}
