/**
 * Everything the CLI prints passes through here: object keys, error messages and queue
 * bodies come from buckets and queues (URL-decoded, so `%1B` is a real ESC), and a
 * terminal would obey the escape sequences in them (retitle the window, hide lines, move
 * the cursor). Control characters other than newline and tab, and the bidirectional
 * overrides that reorder text, are shown as visible `\xNN` / `\uNNNN` escapes instead.
 */

// C0 controls but tab and newline, DEL, C1 controls (0x9B is a one-byte CSI), bidi overrides and isolates.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
      : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
