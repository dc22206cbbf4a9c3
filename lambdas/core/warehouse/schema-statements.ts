/**
 * Running DDL as a login that may not create schemas. `CREATE SCHEMA IF NOT EXISTS` checks
 * the CREATE privilege on the database before it looks for the schema, so it fails for a
 * login given only a schema of its own (docs/DEPLOY.md "The warehouse login"); the schema
 * is created only when it is really absent.
 */
import type { QueryClient } from '../sql-client';

const CREATE_SCHEMA = /^CREATE SCHEMA IF NOT EXISTS "((?:[^"]|"")+)"$/;

async function schemaExists(client: QueryClient, schema: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}

/** Runs one DDL statement, skipping `CREATE SCHEMA IF NOT EXISTS` for a schema that exists. */
export async function runDdl(client: QueryClient, statement: string): Promise<void> {
  const create = CREATE_SCHEMA.exec(statement);
  if (create && (await schemaExists(client, create[1]!.replace(/""/g, '"')))) return;
  await client.query(statement);
}
