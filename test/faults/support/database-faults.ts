/**
 * Loader connections that fail at a chosen statement, without hooks in the product code:
 * the connection the loader asks for is a real pg client whose `query` counts statements
 * and, at the planned one, strikes.
 *
 * - `terminate`: the server ends the session before the statement runs, or for a COPY
 *   while it streams (a failover, an operator's pg_terminate_backend, a network cut noticed
 *   by the server). The loader sees the error and must report it.
 * - `vanish`: the loader's process is gone (the Lambda timed out and was reset): its socket
 *   closes and the statement, and everything after it, never returns.
 * - `vanish-after-send`: as `vanish`, but the statement was sent first, so the server may
 *   have run it (say a COMMIT whose reply never arrived).
 */
import { Writable } from 'node:stream';
import type pg from 'pg';
import type { DatabaseClient } from '../../../lambdas/core/load/loader';
import { newPostgresClient } from '../../../lambdas/adapters/pg/connect';

type StrikeMode = 'terminate' | 'vanish' | 'vanish-after-send';

export interface ConnectionFault {
  /** Strikes at the first statement for which this is true (index is 1-based per connection). */
  readonly at: (sql: string, index: number) => boolean;
  readonly mode: StrikeMode;
}

export interface Strike {
  readonly index: number;
  readonly sql: string;
  readonly mode: StrikeMode;
}

type Query = (...args: unknown[]) => unknown;

export class FaultyConnections {
  private strikeListeners: ((strike: Strike) => void)[] = [];

  constructor(
    private readonly url: string,
    /** A session of the test's own, used to end the loader's from the server side. */
    private readonly admin: pg.Client,
  ) {}

  /** A `connect` for the loader: every connection it opens carries `fault` (none: a plain one). */
  connector(fault?: ConnectionFault): () => Promise<DatabaseClient> {
    return async () => {
      const client = newPostgresClient(this.url);
      await client.connect();
      if (fault) this.arm(client, fault);
      return client;
    };
  }

  /** Resolves when a fault next strikes. */
  nextStrike(): Promise<Strike> {
    return new Promise((resolve) => this.strikeListeners.push(resolve));
  }

  private arm(client: pg.Client, fault: ConnectionFault): void {
    const inner = client.query.bind(client) as Query;
    let index = 0;
    let struck = false;
    const faults = this;
    (client as unknown as { query: Query }).query = function query(...args: unknown[]) {
      const sql = statementText(args[0]);
      index += 1;
      // After a vanish the process is gone: nothing more returns. After a terminate the
      // loader carries on, and its statements fail on the dead connection by themselves.
      if (struck && fault.mode !== 'terminate') return neverReturns(args[0]);
      if (struck || !fault.at(sql, index)) return inner(...args);
      struck = true;
      faults.announce({ index, sql, mode: fault.mode });
      switch (fault.mode) {
        case 'terminate':
          if (isSubmittable(args[0])) {
            // A COPY is a stream the loader pipes into at once: end the session while it flows.
            const copy = inner(...args);
            faults.terminate(client).catch(() => {});
            return copy;
          }
          return faults.terminate(client).then(() => inner(...args));
        case 'vanish':
          socketOf(client).destroy();
          return neverReturns(args[0]);
        case 'vanish-after-send': {
          const sent = inner(...args);
          if (sent instanceof Promise) sent.catch(() => {});
          setImmediate(() => socketOf(client).destroy());
          return neverReturns(args[0]);
        }
      }
    };
  }

  private async terminate(client: pg.Client): Promise<void> {
    const pid = (client as unknown as { processID: number }).processID;
    // The timeout form waits until the backend has exited.
    await this.admin.query('SELECT pg_terminate_backend($1, 10000)', [pid]);
  }

  private announce(strike: Strike): void {
    const listeners = this.strikeListeners;
    this.strikeListeners = [];
    for (const listener of listeners) listener(strike);
  }
}

function statementText(query: unknown): string {
  if (typeof query === 'string') return query;
  const text = (query as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '(submittable)';
}

function socketOf(client: pg.Client): { destroy(): void } {
  return (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream;
}

/** What a dead process's pending call looks like: a promise, or for COPY a stream, that never finishes. */
function isSubmittable(query: unknown): boolean {
  return typeof (query as { submit?: unknown } | null)?.submit === 'function';
}

function neverReturns(query: unknown): unknown {
  if (isSubmittable(query)) {
    return new Writable({ write() {} });
  }
  return new Promise(() => {});
}
