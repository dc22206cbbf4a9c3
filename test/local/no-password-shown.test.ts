/**
 * `npm start -- --database-url …` run as a user runs it: the password in the URL appears
 * neither on the terminal nor in report.html (a file people share); the psql command it
 * prints works from PGPASSWORD instead.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { scrubPassword, withoutPassword } from '../../local/database-url';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { line } from '../support/source-rows';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const run = promisify(execFile);
const role = `local_${randomBytes(4).toString('hex')}`;
// Characters a URL must encode, so both the raw and the encoded form are looked for.
const password = `pw/${randomBytes(8).toString('hex')}@x`;

let database: TestDatabase;
let url: URL;

beforeAll(async () => {
  database = await createTestDatabase();
  const admin = newPostgresClient(database.url);
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.query(`ALTER DATABASE ${database.name} OWNER TO ${role}`);
  } finally {
    await admin.end();
  }
  url = new URL(database.url);
  url.username = role;
  url.password = encodeURIComponent(password);
});

afterAll(async () => {
  await database?.drop();
  const admin = newPostgresClient(inject('databaseUrl'));
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
});

/** Runs `npm start` (tsx local/main.ts) with these arguments; stdout, stderr and exit code. */
async function npmStart(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['local/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PGPASSWORD: '' },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('local mode with --database-url', () => {
  it('never prints or stores the password; the psql command it prints relies on PGPASSWORD', async () => {
    const input = await mkdtemp(join(tmpdir(), 'local-input-'));
    await mkdir(join(input, 'currency'));
    await writeFile(join(input, 'currency', '0000000001_20241114T093012345.jsonl'), `${JSON.stringify(line('currency'))}\n`);
    const stateDir = await mkdtemp(join(tmpdir(), 'local-state-'));

    const result = await npmStart(['--input', input, '--state-dir', stateDir, '--database-url', url.toString()]);
    expect(result.stderr).not.toMatch(/local run failed/);
    expect(result.code).toBe(0);
    const withoutPassword = new URL(url);
    withoutPassword.password = '';
    expect(result.stdout).toContain(`Query the warehouse: psql '${withoutPassword}' (password from PGPASSWORD or ~/.pgpass)`);

    const report = await readFile(join(stateDir, 'report.html'), 'utf8');
    expect(report).toContain(`psql '${withoutPassword}'`);
    for (const secret of [password, encodeURIComponent(password)]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
      expect(report).not.toContain(secret);
      // Nor anywhere else in the state folder (buckets, parameters).
      for (const file of await readdir(stateDir, { recursive: true, withFileTypes: true })) {
        if (file.isFile()) expect(await readFile(join(file.parentPath, file.name), 'utf8')).not.toContain(secret);
      }
    }
  }, 120_000);

  it('keeps the password out of a failure message too', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'local-state-'));
    const input = await mkdtemp(join(tmpdir(), 'local-input-'));
    const wrong = new URL(url);
    wrong.password = encodeURIComponent(`${password}-wrong`);
    const result = await npmStart(['--input', input, '--state-dir', stateDir, '--database-url', wrong.toString()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/local run failed: .*password authentication failed/);
    expect(result.stderr + result.stdout).not.toContain(password);
  }, 120_000);
});

describe('the URL helpers', () => {
  it('drop the password from a URL and from any text quoting it, raw or encoded', () => {
    const secretUrl = 'postgres://me:p%40ss%2Fword@db.example:5432/warehouse?sslmode=require';
    expect(withoutPassword(secretUrl)).toBe('postgres://me@db.example:5432/warehouse?sslmode=require');
    expect(withoutPassword('postgres://me@db.example/warehouse')).toBe('postgres://me@db.example/warehouse');
    expect(scrubPassword('failed for p@ss/word at postgres://me:p%40ss%2Fword@db.example', secretUrl)).toBe(
      'failed for *** at postgres://me:***@db.example',
    );
  });

  it('scrub the password where it stands, not every word that contains its text', () => {
    const url = 'postgres://me:secret@db.example/warehouse';
    expect(scrubPassword('password "secret" rejected; see the secretary at postgres://me:secret@db.example', url)).toBe(
      'password "***" rejected; see the secretary at postgres://me:***@db.example',
    );
  });

  it('leave the user name readable when the password is the same text, still hiding it in a URL', () => {
    const url = 'postgres://postgres:postgres@localhost:5432/warehouse';
    expect(scrubPassword('password authentication failed for user "postgres" at postgres://postgres:postgres@localhost', url)).toBe(
      'password authentication failed for user "postgres" at postgres://postgres:***@localhost',
    );
  });
});
