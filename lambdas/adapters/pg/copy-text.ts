/**
 * Decoding Postgres' COPY text format (one row a line, tab-separated, `\N` for NULL,
 * backslash escapes for backslash and control characters) into rows of text values.
 */

const ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

function unescapeCopyField(field: string): string {
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, code: string) => {
    if (code.length > 1 || /[0-7]/.test(code)) {
      return String.fromCharCode(code[0] === 'x' ? parseInt(code.slice(1), 16) : parseInt(code, 8));
    }
    return ESCAPES[code] ?? code;
  });
}

export function parseCopyLine(line: string): (string | null)[] {
  const fields = line.split('\t');
  const row: (string | null)[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    row[i] = field === '\\N' ? null : field.includes('\\') ? unescapeCopyField(field) : field;
  }
  return row;
}
