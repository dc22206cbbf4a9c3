/**
 * Adopting star-schema tables that already exist (the analysts made them before the
 * pipeline arrived). A table is adopted only when its analyst columns, their types and
 * nullability, and its primary key are the ones the definitions give. The loader's own
 * parts (audit columns, the facts' version key, references, the placeholder index) are
 * added when missing, which needs the login to own the table. Anything else is refused
 * with every difference listed and the SQL that fixes it: the loader never guesses at a
 * table it did not make.
 */
import type { ExistingTable } from './existing-tables';
import type { ExpectedColumn, ExpectedShape } from './table-shape';
import { qualified, quoteIdent } from './names';
import { PipelineError } from '../errors';

export interface TableDifference {
  readonly table: string;
  /** What differs, in words. */
  readonly difference: string;
  /** SQL (run by the table's owner) that removes the difference. */
  readonly fix: string;
}

export interface AdoptionPlan {
  /** Differences that stop the adoption. */
  readonly differences: readonly TableDifference[];
  /** Statements that complete an adoptable table (run by the loader). */
  readonly statements: readonly string[];
}

export class TableAdoptionError extends PipelineError {
  readonly kind = 'conflict';
  constructor(
    readonly schema: string,
    readonly differences: readonly TableDifference[],
  ) {
    const lines = differences.map((d) => `  - ${d.table}: ${d.difference}\n      fix: ${d.fix}`);
    super(
      `existing tables in schema "${schema}" do not match the star schema, so the loader will not use them ` +
        `(${differences.length} difference${differences.length === 1 ? '' : 's'}):\n${lines.join('\n')}\n` +
        "Run the fixes as the tables' owner (or point warehouseSchema at an empty schema), then the next run adopts them.",
    );
    this.name = 'TableAdoptionError';
  }
}

function columnDdl(c: ExpectedColumn): string {
  const parts = [quoteIdent(c.name), c.ddlType];
  if (c.collation) parts.push(`COLLATE ${quoteIdent(c.collation)}`);
  if (c.default) parts.push(`DEFAULT ${c.default}`);
  if (!c.nullable) parts.push('NOT NULL');
  return parts.join(' ');
}

/** What adopting `existing` as `expected.table` takes: differences that stop it, or statements that complete it. */
export function planAdoption(schema: string, expected: ExpectedShape, existing: ExistingTable): AdoptionPlan {
  const table = expected.table.name;
  const name = qualified(schema, table);
  const differences: TableDifference[] = [];
  const ownerWork: { difference: string; sql: string }[] = [];
  const differ = (difference: string, fix: string) => differences.push({ table, difference, fix });

  for (const want of expected.columns) {
    const have = existing.columns.get(want.name);
    if (!have) {
      if (!want.audit) {
        differ(
          `column ${want.name} is missing (expected ${want.ddlType}${want.nullable ? '' : ' NOT NULL'})`,
          `ALTER TABLE ${name} ADD COLUMN ${columnDdl(want)};`,
        );
      } else if (!want.nullable && !want.default && existing.hasRows) {
        differ(
          `audit column ${want.name} is missing and the table already holds rows the loader did not load (it cannot give them a ${want.name})`,
          `move the rows aside and empty the table (e.g. CREATE TABLE ${qualified(schema, `${table}_before_pipeline`)} AS TABLE ${name}; TRUNCATE ${name};)`,
        );
      } else {
        ownerWork.push({ difference: `audit column ${want.name} is missing`, sql: `ALTER TABLE ${name} ADD COLUMN ${columnDdl(want)}` });
      }
      continue;
    }
    if (have.type !== want.type) {
      differ(
        `column ${want.name} is ${have.type}, expected ${want.type}`,
        `ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(want.name)} TYPE ${want.ddlType}${want.collation ? ` COLLATE ${quoteIdent(want.collation)}` : ''};`,
      );
    } else if (want.collation && have.collation !== want.collation) {
      differ(
        `column ${want.name} has collation ${have.collation ?? 'default'}, expected "${want.collation}" (versions compare byte-wise)`,
        `ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(want.name)} TYPE ${want.ddlType} COLLATE ${quoteIdent(want.collation)};`,
      );
    }
    if (have.nullable !== want.nullable) {
      differ(
        `column ${want.name} is ${have.nullable ? 'nullable' : 'NOT NULL'}, expected ${want.nullable ? 'nullable' : 'NOT NULL'}`,
        `ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(want.name)} ${want.nullable ? 'DROP' : 'SET'} NOT NULL;`,
      );
    }
  }

  // The loader inserts only the columns it knows: any other column must accept being left out.
  const known = new Set(expected.columns.map((c) => c.name));
  for (const have of existing.columns.values()) {
    if (known.has(have.name) || have.nullable || have.generated) continue;
    differ(
      `column ${have.name} is not in the star schema and is NOT NULL without a default, so the loader cannot insert rows`,
      `ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(have.name)} DROP NOT NULL;`,
    );
  }

  const key = expected.primaryKey;
  if (existing.primaryKey.length !== 1 || existing.primaryKey[0] !== key) {
    const drop = existing.primaryKeyName ? `ALTER TABLE ${name} DROP CONSTRAINT ${quoteIdent(existing.primaryKeyName)}; ` : '';
    differ(
      existing.primaryKey.length === 0
        ? `has no primary key, expected (${key})`
        : `primary key is (${existing.primaryKey.join(', ')}), expected (${key})`,
      `${drop}ALTER TABLE ${name} ADD PRIMARY KEY (${quoteIdent(key)});`,
    );
  }
  if (expected.table.kind === 'fact') {
    const surrogate = existing.columns.get(key);
    if (surrogate && surrogate.type === 'integer' && !surrogate.generated) {
      differ(
        `column ${key} has no default, so inserted facts get no key (expected serial)`,
        `CREATE SEQUENCE ${qualified(schema, `${table}_${key}_seq`)} OWNED BY ${name}.${quoteIdent(key)}; ALTER TABLE ${name} ALTER COLUMN ${quoteIdent(key)} SET DEFAULT nextval('${schema}.${table}_${key}_seq');`,
      );
    }
  }

  if (expected.versionKey) {
    const columns = expected.versionKey.columns;
    const present = existing.uniqueKeys.some((k) => k.length === columns.length && k.every((c, i) => c === columns[i]));
    if (!present) {
      ownerWork.push({
        difference: `unique key (${columns.join(', ')}) is missing`,
        sql: `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(expected.versionKey.name)} UNIQUE (${columns.map(quoteIdent).join(', ')})`,
      });
    }
  }

  for (const ref of expected.references) {
    const found = existing.references.get(ref.column);
    const want = `${ref.table}.${ref.targetColumn}`;
    if (found?.target === want) continue;
    if (found !== undefined) {
      differ(
        `column ${ref.column} references ${found.target}, expected ${want}`,
        `ALTER TABLE ${name} DROP CONSTRAINT ${quoteIdent(found.constraint)}, ADD FOREIGN KEY (${quoteIdent(ref.column)}) REFERENCES ${qualified(schema, ref.table)} (${quoteIdent(ref.targetColumn)});`,
      );
      continue;
    }
    ownerWork.push({
      difference: `column ${ref.column} does not reference ${want}`,
      sql: `ALTER TABLE ${name} ADD FOREIGN KEY (${quoteIdent(ref.column)}) REFERENCES ${qualified(schema, ref.table)} (${quoteIdent(ref.targetColumn)})`,
    });
  }

  const placeholderIndex = `${table}_placeholder_idx`;
  const statements = ownerWork.map((work) => work.sql);
  if (expected.columns.some((c) => c.name === 'is_placeholder') && !existing.indexes.has(placeholderIndex) && existing.ownedByLogin) {
    statements.push(`CREATE INDEX ${quoteIdent(placeholderIndex)} ON ${name} (${quoteIdent(key)}) WHERE "is_placeholder"`);
  }
  if (!existing.ownedByLogin) {
    // Only the owner may alter a table: list the loader's own additions for them too.
    for (const work of ownerWork) differ(`${work.difference}; the login does not own the table to add it`, `${work.sql};`);
    return { differences, statements: [] };
  }
  return { differences, statements };
}
