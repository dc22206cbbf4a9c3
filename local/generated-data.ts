/**
 * Lands the generated dataset as ingestion objects, remembering what was landed (seed,
 * scale, ticks) in the state folder: running again lands only ticks not landed before, so
 * a re-run adds nothing and `--ticks` can be raised later to simulate more ingestion runs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { ObjectStore } from '../lambdas/core/ports';
import { IngestionObjectWriter, evolve, generateDataset, snapshot } from './generator';
import { PipelineError } from '../lambdas/core/errors';

export interface GenerationRecord {
  readonly seed: number;
  readonly scale: number;
  /** Later runs landed after the initial full one. */
  readonly ticks: number;
}

export class StateMismatchError extends PipelineError {
  readonly kind = 'usage';
  override readonly name = 'StateMismatchError';
}

export interface LandResult {
  readonly objectsLanded: number;
  readonly ticksLanded: number;
}

export async function landGeneratedData(
  store: ObjectStore,
  recordPath: string,
  wanted: GenerationRecord & { readonly gzip: boolean },
  progress: (message: string) => void,
): Promise<LandResult> {
  const previous = await readRecord(recordPath);
  if (previous && (previous.seed !== wanted.seed || previous.scale !== wanted.scale)) {
    throw new StateMismatchError(
      `the state folder holds data generated with --seed ${previous.seed} --scale ${previous.scale}; ` +
        `use another --state-dir, or delete the folder to start again`,
    );
  }
  const writer = new IngestionObjectWriter(store, { gzip: wanted.gzip });
  let dataset = generateDataset({ seed: wanted.seed, scale: wanted.scale });
  let objectsLanded = 0;
  let ticksLanded = 0;
  if (!previous) {
    progress('landing the initial dataset');
    objectsLanded += (await writer.write(snapshot(dataset))).length;
  }
  for (let tick = 1; tick <= wanted.ticks; tick += 1) {
    const evolution = evolve(dataset);
    dataset = evolution.dataset;
    if (previous && tick <= previous.ticks) continue;
    progress(`landing ingestion run ${tick} of ${wanted.ticks}`);
    objectsLanded += (await writer.write(evolution.changes)).length;
    ticksLanded += 1;
  }
  const record: GenerationRecord = {
    seed: wanted.seed,
    scale: wanted.scale,
    ticks: Math.max(previous?.ticks ?? 0, wanted.ticks),
  };
  await writeFile(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  return { objectsLanded, ticksLanded };
}

async function readRecord(path: string): Promise<GenerationRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as GenerationRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
