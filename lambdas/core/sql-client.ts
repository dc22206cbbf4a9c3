/**
 * What the core asks of a database connection: parameterised queries and COPY FROM STDIN.
 * The pg adapter (lambdas/adapters/pg/connect.ts) implements it; the core imports no
 * database driver, so it runs against whatever connection the edge hands it.
 */

interface SqlResult<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

/** Queries only: reading and migrating the warehouse. A pg client is one as it is. */
export interface QueryClient {
  // biome-ignore lint/suspicious/noExplicitAny: row shapes are the caller's, as in pg.
  query<R extends Record<string, any> = Record<string, any>>(text: string, values?: unknown[]): Promise<SqlResult<R>>;
}

/** Queries and bulk loading: what loading a batch needs. */
export interface SqlClient extends QueryClient {
  /** Runs `sql` (a `COPY … FROM STDIN`) with `text` as its data; resolves with the rows copied. */
  copyIn(sql: string, text: AsyncIterable<string>): Promise<number>;
}

/** A connection the loader owns: it listens for the server dropping it, and ends it. */
export interface DatabaseClient extends SqlClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}
