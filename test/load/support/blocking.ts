/**
 * Holding a loader still in the middle of a batch, without hooks in the product code: a
 * second session locks a warehouse table, so the loader's write to it waits (inside its
 * transaction, after its earlier writes). The test then acts (kills the connection,
 * starts another loader) and lets go.
 */
import type pg from 'pg';
import { APPLICATION_NAME } from '../../../lambdas/core/load/session';
import type { WarehouseTableName } from '../../../lambdas/core/schema/warehouse-tables';
import { newPostgresClient } from '../../../lambdas/adapters/pg/connect';

export class TableLock {
  private constructor(
    private readonly client: pg.Client,
    readonly url: string,
  ) {}

  /** Takes a SHARE lock on `table`: loaders' INSERTs into it wait until release(). */
  static async take(url: string, table: WarehouseTableName): Promise<TableLock> {
    const client = newPostgresClient(url);
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE public.${table} IN SHARE MODE`);
    return new TableLock(client, url);
  }

  /** The backend pid of the loader session waiting on a lock, once there is one. */
  async waitingLoader(timeoutMs = 20_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      // Inside a transaction pg_stat_activity is a snapshot taken once; take a new one.
      await this.client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await this.client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND datname = current_database()`,
        [APPLICATION_NAME],
      );
      if (rows[0]) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('no loader came to wait on the lock');
  }

  /** Ends the loader's session from the server side, as a failover or network cut would. */
  async terminate(pid: number): Promise<void> {
    await this.client.query('SELECT pg_terminate_backend($1)', [pid]);
  }

  async release(): Promise<void> {
    await this.client.query('ROLLBACK');
    await this.client.end();
  }
}
