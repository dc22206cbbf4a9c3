/**
 * The `dbCaBundle` setting: a PEM file on the deploying machine with the certificate
 * authorities the warehouse's certificate chains to (a private CA, or a pinned RDS bundle).
 * It is copied into the load Lambda's bundle; the loader trusts it next to Node's public
 * roots (lambdas/adapters/pg/connect.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Problem } from './validators';
import { LAMBDA_RUNTIME_CA_PATH } from '../../lambdas/environment';

/** Where the copied bundle lives in the Lambda (its code is unpacked in /var/task). */
export const BUNDLED_CA_FILE = 'db-ca-bundle.pem';
export const BUNDLED_CA_PATH = `/var/task/${BUNDLED_CA_FILE}`;
/** Without the setting: the Lambda runtime's own bundle, which includes Amazon RDS's CAs. */
export { LAMBDA_RUNTIME_CA_PATH };

/** `path` resolved against the project root when relative. */
export function caBundleSource(path: string, projectRoot: string): string {
  return isAbsolute(path) ? path : join(projectRoot, path);
}

export function checkCaBundleFile(path: string, projectRoot: string): Problem {
  let pem: string;
  try {
    pem = readFileSync(caBundleSource(path, projectRoot), 'utf8');
  } catch (error) {
    return `cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
  return pem.includes('-----BEGIN CERTIFICATE-----') ? undefined : `"${path}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
}
