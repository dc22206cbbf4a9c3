/** `npm start -- [options]`: the local-mode command line, parsed and validated. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { warehouseSchemaProblem } from '../lambdas/core/warehouse/names';
import { LOCAL_WAREHOUSE_PORT } from './warehouse-location';
import { UsageError } from '../lambdas/core/errors';

export interface LocalOptions {
  /** Ingestion objects to process instead of generated data. */
  readonly inputDir?: string;
  /** A real totesys database to ingest instead of the generated one. */
  readonly sourceUrl?: string;
  /** Land generated objects directly (no source database, no ingest stage). */
  readonly land: boolean;
  /** Load into this Postgres instead of the embedded one. */
  readonly databaseUrl?: string;
  readonly stateDir: string;
  readonly seed: number;
  readonly scale: number;
  readonly ticks: number;
  /** Port of the embedded Postgres (stable, so the printed psql command keeps working). */
  readonly port: number;
  /** Keep the embedded warehouse running after the run, until Ctrl-C. */
  readonly serve: boolean;
  readonly gzip: boolean;
  readonly verbose: boolean;
  /** The Postgres schema of the star schema (default public). */
  readonly warehouseSchema?: string;
}

export const HELP = `Usage: npm start -- [options]

Runs the whole pipeline on this machine with the real code: a generated totesys source
database (on an embedded Postgres 15) is ingested, transformed and loaded into a
warehouse on the same server; local folders stand in for the S3 buckets and Parameter
Store. Running again with the same state folder ingests only what changed.

Options:
  --input DIR          process every ingestion object under DIR (laid out like the
                       ingestion bucket: <table>/<sequence>_<watermark>.jsonl[.gz]);
                       running again processes only objects not yet processed
  --source-url URL     ingest this totesys database (Postgres 13+, read only) instead of
                       generating one; run again to ingest what changed since
  --land               land generated objects directly, without a source database
                       or the ingest stage (the pre-ingest local mode; fastest)
  --database-url URL   load into this Postgres instead of the embedded one
  --state-dir DIR      buckets, parameters, the embedded warehouse and the report
                       (default .local)
  --seed N             seed of the generated dataset (default 1)
  --scale X            size of the generated dataset: 1 is about the real database
                       (tens of thousands of rows), 100 is millions (default 1)
  --ticks N            change the generated source N times (new orders and payments,
                       updates with and without last_updated moving, a department
                       rename, an address move), ingesting after each (default 3)
  --gzip               with --land: land objects gzip-compressed (.jsonl.gz); the
                       ingest stage always writes .jsonl.gz
  --port N             port of the embedded Postgres (default ${LOCAL_WAREHOUSE_PORT})
  --warehouse-schema S the schema to put the star schema in (default public), as the
                       stack's warehouseSchema setting does
  --serve              keep the embedded warehouse running after the run (Ctrl-C stops it)
  --verbose            log every object and batch
  --help               this text
`;

export { UsageError };

export function parseLocalOptions(argv: readonly string[]): LocalOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: 'string' },
        'source-url': { type: 'string' },
        land: { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        'state-dir': { type: 'string', default: '.local' },
        seed: { type: 'string', default: '1' },
        scale: { type: 'string', default: '1' },
        ticks: { type: 'string', default: '3' },
        port: { type: 'string', default: String(LOCAL_WAREHOUSE_PORT) },
        gzip: { type: 'boolean', default: false },
        serve: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        'warehouse-schema': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return 'help';
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError('--database-url must be a postgres:// or postgresql:// URL');
  }
  const sourceUrl = values['source-url'];
  if (sourceUrl !== undefined && !/^postgres(ql)?:\/\//.test(sourceUrl)) {
    throw new UsageError('--source-url must be a postgres:// or postgresql:// URL');
  }
  const sources = [values.input !== undefined && '--input', sourceUrl !== undefined && '--source-url', values.land && '--land'].filter(
    Boolean,
  );
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} are alternatives: give one`);
  if (databaseUrl !== undefined && values.serve) {
    throw new UsageError('--serve keeps the embedded warehouse running; it does not apply with --database-url');
  }
  const warehouseSchema = values['warehouse-schema'];
  const schemaProblem = warehouseSchema === undefined ? undefined : warehouseSchemaProblem(warehouseSchema);
  if (schemaProblem) throw new UsageError(`--warehouse-schema: ${schemaProblem}`);
  return {
    ...(warehouseSchema === undefined ? {} : { warehouseSchema }),
    inputDir: values.input === undefined ? undefined : existingFolder('--input', resolve(values.input)),
    sourceUrl,
    land: values.land!,
    databaseUrl,
    stateDir: resolve(values['state-dir']!),
    seed: integerOption('--seed', values.seed!, 0, 2 ** 32 - 1),
    scale: numberOption('--scale', values.scale!, 0.01, 10_000),
    ticks: integerOption('--ticks', values.ticks!, 0, 10_000),
    port: integerOption('--port', values.port!, 1024, 65_535),
    gzip: values.gzip!,
    serve: values.serve!,
    verbose: values.verbose!,
  };
}

/** A folder that must already exist: a mistyped path would otherwise be a clean run of nothing. */
function existingFolder(name: string, path: string): string {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new UsageError(`${name}: no such folder: ${path}`);
  if (!stats.isDirectory()) throw new UsageError(`${name}: not a folder: ${path}`);
  return path;
}

function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

function numberOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
    throw new UsageError(`${name} must be a number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}
