/**
 * A local-mode state built the way `npm start` builds one: a small generated dataset
 * landed as ingestion objects, then the real pipeline (transform and load) run into a
 * fresh test database. `prepare` may change the ingestion folder first (delete an object,
 * add a bad one). The CLI's local target is pointed at it with --database-url.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { ingestionKey } from '../../../lambdas/core/layout';
import { noMetrics, silentLog } from '../../../lambdas/core/ports';
import type { SourceTableName } from '../../../lambdas/core/schema/source-tables';
import { FileObjectStore } from '../../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../../lambdas/adapters/file/file-parameter-store';
import { landGeneratedData } from '../../../local/generated-data';
import { type IngestionHistory, simulateIngestion } from '../../../local/generator';
import { type PipelineResult, runPipeline } from '../../../local/run-pipeline';
import { type Target, localTarget } from '../../../ops/targets';
import { type TestDatabase, createTestDatabase } from '../../support/database';
import { line } from '../../support/source-rows';
import { newPostgresClient } from '../../../lambdas/adapters/pg/connect';

const SEED = 11;
const SCALE = 0.02;
const TICKS = 2;

export interface LocalState {
  readonly stateDir: string;
  readonly database: TestDatabase;
  readonly ingestion: FileObjectStore;
  readonly processed: FileObjectStore;
  readonly target: Target;
  readonly history: IngestionHistory;
  readonly firstRun: PipelineResult;
  /** The target's command-line options (`--local --state-dir … --database-url …`). */
  readonly cliTarget: readonly string[];
  /** Runs the pipeline again over whatever is in the ingestion folder now. */
  rerun(): Promise<PipelineResult>;
  query<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

export async function buildLocalState(prepare: (ingestion: FileObjectStore) => Promise<void> = async () => {}): Promise<LocalState> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ops-state-'));
  const database = await createTestDatabase();
  const ingestion = new FileObjectStore(join(stateDir, 'ingestion'));
  const processed = new FileObjectStore(join(stateDir, 'processed'));
  await landGeneratedData(ingestion, join(stateDir, 'generated.json'), { seed: SEED, scale: SCALE, ticks: TICKS, gzip: false }, () => {});
  await prepare(ingestion);
  const rerun = () =>
    runPipeline({
      ingestion,
      processed,
      parameters: new FileParameterStore(join(stateDir, 'parameters.json')),
      databaseUrl: database.url,
      log: silentLog,
      metrics: noMetrics,
      progress: () => {},
    });
  const firstRun = await rerun();
  const client = newPostgresClient(database.url);
  await client.connect();
  return {
    stateDir,
    database,
    ingestion,
    processed,
    target: localTarget({ stateDir, databaseUrl: database.url, port: 1 }),
    history: simulateIngestion({ seed: SEED, scale: SCALE, laterRuns: TICKS }),
    firstRun,
    cliTarget: ['--local', '--state-dir', stateDir, '--database-url', database.url],
    rerun,
    query: async (sql, values) => (await client.query(sql, values)).rows,
    dispose: async () => {
      await client.end();
      await database.drop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** The key of the generated object of `table` with `sequence`. */
export async function keyOf(store: FileObjectStore, table: SourceTableName, sequence: number): Promise<string> {
  for await (const object of store.list(`${table}/`)) {
    if (object.key.startsWith(`${table}/${String(sequence).padStart(10, '0')}_`)) return object.key;
  }
  throw new Error(`no ${table} object with sequence ${sequence}`);
}

export async function deleteObject(store: FileObjectStore, key: string): Promise<void> {
  await rm(store.pathOf(key));
}

/** Puts an ingestion object of JSON Lines (objects are JSON.stringified, strings kept raw); returns its key. */
export async function putObject(
  store: FileObjectStore,
  table: SourceTableName,
  sequence: number,
  lines: readonly (string | Record<string, unknown>)[],
  watermark = '20241120T120000000',
): Promise<string> {
  const key = ingestionKey(table, sequence, watermark);
  await store.put(key, `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`);
  return key;
}

export const AT = '2024-11-20 12:00:00.000';

/** Staff 7777 of department 9999, a department no test ever lands: the row waits in join state. */
export const STAFF_WITHOUT_DEPARTMENT: Readonly<Record<string, unknown>> = {
  staff_id: 7777,
  first_name: 'Ada',
  last_name: 'Waits',
  department_id: 9999,
  email_address: 'ada@example.com',
  created_at: AT,
  last_updated: AT,
};

/** A valid design row (the shared reference design) with this id and name, updated at AT. */
export function designRow(id: number, name = `Design ${id}`): Record<string, unknown> {
  return line('design', { design_id: id, design_name: name, created_at: AT, last_updated: AT });
}

/** Collects what the CLI prints. */
export function captureIo(): { stdout: string[]; stderr: string[]; io: { stdout: (t: string) => void; stderr: (t: string) => void } } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, io: { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) } };
}
