/**
 * Checks a Parquet file's schema against its table definition before any of it is
 * loaded: a file from a different version of the transform, or from somewhere else
 * entirely, fails its batch with every mismatch named instead of loading wrong values.
 */
import type { SchemaElement } from 'hyparquet';
import { parquetSchema } from '../parquet/schema';
import type { WarehouseTableDefinition } from '../schema/warehouse-tables';

/** Every way `actual` differs from the schema `table` implies; empty when it matches. */
export function schemaMismatches(table: WarehouseTableDefinition, actual: readonly SchemaElement[]): string[] {
  const expected = parquetSchema(table).slice(1);
  const problems: string[] = [];
  const byName = new Map(actual.map((element) => [element.name, element]));
  for (const want of expected) {
    const got = byName.get(want.name);
    if (!got) {
      problems.push(`missing column "${want.name}" (${describe(want)})`);
      continue;
    }
    if ((got.num_children ?? 0) > 0) {
      problems.push(`column "${want.name}" is a nested group, expected ${describe(want)}`);
      continue;
    }
    if (describe(got) !== describe(want)) {
      problems.push(`column "${want.name}" is ${describe(got)}, expected ${describe(want)}`);
    }
    // A REQUIRED column where the definition allows nulls is fine; the reverse could carry nulls into NOT NULL.
    if (want.repetition_type === 'REQUIRED' && got.repetition_type !== 'REQUIRED') {
      problems.push(`column "${want.name}" is ${got.repetition_type ?? 'OPTIONAL'}, expected REQUIRED (NOT NULL)`);
    }
  }
  const known = new Set(expected.map((element) => element.name));
  for (const element of actual) {
    if (!known.has(element.name)) problems.push(`extra column "${element.name}" (${describe(element)})`);
  }
  return problems;
}

/** `INT64 DECIMAL(10,2)`, `INT32 DATE`, `BYTE_ARRAY STRING`, `INT32 TIME(MILLIS)`… */
function describe(element: SchemaElement): string {
  const logical = element.logical_type;
  let annotation: string | undefined;
  if (logical?.type === 'DECIMAL') annotation = `DECIMAL(${logical.precision},${logical.scale})`;
  else if (logical?.type === 'TIME') annotation = `TIME(${logical.unit}${logical.isAdjustedToUTC ? ',UTC' : ''})`;
  else if (logical?.type === 'TIMESTAMP') annotation = `TIMESTAMP(${logical.unit})`;
  else if (logical?.type === 'INTEGER') annotation = `INT(${logical.bitWidth},${logical.isSigned ? 'signed' : 'unsigned'})`;
  else if (logical) annotation = logical.type;
  else if (element.converted_type === 'DECIMAL') annotation = `DECIMAL(${element.precision},${element.scale})`;
  else if (element.converted_type === 'UTF8') annotation = 'STRING';
  else if (element.converted_type === 'TIME_MILLIS') annotation = 'TIME(MILLIS)';
  else if (element.converted_type) annotation = element.converted_type;
  return annotation ? `${element.type} ${annotation}` : `${element.type}`;
}
