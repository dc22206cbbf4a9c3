/**
 * Applying the star-schema migration to a schema that may already hold some of its tables:
 * absent tables are created from the definitions; existing ones are adopted (see
 * adopt-tables.ts) or, if they differ, the whole migration is refused listing every
 * difference, before anything is changed.
 */
import type { QueryClient } from '../sql-client';
import type { Log } from '../ports';
import { type TableDifference, TableAdoptionError, planAdoption } from './adopt-tables';
import { tableDdl, warehouseTablesInOrder } from './ddl';
import { readExistingTables } from './existing-tables';
import { type WarehouseSchemas, quoteIdent } from './names';
import { runDdl } from './schema-statements';
import { expectedShape } from './table-shape';

export async function applyStarSchema(client: QueryClient, schemas: WarehouseSchemas, log: Log): Promise<void> {
  await runDdl(client, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemas.warehouse)}`);
  const tables = warehouseTablesInOrder();
  const existing = await readExistingTables(
    client,
    schemas.warehouse,
    tables.map((t) => t.name),
  );
  const differences: TableDifference[] = [];
  const adoptions = new Map<string, readonly string[]>();
  for (const table of tables) {
    const found = existing.get(table.name);
    if (!found) continue;
    const plan = planAdoption(schemas.warehouse, expectedShape(table), found);
    differences.push(...plan.differences);
    adoptions.set(table.name, plan.statements);
  }
  if (differences.length > 0) throw new TableAdoptionError(schemas.warehouse, differences);
  for (const table of tables) {
    const adopt = adoptions.get(table.name);
    if (adopt === undefined) {
      for (const statement of tableDdl(table, schemas)) await client.query(statement);
      continue;
    }
    for (const statement of adopt) await client.query(statement);
    log.info('existing warehouse table adopted', { table: `${schemas.warehouse}.${table.name}`, added: adopt });
  }
}
