/**
 * Maps source rows onto a warehouse table's columns by name, so no column list is
 * repeated here: each warehouse column is found in the first source part that has it,
 * after a small per-part rename table or prefix. Audit columns (`version_hash`,
 * `source_version`) are left for the caller, who knows the row's version.
 *
 * A source row comes either as an object (SourceRow) or as its values in the source
 * table's column order (the fact path: the parser's array goes straight to the column
 * buffers, never becoming an object); both are compiled from the same fields.
 */
import type { SourceRow } from '../objects/types';
import type { CellValue } from '../schema/column-types';
import type { SourceTableDefinition } from '../schema/source-tables';
import type { WarehouseTableDefinition } from '../schema/warehouse-tables';

interface SourcePart {
  readonly table: SourceTableDefinition;
  /** Warehouse column → this part's column, where the names differ. */
  readonly renames?: Readonly<Record<string, string>>;
  /** Warehouse columns with this prefix come from this part's column without it. */
  readonly prefix?: string;
}

/** A warehouse column computed from one column of the first source part. */
export interface DerivedField {
  /** The source column (of the first part) it is computed from. */
  readonly from: string;
  readonly derive: (value: CellValue) => CellValue;
}

/** A source row as its values, in its table's column order. */
export type SourceValues = readonly CellValue[];

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
  /** As `project`, into an existing array. */
  projectInto(parts: readonly SourceRow[], values: CellValue[]): void;
  /** As `projectInto`, from rows given as their values (the fact path reuses both arrays for every row). */
  projectValuesInto(parts: readonly SourceValues[], values: CellValue[]): void;
  /** How each column gets its value, in column order (for code generated over the same mapping). */
  readonly fields: readonly ProjectedField[];
  indexOf(column: string): number;
}

/** How one warehouse column gets its value: copied from a part's column (by index), derived from one, or left to the caller (audit). */
type ProjectedField =
  | { readonly kind: 'copy'; readonly part: number; readonly name: string; readonly index: number }
  | { readonly kind: 'derived'; readonly derive: DerivedField['derive']; readonly name: string; readonly index: number }
  | { readonly kind: 'audit' };

export function compileProjection(spec: ProjectionSpec): Projection {
  const { target } = spec;
  const fields: ProjectedField[] = target.columns.map((column) =>
    column.audit ? { kind: 'audit' } : resolveField(spec, column.name, column.nullable === true),
  );
  const businessIndexes = target.columns.flatMap((column, index) => (column.audit ? [] : [index]));
  const projectInto = compileProjector(fields, 'names');
  const projectValuesInto = compileProjector(fields, 'indexes') as unknown as Projection['projectValuesInto'];
  return {
    target,
    businessIndexes,
    project(parts) {
      const values = new Array<CellValue>(fields.length);
      projectInto(parts, values);
      return values;
    },
    projectInto,
    projectValuesInto,
    fields,
    indexOf(column) {
      const index = target.columns.findIndex((c) => c.name === column);
      if (index < 0) throw new Error(`${target.name} has no column "${column}"`);
      return index;
    },
  };
}

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * The projection as one generated function: `values[0] = parts[0]["sales_order_id"] ?? null; …`
 * over objects, `values[0] = parts[0][0] ?? null; …` over value arrays. A property read
 * through a variable name (one shared closure per copied column) is a megamorphic lookup,
 * several times slower than these constant-name reads, and this runs once per fact row.
 * Names come from our table definitions (never from input) and are checked to be plain
 * identifiers; derived fields are called with their source value.
 */
function compileProjector(
  fields: readonly ProjectedField[],
  access: 'names' | 'indexes',
): (parts: readonly SourceRow[], values: CellValue[]) => void {
  const derived: DerivedField['derive'][] = [];
  const read = (part: number, field: { readonly name: string; readonly index: number }): string => {
    if (access === 'indexes') return `parts[${part}][${field.index}]`;
    if (!PLAIN_IDENTIFIER.test(field.name)) throw new Error(`column name ${JSON.stringify(field.name)} is not a plain identifier`);
    return `parts[${part}][${JSON.stringify(field.name)}]`;
  };
  const statements = fields.map((field, index) => {
    switch (field.kind) {
      case 'copy':
        return `values[${index}] = ${read(field.part, field)} ?? null;`;
      case 'derived':
        derived.push(field.derive);
        return `values[${index}] = derived[${derived.length - 1}](${read(0, field)});`;
      case 'audit':
        return `values[${index}] = null;`;
    }
  });
  const body = `"use strict"; return function projectInto(parts, values) {\n${statements.join('\n')}\n};`;
  return new Function('derived', body)(derived) as (parts: readonly SourceRow[], values: CellValue[]) => void;
}

function resolveField(spec: ProjectionSpec, column: string, targetNullable: boolean): ProjectedField {
  const derived = spec.derived?.[column];
  if (derived) {
    const first = spec.parts[0]!.table;
    const index = first.columns.findIndex((c) => c.name === derived.from);
    if (index < 0) throw new Error(`${spec.target.name}.${column} is derived from ${first.name}.${derived.from}, which does not exist`);
    return { kind: 'derived', derive: derived.derive, name: derived.from, index };
  }
  for (const [partIndex, part] of spec.parts.entries()) {
    const name = sourceColumnName(part, column);
    const index = name === undefined ? -1 : part.table.columns.findIndex((c) => c.name === name);
    const sourceColumn = part.table.columns[index];
    if (!sourceColumn || name === undefined) continue;
    if (sourceColumn.nullable && !targetNullable) {
      throw new Error(`${spec.target.name}.${column} is NOT NULL but ${part.table.name}.${name} is nullable`);
    }
    return { kind: 'copy', part: partIndex, name, index };
  }
  throw new Error(`${spec.target.name}.${column}: no source column maps to it`);
}

function sourceColumnName(part: SourcePart, column: string): string | undefined {
  const renamed = part.renames?.[column];
  if (renamed !== undefined) return renamed;
  if (part.prefix === undefined) return column;
  return column.startsWith(part.prefix) ? column.slice(part.prefix.length) : undefined;
}
