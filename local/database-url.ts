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

/** `text` with the URL's password (raw and decoded) replaced by `***`. */
export function scrubPassword(text: string, url: string | undefined): string {
  if (!url) return text;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  let clean = text;
  for (const secret of new Set([password, safeDecode(password)])) {
    if (secret.length > 0) clean = clean.split(secret).join('***');
  }
  return clean;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
