/**
 * A child process for file-extract-store.test.ts: at `startAt` (epoch ms, so both children
 * start together) tries to take each lease in `keys`, in order, through its own local
 * extract store on `root`; prints one line per key it took.
 */
import { join } from 'node:path';
import { acquireLease } from '../../../lambdas/core/extract/lease';
import { FileExtractStore } from '../../../local/adapters/file-extract-store';

export interface LeaseProcessOptions {
  readonly root: string;
  readonly keys: readonly string[];
  readonly startAt: number;
}

const { root, keys, startAt } = JSON.parse(process.argv[2]!) as LeaseProcessOptions;
const store = new FileExtractStore(join(root, 'bucket'), join(root, 'metadata'));
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
for (const key of keys) {
  if ((await acquireLease(store, key, new Date(), 60_000)).acquired) process.stdout.write(`${key}\n`);
}
