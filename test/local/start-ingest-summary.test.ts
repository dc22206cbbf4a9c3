/**
 * `npm start -- --source-url …` as a user runs it: the summary it prints and report.html
 * show the ingest stage (per source table: rows read, rows extracted, objects written,
 * duration), filled here from the streamed generator through COPY chunks.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/pipeline-function';
import { generateDataset, streamDataset } from '../../local/generator';
import { sourceDatabaseDdl } from '../../local/source/source-ddl';
import { fillSource } from '../../local/source/source-database';
import { type TestDatabase, createTestDatabase } from '../support/database';

const run = promisify(execFile);
const SCALE = 0.05;
let source: TestDatabase;
let warehouse: TestDatabase;
const progress: number[] = [];

beforeAll(async () => {
  source = await createTestDatabase();
  warehouse = await createTestDatabase();
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    for (const statement of sourceDatabaseDdl()) await client.query(statement);
  } finally {
    await client.end();
  }
  await fillSource(source.url, streamDataset({ seed: 4, scale: SCALE }), {
    progress: (written) => progress.push(written),
    rowsPerChunk: 100,
  });
}, 120_000);

afterAll(async () => {
  await source?.drop();
  await warehouse?.drop();
});

describe('npm start over a source database', () => {
  it('fills the source in chunks with every generated row', async () => {
    const expected = generateDataset({ seed: 4, scale: SCALE });
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM payment');
      expect(rows[0]!.n).toBe(expected.tables.payment.length);
    } finally {
      await client.end();
    }
    // One COPY per full chunk of a table, as the rows come: the sales, purchase, transaction
    // and payment chunks are written while the orders are still being generated.
    const total = Object.values(expected.tables).reduce((n, rows) => n + rows.length, 0);
    const chunks = (rows: number) => Math.floor(rows / 100);
    const { sales_order, purchase_order, transaction, payment, design } = expected.tables;
    expect(progress).toHaveLength(
      chunks(sales_order.length) +
        chunks(purchase_order.length) +
        chunks(transaction.length) +
        chunks(payment.length) +
        chunks(design.length),
    );
    expect(progress[progress.length - 1]).toBeLessThan(total);
  });

  it('prints and reports the ingest stage per source table', async () => {
    const sales = generateDataset({ seed: 4, scale: SCALE }).tables.sales_order.length;
    const stateDir = await mkdtemp(join(tmpdir(), 'local-ingest-'));
    const { stdout } = await run(
      join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
      ['local/main.ts', '--source-url', source.url, '--database-url', warehouse.url, '--state-dir', stateDir],
      { cwd: PROJECT_ROOT },
    );
    expect(stdout).toMatch(
      new RegExp(`^sales_order\\s+${sales.toLocaleString('en')}\\s+${sales.toLocaleString('en')}\\s+1\\s+\\d+\\.\\d$`, 'm'),
    );
    expect(stdout).toContain('ingestion runs: 1');
    expect(stdout).toMatch(/timings: ingest \d+\.\d s, transform \d+\.\d s, load \d+\.\d s/);
    expect(stdout).toMatch(/Peak memory of this process: \d+ MB/);
    const report = await readFile(join(stateDir, 'report.html'), 'utf8');
    expect(report).toContain('Ingest stage (1 ingestion run)');
    expect(report).toContain(
      `<tr><td>sales_order</td><td>${sales.toLocaleString('en')}</td><td>${sales.toLocaleString('en')}</td><td>1</td>`,
    );
  }, 120_000);
});
