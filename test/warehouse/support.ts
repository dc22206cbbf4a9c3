import type pg from 'pg';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

/** A connected client on `url` that reads values back as the server's text. */
export async function connectTo(url: string): Promise<pg.Client> {
  const client = newPostgresClient(url);
  await client.connect();
  return client;
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectTo(url);
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
