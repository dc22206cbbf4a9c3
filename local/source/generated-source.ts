/**
 * Builds local mode's source database from the generator and ingests it after each step:
 * the initial dataset, then each later run (`--ticks`) applied as changes to the database.
 * What was applied (seed, scale, ticks) is recorded in the state folder, so running
 * again applies and ingests only the ticks not applied before.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type Dataset, evolve, streamDataset } from '../generator';
import { StateMismatchError } from '../generated-data';
import { applyRows, fillSource } from './source-database';

interface SourceRecordFile {
  readonly seed: number;
  readonly scale: number;
  readonly ticks: number;
}

export interface GeneratedSourceResult {
  readonly rowsWritten: number;
  readonly ingestRuns: number;
}

export async function buildGeneratedSource(options: {
  readonly sourceUrl: string;
  readonly recordPath: string;
  readonly seed: number;
  readonly scale: number;
  readonly ticks: number;
  readonly ingest: () => Promise<unknown>;
  readonly progress: (message: string) => void;
}): Promise<GeneratedSourceResult> {
  const previous = await readRecord(options.recordPath);
  if (previous && (previous.seed !== options.seed || previous.scale !== options.scale)) {
    throw new StateMismatchError(
      `the state folder's source database was generated with --seed ${previous.seed} --scale ${previous.scale}; ` +
        'use another --state-dir, or delete the folder to start again',
    );
  }
  // Streamed: the initial rows go to the database in chunks; only what later runs change is kept.
  const rows = streamDataset({ seed: options.seed, scale: options.scale });
  let dataset: Dataset;
  let rowsWritten = 0;
  let ingestRuns = 0;
  const record = async (ticks: number) =>
    writeFile(
      options.recordPath,
      `${JSON.stringify({ seed: options.seed, scale: options.scale, ticks } satisfies SourceRecordFile, null, 2)}\n`,
    );
  if (!previous) {
    options.progress('filling the source database');
    const filled = await fillSource(options.sourceUrl, rows, {
      progress: (written) => options.progress(`filling the source database: ${written.toLocaleString('en')} rows`),
    });
    rowsWritten += filled.written;
    dataset = filled.result;
    await record(0);
  } else {
    dataset = drain(rows);
  }
  // Ingest what is there (a first run; or, after an interrupted run, whatever is pending).
  options.progress('ingesting the source database');
  await options.ingest();
  ingestRuns += 1;
  for (let tick = 1; tick <= options.ticks; tick += 1) {
    const evolution = evolve(dataset);
    dataset = evolution.dataset;
    if (previous && tick <= previous.ticks) continue;
    options.progress(`changing the source database (run ${tick} of ${options.ticks})`);
    rowsWritten += await applyRows(options.sourceUrl, evolution.changes.tables);
    await record(tick);
    options.progress(`ingesting run ${tick} of ${options.ticks}`);
    await options.ingest();
    ingestRuns += 1;
  }
  return { rowsWritten, ingestRuns };
}

async function readRecord(path: string): Promise<SourceRecordFile | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SourceRecordFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Runs the stream without writing it: the lean dataset of a source filled before. */
function drain(rows: Iterator<unknown, Dataset>): Dataset {
  for (let next = rows.next(); ; next = rows.next()) if (next.done) return next.value;
}
