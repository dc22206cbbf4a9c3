/**
 * Verified TLS to the warehouse (`dbSsl=require`) against a real Postgres serving a
 * certificate from a throwaway certificate authority made with openssl. The server is a
 * separate embedded Postgres with ssl=on: the shared test server is left as it is.
 */
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseConnectionError, tlsOptions, urlConnector } from '../../lambdas/adapters/pg/connect';
import { type TlsPostgres, startTlsPostgres } from '../support/tls-postgres';

let server: TlsPostgres;
beforeAll(async () => {
  server = await startTlsPostgres();
}, 120_000);
afterAll(() => server?.stop());

describe('dbSsl=require', () => {
  it('verifies the server against the CA bundle (DB_CA_BUNDLE) and speaks TLS', async () => {
    const client = await urlConnector(server.url, tlsOptions('require', server.caPath)).connect();
    try {
      const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows).toEqual([{ ssl: true }]);
    } finally {
      await client.end();
    }
  });

  it('keeps trusting the public certificate authorities Node knows, next to the bundle', () => {
    const options = tlsOptions('require', server.caPath);
    expect(options).not.toBe(false);
    const ca = (options as { ca: string[] }).ca;
    expect(ca).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(ca.at(-1)).toContain('-----BEGIN CERTIFICATE-----');
    expect(ca).toHaveLength(rootCertificates.length + 1);
  });

  it('refuses a server whose certificate no trusted authority signed', async () => {
    const error = await urlConnector(server.url, tlsOptions('require', server.otherCaPath))
      .connect()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    // (The test server's password is "postgres", so that word is scrubbed from the message.)
    expect((error as Error).message).toMatch(
      /^cannot connect to the warehouse database at localhost:\d+\/\S+ as \S+: unable to verify the first certificate; the next run retries$/,
    );
  });

  it('says which CA bundle it cannot read, rather than connecting unverified', () => {
    expect(() => tlsOptions('require', join(server.dir, 'missing.pem'))).toThrow(
      /cannot read the CA bundle DB_CA_BUNDLE=.*missing\.pem: ENOENT/,
    );
    expect(() => tlsOptions('require', join(server.dir, 'server.ext'))).toThrow(/DB_CA_BUNDLE=.*server\.ext holds no PEM certificate/);
  });
});
