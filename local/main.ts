/**
 * `npm start`: the whole pipeline on this machine. Generates (or takes from --input)
 * ingestion objects, transforms and loads them into a warehouse, prints a summary and
 * writes an HTML report. Exit code 0 on success; rejected rows are reported, not fatal;
 * an object that cannot be processed, a batch that fails to load, or a load that left
 * batches pending (another loader held the lock, or the time limit) exits 1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { FileObjectStore } from '../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../lambdas/adapters/file/file-parameter-store';
import { errorKind, exitCodeFor } from '../lambdas/core/errors';
import { HELP, type LocalOptions, UsageError, parseLocalOptions } from './cli-options';
import { MetricTotals, consoleLog } from '../lambdas/adapters/console-log';
import { scrubPassword } from './database-url';
import { type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { landGeneratedData } from './generated-data';
import { ingestSource } from './ingest-source';
import { buildGeneratedSource } from './source/generated-source';
import { ensureSourceDatabase } from './source/source-database';
import { renderHtmlReport } from './report/html-report';
import { IngestTally } from './report/ingest-figures';
import { summarise, formatSummary } from './report/summarise';
import { runPipeline } from './run-pipeline';
import { unfinishedLoad } from './unfinished-load';
import { LOCAL_WAREHOUSE_DATABASE } from './warehouse-location';
import { warehouseSchemas } from '../lambdas/core/warehouse/names';

/** The generated totesys source database, on the same embedded server as the warehouse. */
const LOCAL_SOURCE_DATABASE = 'totesys_source';

async function main(argv: readonly string[]): Promise<number> {
  let options: LocalOptions | 'help';
  try {
    options = parseLocalOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${HELP}`);
      return exitCodeFor(error);
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const progress = progressLine();
  const log = consoleLog(options.verbose, (line) => progress.log(line));
  const metrics = new MetricTotals();
  await mkdir(options.stateDir, { recursive: true });

  let postgres: RunningPostgres | undefined;
  const stopPostgres = async () => {
    const running = postgres;
    postgres = undefined;
    if (running) await running.stop();
  };
  process.once('SIGINT', () => {
    progress.log('\ninterrupted: stopping the warehouse…\n');
    void stopPostgres().finally(() => process.exit(130));
  });

  const ingestTally = new IngestTally();
  let ingested = false;
  try {
    const ingestion = new FileObjectStore(options.inputDir ?? join(options.stateDir, 'ingestion'));
    // The generated source database lives on the embedded server, like the warehouse.
    const generatedSource = !options.inputDir && !options.land && !options.sourceUrl;
    if (!options.databaseUrl || generatedSource) {
      progress.update('starting the embedded Postgres 15');
      postgres = await startEmbeddedPostgres({ dataDir: join(options.stateDir, 'postgres'), port: options.port });
    }
    if (options.sourceUrl || generatedSource) {
      const ingest = async (sourceUrl: string) => {
        ingestTally.add(await ingestSource({ sourceUrl, stateDir: options.stateDir, log, metrics }));
      };
      if (options.sourceUrl) {
        progress.update('ingesting the source database');
        await ingest(options.sourceUrl);
      } else {
        const sourceUrl = await ensureSourceDatabase(postgres!.url, LOCAL_SOURCE_DATABASE);
        await buildGeneratedSource({
          sourceUrl,
          recordPath: join(options.stateDir, 'source.json'),
          seed: options.seed,
          scale: options.scale,
          ticks: options.ticks,
          ingest: () => ingest(sourceUrl),
          progress: progress.update,
        });
      }
      ingested = true;
      const figures = ingestTally.figures();
      const objects = figures.tables.reduce((total, t) => total + t.objectsWritten, 0);
      const rows = figures.tables.reduce((total, t) => total + t.rowsExtracted, 0);
      progress.log(`ingested: ${figures.runs} run(s), ${objects} new ingestion objects, ${rows} rows\n`);
    } else if (!options.inputDir) {
      const landed = await landGeneratedData(
        ingestion,
        join(options.stateDir, 'generated.json'),
        { seed: options.seed, scale: options.scale, ticks: options.ticks, gzip: options.gzip },
        progress.update,
      );
      progress.log(`landed ${landed.objectsLanded} new ingestion objects\n`);
    }

    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      postgres ??= await startEmbeddedPostgres({ dataDir: join(options.stateDir, 'postgres'), port: options.port });
      databaseUrl = await ensureDatabase(postgres.url, LOCAL_WAREHOUSE_DATABASE);
    }

    const result = await runPipeline({
      ingestion,
      processed: new FileObjectStore(join(options.stateDir, 'processed')),
      parameters: new FileParameterStore(join(options.stateDir, 'parameters.json')),
      databaseUrl,
      schemas: warehouseSchemas(options.warehouseSchema),
      log,
      metrics,
      progress: progress.update,
    });
    progress.update('reading the warehouse back');
    const summary = await summarise(
      result,
      databaseUrl,
      startedAt,
      warehouseSchemas(options.warehouseSchema),
      ingested ? ingestTally.figures() : undefined,
    );
    progress.done();
    const reportPath = join(options.stateDir, 'report.html');
    await writeFile(reportPath, renderHtmlReport(summary));
    process.stdout.write(formatSummary(summary, result));
    process.stdout.write(`\nReport: ${reportPath}\n`);
    // maxRSS is in KiB: the figure README's scale table quotes.
    process.stdout.write(`Peak memory of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
    // summary.databaseUrlForPsql has no password: psql takes it from PGPASSWORD.
    const passwordNote = postgres ? " (password: the embedded warehouse's, see README)" : ' (password from PGPASSWORD or ~/.pgpass)';
    const psql = `psql '${summary.databaseUrlForPsql}'${hasPassword(databaseUrl) ? passwordNote : ''}`;
    process.stdout.write(
      postgres
        ? `Query the warehouse: npm start -- --serve --state-dir ${options.stateDir}, then ${psql}\n`
        : `Query the warehouse: ${psql}\n`,
    );
    const unfinished = unfinishedLoad(result.load);
    if (unfinished) process.stderr.write(`${unfinished}\n`);
    const failed = result.failedObjects.length > 0 || result.load.batchesFailed.length > 0 || unfinished !== undefined;
    if (options.serve && postgres) {
      process.stdout.write('The warehouse is running; Ctrl-C stops it.\n');
      await new Promise(() => {});
    }
    return failed ? 1 : 0;
  } catch (error) {
    progress.done();
    // A usage error (such as state made with other settings) is the user's to fix: its message alone.
    if (errorKind(error) === 'usage') process.stderr.write(`${(error as Error).message}\n`);
    else process.stderr.write(`local run failed: ${scrubPassword((error as Error).message, options.databaseUrl)}\n`);
    return exitCodeFor(error);
  } finally {
    await stopPostgres();
  }
}

function hasPassword(url: string): boolean {
  return new URL(url).password !== '';
}

/** Creates the warehouse database on the embedded server if missing; returns its URL. */
async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One updating status line on a terminal; plain lines otherwise (CI logs). */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  let lastPlain = 0;
  const clear = () => {
    if (tty && shown) process.stderr.write('\r\x1b[K');
    shown = false;
  };
  return {
    update(message: string) {
      if (tty) {
        clear();
        process.stderr.write(message.slice(0, (process.stderr.columns ?? 100) - 1));
        shown = true;
      } else if (Date.now() - lastPlain > 2000) {
        process.stderr.write(`${message}\n`);
        lastPlain = Date.now();
      }
    },
    log(line: string) {
      clear();
      process.stderr.write(line);
    },
    done() {
      clear();
    },
  };
}

process.exitCode = await main(process.argv.slice(2));
