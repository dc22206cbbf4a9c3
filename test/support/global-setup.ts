/**
 * Starts one embedded Postgres for the whole test run, unless DATABASE_URL names one.
 * Tests that need a database create their own (see test/support/database.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide('databaseUrl', external);
    return async () => {};
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'totesys-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir, ephemeral: true });
  project.provide('databaseUrl', postgres.url);
  return () => postgres.stop();
}
