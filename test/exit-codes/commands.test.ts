/**
 * The documented exit codes, from the real commands in child processes (`npm start`,
 * `npm run ops`, the test runner): a dependency's exit hook once turned every one of them
 * into 0, so a failed run, a failing test suite and a usage error all looked like success.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { line } from '../support/source-rows';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';
import { ADVISORY_LOCK_NAMESPACE, LOADER_LOCK } from '../../lambdas/core/warehouse/names';

const ROOT = join(import.meta.dirname, '..', '..');

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const npmStart = (...args: string[]) => run('npm', ['start', '--silent', '--', ...args]);
const ops = (...args: string[]) => run('npm', ['run', '--silent', 'ops', '--', ...args]);

const AT = '2024-11-14 09:30:12.345';
const designLine = (id: number) =>
  JSON.stringify(line('design', { design_id: id, design_name: `Design ${id}`, created_at: AT, last_updated: AT }));

let database: TestDatabase;
let workDir: string;
let inputDir: string;
let stateDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  workDir = await mkdtemp(join(tmpdir(), 'exit-codes-'));
  inputDir = join(workDir, 'input');
  stateDir = join(workDir, 'state');
  await mkdir(join(inputDir, 'design'), { recursive: true });
  await writeFile(join(inputDir, 'design', '0000000001_20241114T093012345.jsonl'), `${designLine(1)}\n${designLine(2)}\n`);
});

afterAll(async () => {
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('exits 2 on an unknown option, with the usage on stderr', async () => {
    const result = await npmStart('--no-such-option');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm start');
  });

  it('exits 0 for --help', async () => {
    const result = await npmStart('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm start');
  });

  it('exits 2 naming the folder when --input does not exist', async () => {
    const missing = join(workDir, 'no', 'such', 'dir');
    const result = await npmStart('--input', missing, '--state-dir', join(workDir, 'missing-input-state'));
    expect(result.stderr).toContain(`--input: no such folder: ${missing}`);
    expect(result.code).toBe(2);
  });

  it('exits 1, saying why and how many batches wait, when another loader holds the warehouse lock', async () => {
    const warehouse = await createTestDatabase();
    const holder = newPostgresClient(warehouse.url);
    await holder.connect();
    try {
      // A first run (of nothing) makes the warehouse's tables, as any earlier load would have.
      const empty = join(workDir, 'empty-input');
      await mkdir(empty);
      expect((await npmStart('--input', empty, '--state-dir', join(workDir, 'empty-state'), '--database-url', warehouse.url)).code).toBe(0);
      await holder.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_LOCK_NAMESPACE, LOADER_LOCK]);
      const result = await npmStart('--input', inputDir, '--state-dir', join(workDir, 'locked-out-state'), '--database-url', warehouse.url);
      expect(result.stderr).toContain('load skipped: another loader holds the warehouse lock; 1 batch(es) still pending');
      expect(result.stdout).toContain('pending: 1');
      expect(result.code).toBe(1);
    } finally {
      await holder.end();
      await warehouse.drop();
    }
  });

  it('exits 0 when every object is processed and every batch loads', async () => {
    const result = await npmStart('--input', inputDir, '--state-dir', stateDir, '--database-url', database.url);
    expect(result.stderr).not.toContain('local run failed');
    expect(result.code).toBe(0);
  });

  it('exits 1 when an object cannot be processed (corrupt gzip), after processing the rest', async () => {
    await writeFile(join(inputDir, 'design', '0000000002_20241114T093012345.jsonl.gz'), 'not gzip at all');
    await writeFile(join(inputDir, 'design', '0000000003_20241114T093012345.jsonl'), `${designLine(3)}\n`);
    const result = await npmStart('--input', inputDir, '--state-dir', stateDir, '--database-url', database.url);
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toContain('0000000002_20241114T093012345.jsonl.gz');
  });

  it('exits 1 with a reason and a remedy when the embedded Postgres cannot use the state folder', async () => {
    const locked = join(workDir, 'locked');
    await mkdir(locked, { mode: 0o700 });
    const asRoot = process.getuid?.() === 0;
    // As root the server runs as `postgres`, which cannot enter a 0700 folder; otherwise a
    // folder the user cannot write stands in for it.
    if (!asRoot) await mkdir(join(locked, 'state'), { mode: 0o500 });
    const result = await npmStart('--state-dir', join(locked, 'state', asRoot ? '' : 'inner'), '--scale', '0.01', '--ticks', '0');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(asRoot ? /cannot enter .*locked.*--state-dir/s : /permission denied/i);
  });
});

describe('npm run ops', () => {
  const local = () => ['--local', '--state-dir', stateDir, '--input', inputDir, '--database-url', database.url];

  it('exits 2 on an unknown command and on a missing target', async () => {
    expect((await ops('frobnicate')).code).toBe(2);
    const missingTarget = await ops('status');
    expect(missingTarget.code).toBe(2);
    expect(missingTarget.stderr).toContain('error:');
  });

  it('exits 0 for --help', async () => {
    expect((await ops('--help')).code).toBe(0);
  });

  it('exits 1 when status needs attention (an object not transformed)', async () => {
    const result = await ops('status', ...local());
    expect(result.stdout).toMatch(/Needs attention:\n.*design: ingested but not transformed/);
    expect(result.code).toBe(1);
  });

  it('exits 0 when nothing needs attention', async () => {
    await rm(join(inputDir, 'design', '0000000002_20241114T093012345.jsonl.gz'));
    await writeFile(join(inputDir, 'design', '0000000002_20241114T093012345.jsonl'), `${designLine(4)}\n`);
    const rerun = await npmStart('--input', inputDir, '--state-dir', stateDir, '--database-url', database.url);
    expect(rerun.code).toBe(0);
    const result = await ops('status', ...local());
    expect(result.stdout).not.toContain('Needs attention');
    expect(result.code).toBe(0);
  });
});

describe('the test runner', () => {
  it('exits non-zero on a failing test, with the suite config and global setup (embedded Postgres started)', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL; // the child's global setup must start (and import) embedded Postgres itself
    delete env.VITEST;
    delete env.VITEST_POOL_ID;
    delete env.VITEST_WORKER_ID;
    const result = await run('npx', ['vitest', 'run', '--config', 'test/gate/vitest.gate.config.ts'], env);
    expect(`${result.stdout}${result.stderr}`).toContain('1 failed');
    expect(result.code).not.toBe(0);
  });
});
