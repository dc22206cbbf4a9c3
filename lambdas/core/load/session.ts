/**
 * Settings for the loader's database session. (The type parsers that read the warehouse
 * back exactly live with the client, in lambdas/adapters/pg/connect.ts.)
 */
import type { QueryClient } from '../sql-client';

export const APPLICATION_NAME = 'totesys-load';

/**
 * A loader that dies mid-batch (say, the Lambda is killed at its timeout) must not hold
 * its locks for long: the server ends a session idle inside a transaction after this.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 120_000;
/** …and a session idle outside one (it may hold the run lock) after this. */
const IDLE_SESSION_TIMEOUT_MS = 600_000;

export async function prepareSession(client: QueryClient): Promise<void> {
  await client.query(
    `SELECT set_config('application_name', $1, false),
  set_config('idle_in_transaction_session_timeout', $2, false),
  set_config('TimeZone', 'UTC', false),
  set_config('DateStyle', 'ISO, YMD', false)`,
    [APPLICATION_NAME, String(IDLE_IN_TRANSACTION_TIMEOUT_MS)],
  );
  // idle_session_timeout exists from Postgres 14.
  await client.query(`SELECT set_config('idle_session_timeout', $1, false) WHERE current_setting('server_version_num')::int >= 140000`, [
    String(IDLE_SESSION_TIMEOUT_MS),
  ]);
}
