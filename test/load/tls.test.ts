/**
 * Verified TLS to the warehouse (`dbSsl=require`) against a real Postgres serving a
 * certificate from a throwaway certificate authority made here with openssl. The server is
 * a separate embedded Postgres with ssl=on: the shared test server is left as it is.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseConnectionError, tlsOptions, urlConnector } from '../../lambdas/load/database';
import { type RunningPostgres, startEmbeddedPostgres } from '../../local/embedded-postgres';

let dir: string;
let server: RunningPostgres;
let url: string;

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'totesys-tls-'));
  chmodSync(dir, 0o755);
  makeCa('throwaway-ca');
  makeCa('other-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'throwaway-ca.pem', '-CAkey', 'throwaway-ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  chmodSync(join(dir, 'server.key'), 0o600);
  // As root, the embedded server runs as the OS user postgres, which must own its key.
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(join(dir, 'server.key'), uid, gid);
  }
  server = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    ephemeral: true,
    settings: { ssl: 'on', ssl_cert_file: join(dir, 'server.pem'), ssl_key_file: join(dir, 'server.key') },
  });
  const address = new URL(server.url);
  address.hostname = 'localhost';
  url = address.toString();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dbSsl=require', () => {
  it('verifies the server against the CA bundle (DB_CA_BUNDLE) and speaks TLS', async () => {
    const client = await urlConnector(url, tlsOptions('require', join(dir, 'throwaway-ca.pem'))).connect();
    try {
      const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows).toEqual([{ ssl: true }]);
    } finally {
      await client.end();
    }
  });

  it('keeps trusting the public certificate authorities Node knows, next to the bundle', () => {
    const options = tlsOptions('require', join(dir, 'throwaway-ca.pem'));
    expect(options).not.toBe(false);
    const ca = (options as { ca: string[] }).ca;
    expect(ca).toEqual(expect.arrayContaining([...rootCertificates]));
    expect(ca.at(-1)).toContain('-----BEGIN CERTIFICATE-----');
    expect(ca).toHaveLength(rootCertificates.length + 1);
  });

  it('refuses a server whose certificate no trusted authority signed', async () => {
    const error = await urlConnector(url, tlsOptions('require', join(dir, 'other-ca.pem')))
      .connect()
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    // (The test server's password is "postgres", so that word is scrubbed from the message.)
    expect((error as Error).message).toMatch(/^cannot connect to the warehouse database at localhost:\d+\/\S+ as \S+: unable to verify the first certificate; the next run retries$/);
  });

  it('says which CA bundle it cannot read, rather than connecting unverified', () => {
    expect(() => tlsOptions('require', join(dir, 'missing.pem'))).toThrow(/cannot read the CA bundle DB_CA_BUNDLE=.*missing\.pem: ENOENT/);
    expect(() => tlsOptions('require', join(dir, 'server.ext'))).toThrow(/DB_CA_BUNDLE=.*server\.ext holds no PEM certificate/);
  });
});
