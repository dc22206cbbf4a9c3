/**
 * What local mode may show of a database URL: never its password. The report is a file
 * people share and the terminal is often recorded, so the URL printed for psql carries no
 * password; psql and this tool read it from PGPASSWORD (or ~/.pgpass) instead.
 */

/** The URL with its password removed (user, host, port, database and parameters kept). */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '';
  return parsed.toString();
}

/**
 * `text` with the URL's password (raw and decoded) replaced by `***`: wherever it sits as a
 * URL's password (`:…@`), and elsewhere only as a whole token, so a password that is also
 * an ordinary word does not blank that word out of every message. A password equal to the
 * user name is left where it stands alone: there it is the user name, which messages name.
 */
export function scrubPassword(text: string, url: string | undefined): string {
  if (!url) return text;
  let password: string;
  let user: string;
  try {
    const parsed = new URL(url);
    password = parsed.password;
    user = safeDecode(parsed.username);
  } catch {
    return text;
  }
  let clean = text;
  for (const secret of new Set([password, safeDecode(password)])) {
    if (secret.length === 0) continue;
    clean = clean.split(`:${secret}@`).join(':***@');
    if (secret === user) continue;
    // \b-like edges, checked only where the password's own edge is a word character.
    const before = /^\w/.test(secret) ? '(?<!\\w)' : '';
    const after = /\w$/.test(secret) ? '(?!\\w)' : '';
    clean = clean.replace(new RegExp(`${before}${escapeRegExp(secret)}${after}`, 'g'), '***');
  }
  return clean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
