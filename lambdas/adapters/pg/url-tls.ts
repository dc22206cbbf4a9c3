/**
 * TLS settings in a database URL (`?sslmode=`, `?ssl=`, `?sslrootcert=`…) against the
 * explicit setting (DB_SSL, --db-ssl). pg merges the parsed URL over the options it is
 * given, so a URL's `sslmode=disable` would silently turn verified TLS off: TLS is said in
 * one place. A URL's mode is used when nothing explicit is set; both set and different is
 * refused; and the URL reaches pg without its TLS parameters, so the resolved mode holds.
 */
import type { SslMode } from '../../environment';
import { PipelineError } from '../../core/errors';

export class TlsSettingError extends PipelineError {
  readonly kind = 'usage';
  constructor(message: string) {
    super(message);
    this.name = 'TlsSettingError';
  }
}

const FILE_PARAMETERS = ['sslrootcert', 'sslcert', 'sslkey'] as const;

/** What the URL's `sslmode` / `ssl` parameters amount to, if they say anything. Never echoes the URL. */
function tlsModeInUrl(url: string, urlSetting: string): SslMode | undefined {
  const parameters = new URL(url).searchParams;
  const file = FILE_PARAMETERS.find((name) => parameters.has(name));
  if (file) {
    throw new TlsSettingError(
      `${urlSetting} sets ${file}: give a CA bundle with DB_CA_BUNDLE / --db-ca-bundle instead (client certificates are not supported)`,
    );
  }
  const sslmode = parameters.get('sslmode');
  if (sslmode !== null) {
    if (sslmode === 'disable') return 'disable';
    if (sslmode === 'no-verify') return 'no-verify';
    // pg verifies the certificate for all of these.
    if (['prefer', 'require', 'verify-ca', 'verify-full'].includes(sslmode)) return 'require';
    throw new TlsSettingError(`${urlSetting} has sslmode=${JSON.stringify(sslmode).slice(1, -1)}, which is not a TLS mode`);
  }
  const ssl = parameters.get('ssl');
  if (ssl === null) return undefined;
  if (['0', 'false'].includes(ssl)) return 'disable';
  if (['1', 'true'].includes(ssl)) return 'require';
  throw new TlsSettingError(`${urlSetting} has ssl=${JSON.stringify(ssl).slice(1, -1)}; expected true or false`);
}

/**
 * The TLS mode to use: the explicit one, else the URL's, else `fallback`. Refuses a URL
 * and an explicit setting that disagree.
 */
export function resolveTlsMode(
  url: string,
  explicit: SslMode | undefined,
  fallback: SslMode,
  names: { readonly url: string; readonly explicit: string },
): SslMode {
  const fromUrl = tlsModeInUrl(url, names.url);
  if (explicit !== undefined && fromUrl !== undefined && explicit !== fromUrl) {
    throw new TlsSettingError(
      `${names.url} asks for TLS mode ${fromUrl} (its ?sslmode= or ?ssl=) but ${names.explicit} is ${explicit}: say it in one place (remove it from the URL, or make them agree)`,
    );
  }
  return explicit ?? fromUrl ?? fallback;
}

/** The URL without its TLS parameters, so the options pg is given are the ones it uses. */
export function withoutTlsParameters(url: string): string {
  const parsed = new URL(url);
  for (const name of ['sslmode', 'ssl', ...FILE_PARAMETERS]) parsed.searchParams.delete(name);
  return parsed.toString();
}
