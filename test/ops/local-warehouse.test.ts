/**
 * `--local` without `--database-url`: the CLI uses the embedded warehouse `npm start`
 * keeps in `<state-dir>/postgres`, starting it when it is not running (and stopping it
 * after), or joining it when it is (and leaving it running).
 */
import { access, chmod, mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';
import { runCli } from '../../ops/cli';
import { LOCAL_WAREHOUSE_DATABASE, LocalWarehouse } from '../../ops/local-warehouse';
import { captureIo } from './support/local-state';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

let stateDir: string;
let dataDir: string;

/** A port nothing listens on now (fixed ports could collide with other test runs). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function isRunning(): Promise<boolean> {
  return access(join(dataDir, 'postmaster.pid')).then(
    () => true,
    () => false,
  );
}

async function databaseName(url: string): Promise<string> {
  const client = newPostgresClient(url);
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'ops-local-warehouse-'));
  // mkdtemp makes it private; as root, the server runs as the \`postgres\` user and must get in.
  await chmod(stateDir, 0o755);
  dataDir = join(stateDir, 'postgres');
  // What `npm start` leaves behind: an initialised cluster holding the warehouse database.
  const postgres = await startEmbeddedPostgres({ dataDir });
  const client = newPostgresClient(postgres.url);
  await client.connect();
  await client.query(`CREATE DATABASE ${LOCAL_WAREHOUSE_DATABASE}`);
  await client.end();
  await postgres.stop();
}, 120_000);

afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('the local warehouse', () => {
  it('is started when it is not running, and stopped afterwards', async () => {
    expect(await isRunning()).toBe(false);
    const port = await freePort();
    const warehouse = new LocalWarehouse(dataDir, port);
    const url = await warehouse.databaseUrl();
    expect(url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/${LOCAL_WAREHOUSE_DATABASE}`);
    expect(await databaseName(url)).toBe(LOCAL_WAREHOUSE_DATABASE);
    expect(await isRunning()).toBe(true);
    await warehouse.stop();
    expect(await isRunning()).toBe(false);
  });

  it('is joined on its own port when already running, and left running', async () => {
    const runningPort = await freePort();
    const running = await startEmbeddedPostgres({ dataDir, port: runningPort });
    try {
      const warehouse = new LocalWarehouse(dataDir, await freePort());
      const url = await warehouse.databaseUrl();
      expect(new URL(url).port).toBe(String(runningPort));
      expect(await databaseName(url)).toBe(LOCAL_WAREHOUSE_DATABASE);
      await warehouse.stop();
      expect(await isRunning()).toBe(true);
    } finally {
      await running.stop();
    }
  });

  it('status through the CLI starts it, reads it and stops it', async () => {
    const io = captureIo();
    const code = await runCli(['status', '--local', '--state-dir', stateDir, '--port', String(await freePort()), '--json'], io.io);
    // No load has run in this warehouse: reported, and nothing else is wrong.
    expect(JSON.parse(io.stdout.join('')).warehouse).toEqual({ state: 'not-initialised' });
    expect(code).toBe(0);
    expect(await isRunning()).toBe(false);
  });

  it('says how to get one when the state folder has none', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ops-no-warehouse-'));
    try {
      const io = captureIo();
      expect(await runCli(['reconcile', '--local', '--state-dir', empty], io.io)).toBe(1);
      expect(io.stderr.join('')).toBe(
        `error: no local warehouse in ${join(empty, 'postgres')}: run \`npm start\` with this --state-dir first, or pass --database-url\n`,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
