/**
 * The one Postgres connector (lambdas/adapters/pg/connect.ts) that the Lambdas, local
 * mode, ops, benchmarks and tests share: every client reads dates, times and numerics as
 * the server's text, gives up connecting after a bound and keeps its connection alive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS, clientOptions, connectPostgres } from '../../lambdas/adapters/pg/connect';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import { runPipeline } from '../../local/run-pipeline';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('the Postgres connector', () => {
  it('reads DATE, TIME and NUMERIC back exactly as the server prints them, whatever the machine zone', async () => {
    const client = await connectPostgres(database.url);
    try {
      const { rows } = await client.query(
        `SELECT DATE '1900-01-01' AS d, TIME '23:59:59.999' AS t, 12345678901234567.89::numeric(20,2) AS n`,
      );
      expect(rows[0]).toEqual({ d: '1900-01-01', t: '23:59:59.999', n: '12345678901234567.89' });
    } finally {
      await client.end();
    }
  });

  it('gives every client, from a URL or from discrete settings, the Lambda connection options', () => {
    for (const options of [clientOptions(database.url), clientOptions({ host: 'h', database: 'd' })]) {
      expect(options).toMatchObject({ connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    }
    expect(clientOptions(database.url)).toMatchObject({ connectionString: database.url });
    expect(CONNECT_TIMEOUT_MS).toBe(10_000);
  });

  describe('against a server that accepts but never answers', () => {
    let silent: Server;
    let port: number;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    afterAll(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });

    it('stops waiting after the connect timeout instead of hanging', async () => {
      const started = Date.now();
      await expect(connectPostgres(`postgres://me@127.0.0.1:${port}/db`)).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
    }, 20_000);

    it('local mode loads through the same connector: its run fails after the timeout instead of hanging', async () => {
      const state = mkdtempSync(join(tmpdir(), 'connector-'));
      try {
        const run = runPipeline({
          ingestion: new FileObjectStore(join(state, 'ingestion')),
          processed: new FileObjectStore(join(state, 'processed')),
          parameters: new FileParameterStore(join(state, 'parameters.json')),
          databaseUrl: `postgres://me@127.0.0.1:${port}/warehouse`,
          log: silentLog,
          metrics: noMetrics,
          progress: () => {},
        });
        await expect(run).rejects.toThrow(/timeout/i);
      } finally {
        rmSync(state, { recursive: true, force: true });
      }
    }, 20_000);
  });
});
