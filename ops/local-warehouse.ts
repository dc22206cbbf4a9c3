/**
 * The local-mode warehouse for `--local` without `--database-url`: the embedded Postgres
 * whose data `npm start` keeps in `<state-dir>/postgres`. When it is already running
 * (`npm start -- --serve`), the CLI connects to it and leaves it running; otherwise it starts
 * it on demand and stops it when done.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningPostgres, startEmbeddedPostgres } from '../local/embedded-postgres';
import { LOCAL_WAREHOUSE_DATABASE, LOCAL_WAREHOUSE_PORT } from '../lambdas/environment';
import { PipelineError } from '../lambdas/core/errors';

export { LOCAL_WAREHOUSE_DATABASE, LOCAL_WAREHOUSE_PORT };
/** local/embedded-postgres.ts's superuser. */
const LOCAL_CREDENTIALS = 'postgres:postgres';

class LocalWarehouseError extends PipelineError {
  readonly kind = 'configuration';
  override readonly name = 'LocalWarehouseError';
}

export class LocalWarehouse {
  private started: RunningPostgres | undefined;
  private url: Promise<string> | undefined;

  constructor(
    readonly dataDir: string,
    private readonly port: number,
  ) {}

  /** The warehouse database's URL, starting the server first if it is not running. */
  databaseUrl(): Promise<string> {
    this.url ??= this.resolve().catch((error: unknown) => {
      this.url = undefined;
      throw error;
    });
    return this.url;
  }

  async stop(): Promise<void> {
    const running = this.started;
    this.started = undefined;
    this.url = undefined;
    if (running) await running.stop();
  }

  private async resolve(): Promise<string> {
    if (!(await exists(join(this.dataDir, 'PG_VERSION')))) {
      throw new LocalWarehouseError(
        `no local warehouse in ${this.dataDir}: run \`npm start\` with this --state-dir first, or pass --database-url`,
      );
    }
    let port = await runningPort(this.dataDir);
    if (port === undefined) {
      this.started = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port });
      port = this.started.port;
    }
    return `postgres://${LOCAL_CREDENTIALS}@127.0.0.1:${port}/${LOCAL_WAREHOUSE_DATABASE}`;
  }
}

/** The port of a server already running on this data directory (from its postmaster.pid), if any. */
async function runningPort(dataDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  // Line 1 is the PID, line 4 the port (PostgreSQL's postmaster.pid layout).
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // ESRCH: a stale file from a server that died; EPERM: it runs as another user (alive).
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
  }
  return port;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
