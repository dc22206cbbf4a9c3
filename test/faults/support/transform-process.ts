/**
 * A separate process running the real transform on a shared local state folder, as
 * `ops replay --local` does beside `npm start`. Run with tsx; one JSON argument:
 * `{ root, parameterPath, keys, holder, barrier, stateReadDelayMs, parameterReadDelayMs }`.
 *
 * The delays widen the windows a race needs (after reading join state, after reading the
 * sequence parameter), so without the transform lock two processes would both read before
 * either writes. The barrier starts both processes' transforms together.
 * Prints one JSON line per object: `{ key, outcome }` or `{ key, error }`.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessedLayout } from '../../../lambdas/core/layout';
import { type ObjectStore, type ParameterStore, noMetrics, silentLog } from '../../../lambdas/core/ports';
import { transformObject } from '../../../lambdas/core/transform/transform-object';
import { FileObjectStore } from '../../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../../lambdas/adapters/file/file-parameter-store';

export interface TransformProcessOptions {
  readonly root: string;
  readonly parameterPath: string;
  readonly keys: readonly string[];
  readonly holder: string;
  /** Every process writes `<dir>/<holder>` and starts once `count` such files exist. */
  readonly barrier: { readonly dir: string; readonly holders: readonly string[] };
  readonly stateReadDelayMs?: number;
  readonly parameterReadDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The store, pausing after each read of join state (not of the lock's lease). */
function slowStateReads(store: ObjectStore, delayMs: number): ObjectStore {
  const slow = Object.create(store) as ObjectStore;
  slow.getBytes = async (key) => {
    const bytes = await store.getBytes(key);
    if (/\/?state\/[a-z_]+\.json$/.test(key)) await sleep(delayMs);
    return bytes;
  };
  return slow;
}

function slowParameterReads(parameters: ParameterStore, delayMs: number): ParameterStore {
  return {
    get: async (name) => {
      const value = await parameters.get(name);
      await sleep(delayMs);
      return value;
    },
    put: (name, value) => parameters.put(name, value),
  };
}

async function main(options: TransformProcessOptions): Promise<void> {
  const processed = slowStateReads(new FileObjectStore(join(options.root, 'processed')), options.stateReadDelayMs ?? 0);
  const deps = {
    ingestion: new FileObjectStore(join(options.root, 'ingestion')),
    processed,
    layout: new ProcessedLayout(),
    parameters: slowParameterReads(new FileParameterStore(join(options.root, 'parameters.json')), options.parameterReadDelayMs ?? 0),
    sequenceParameterPath: options.parameterPath,
    log: silentLog,
    metrics: noMetrics,
    lockHolder: options.holder,
    lock: { leaseMs: 5_000, waitMs: 20_000, pollMs: 20 },
  };
  await writeFile(join(options.barrier.dir, options.holder), '');
  for (;;) {
    const ready = await Promise.all(
      options.barrier.holders.map((h) =>
        access(join(options.barrier.dir, h)).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (ready.every(Boolean)) break;
    await sleep(5);
  }
  for (const key of options.keys) {
    try {
      const summary = await transformObject(deps, { key });
      process.stdout.write(`${JSON.stringify({ key, outcome: summary.outcome })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ key, error: (error as Error).message })}\n`);
    }
  }
}

await main(JSON.parse(process.argv[2]!) as TransformProcessOptions);
