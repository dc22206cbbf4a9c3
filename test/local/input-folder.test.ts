/**
 * `npm start -- --input DIR`, run as a user runs it: which files of the folder are ingestion
 * objects, and the order they are transformed in.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import type { Log } from '../../lambdas/core/ports';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { ingestionObjects } from '../../local/run-pipeline';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { line } from '../support/source-rows';

const run = promisify(execFile);

const designLine = (id: number, lastUpdated: string) =>
  JSON.stringify(line('design', { design_id: id, design_name: `Design ${id}`, created_at: lastUpdated, last_updated: lastUpdated }));

let database: TestDatabase;
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = await mkdtemp(join(tmpdir(), 'input-folder-'));
});

afterAll(async () => {
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function npmStart(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['local/main.ts', ...args], { cwd: PROJECT_ROOT });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

async function writeObject(input: string, key: string, lines: readonly string[]): Promise<void> {
  await mkdir(join(input, key, '..'), { recursive: true });
  await writeFile(join(input, key), `${lines.join('\n')}\n`);
}

function recordingLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  const quiet = () => {};
  return {
    warnings,
    debug: quiet,
    info: quiet,
    error: quiet,
    warn: (message, attributes) => warnings.push(`${message} ${JSON.stringify(attributes)}`),
  };
}

describe('the ingestion objects of an --input folder', () => {
  it('are only <table>/<file> at the top: a copy in a sub-folder is named in a warning and ignored', async () => {
    const input = join(workDir, 'listed');
    await writeObject(input, 'design/0000000001_20241114T093012345.jsonl', [designLine(1, '2024-11-14 09:30:12.345')]);
    await writeObject(input, 'archive/design/0000000001_20241114T093012345.jsonl', [designLine(9, '2024-11-14 09:30:12.345')]);
    const log = recordingLog();
    const objects = await ingestionObjects(new FileObjectStore(input), log);
    expect(objects.map((object) => object.key)).toEqual(['design/0000000001_20241114T093012345.jsonl']);
    expect(log.warnings.join('\n')).toContain('archive/design/0000000001_20241114T093012345.jsonl');
  });

  it('keep each table in sequence order even when a later object has an older watermark, merging tables by watermark', async () => {
    const input = join(workDir, 'ordered');
    const keys = [
      'design/0000000001_20241114T093012345.jsonl',
      'design/0000000002_20241101T000000000.jsonl',
      'currency/0000000001_20241105T000000000.jsonl',
      'currency/0000000002_20241120T000000000.jsonl',
    ];
    for (const key of keys) await writeObject(input, key, ['{}']);
    const objects = await ingestionObjects(new FileObjectStore(input), recordingLog());
    expect(objects.map((object) => object.key)).toEqual([
      'currency/0000000001_20241105T000000000.jsonl',
      'design/0000000001_20241114T093012345.jsonl',
      'design/0000000002_20241101T000000000.jsonl',
      'currency/0000000002_20241120T000000000.jsonl',
    ]);
  });

  it('npm start loads the real objects, warns of no sequence gap, and exits 0 beside an archived copy', async () => {
    const input = join(workDir, 'run');
    const stateDir = join(workDir, 'state');
    await writeObject(input, 'design/0000000001_20241114T093012345.jsonl', [designLine(1, '2024-11-14 09:30:12.345')]);
    // Newer in sequence, older in watermark (a backfilled row): must still come second.
    await writeObject(input, 'design/0000000002_20241101T000000000.jsonl', [designLine(2, '2024-11-01 00:00:00.000')]);
    // A copy with other bytes: taken as design 1, it would make the real one a "replaced object".
    await writeObject(input, 'archive/design/0000000001_20241114T093012345.jsonl', [designLine(9, '2024-11-14 09:30:12.345')]);

    const result = await npmStart(['--input', input, '--state-dir', stateDir, '--database-url', database.url]);
    expect(result.stderr).not.toMatch(/local run failed|replaced|sequence gap/i);
    expect(result.stderr).toContain('archive/design/0000000001_20241114T093012345.jsonl');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/batches loaded: 2 \(failed: 0, pending: 0\)/);
  });
});
