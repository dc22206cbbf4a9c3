/**
 * A throwaway certificate authority and an embedded Postgres serving a certificate it
 * signed (ssl=on), for tests of verified TLS. A server of its own: the shared test server's
 * configuration is never changed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningPostgres, startEmbeddedPostgres } from '../../local/embedded-postgres';

export interface TlsPostgres {
  /** `postgres://…@localhost:port/postgres`: the host name the certificate is for. */
  readonly url: string;
  /** The CA that signed the server certificate (PEM file). */
  readonly caPath: string;
  /** Another CA, which signed nothing the server presents. */
  readonly otherCaPath: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'totesys-tls-'));
  chmodSync(dir, 0o755);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const makeCa = (name: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  makeCa('throwaway-ca');
  makeCa('other-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'throwaway-ca.pem',
    '-CAkey',
    'throwaway-ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );
  chmodSync(join(dir, 'server.key'), 0o600);
  // As root, the embedded server runs as the OS user postgres, which must own its key.
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
    chownSync(join(dir, 'server.key'), id('-u'), id('-g'));
  }
  let server: RunningPostgres;
  try {
    server = await startEmbeddedPostgres({
      dataDir: join(dir, 'data'),
      ephemeral: true,
      settings: { ssl: 'on', ssl_cert_file: join(dir, 'server.pem'), ssl_key_file: join(dir, 'server.key') },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = new URL(server.url);
  url.hostname = 'localhost';
  return {
    url: url.toString(),
    caPath: join(dir, 'throwaway-ca.pem'),
    otherCaPath: join(dir, 'other-ca.pem'),
    dir,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
