/**
 * Splits a stream of decompressed bytes into lines (on `\n`) and decodes them as UTF-8.
 *
 * Memory stays bounded: a line is only buffered while it is incomplete and no longer
 * than `maxLineBytes`; a longer line is counted and skipped (only its first few hundred
 * bytes are kept, for the rejection), and the lines after it flow as usual.
 *
 * Fast path: the complete lines of a chunk are checked at once with `buffer.isUtf8`;
 * the sink may then take each line straight from the bytes (`lineBytes`), and only lines
 * it declines are decoded. Only a chunk holding invalid UTF-8 falls back to line-by-line
 * checking.
 *
 * Line numbers are 1-based lines of the decompressed object. A UTF-8 byte order mark at
 * the start of line 1 is dropped. Carriage returns and blank lines are left to the sink
 * (JSON treats `\r` as whitespace).
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { firstInvalidUtf8Offset } from './utf8';

/** Where the lines go. Called synchronously, in line order. */
export interface LineSink {
  /** A decoded line: `text.slice(start, end)`, without its `\n`. */
  line(text: string, start: number, end: number, lineNumber: number): void;
  /**
   * Optional fast path, tried first for every line within the length limit (BOM already
   * skipped): take the line straight from `bytes[start, end)` and return true, or return
   * false (having done nothing) to get it decoded and passed to `line` as usual.
   */
  lineBytes?(bytes: Buffer, start: number, end: number, lineNumber: number): boolean;
  /** A line that is not valid UTF-8; `byteOffset` is 0-based within the line. */
  invalidUtf8(lineNumber: number, byteOffset: number, raw: string): void;
  /** A line longer than `limit` bytes (`byteLength` excludes the `\n`), skipped unread. */
  tooLong(lineNumber: number, byteLength: number, limit: number, head: string): void;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** How much of a skipped or undecodable line is kept for the rejection's `raw`. */
const RAW_HEAD_BYTES = 512;
const NEWLINE = 0x0a;

export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly sink: LineSink;
  /** Lines completed so far (the next line's number is this + 1). */
  private linesSeen = 0;
  /** The start of an incomplete line, across chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while skipping the rest of an over-long line. */
  private skipping = false;
  private skippedBytes = 0;
  private skippedHead: Buffer = Buffer.alloc(0);

  constructor(sink: LineSink, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
    this.sink = sink;
    this.maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let position = 0;
    if (this.skipping || this.pendingBytes > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.carry(chunk, 0);
        return;
      }
      this.carry(chunk.subarray(0, newline), 0);
      this.completeCarriedLine();
      position = newline + 1;
    }
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline >= position) {
      this.completeLines(chunk, position, lastNewline + 1);
      position = lastNewline + 1;
    }
    if (position < chunk.length) this.carry(chunk, position);
  }

  /** The end of the object: a final line without `\n` is still a line. */
  end(): void {
    if (this.skipping || this.pendingBytes > 0) this.completeCarriedLine();
  }

  /** Appends `chunk[from…]` to the incomplete line, switching to skipping past the limit. */
  private carry(chunk: Buffer, from: number): void {
    const piece = from === 0 ? chunk : chunk.subarray(from);
    if (this.skipping) {
      this.skippedBytes += piece.length;
      return;
    }
    // Copied: a carried slice must not pin the whole (possibly large) chunk it came from.
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
    if (this.pendingBytes > this.maxLineBytes) {
      const carried = Buffer.concat(this.pending, this.pendingBytes);
      this.skippedHead = carried.subarray(0, RAW_HEAD_BYTES);
      this.skippedBytes = carried.length;
      this.skipping = true;
      this.pending = [];
      this.pendingBytes = 0;
    }
  }

  private completeCarriedLine(): void {
    const lineNumber = ++this.linesSeen;
    if (this.skipping) {
      this.sink.tooLong(lineNumber, this.skippedBytes, this.maxLineBytes, decodeHead(this.skippedHead));
      this.skipping = false;
      this.skippedBytes = 0;
      this.skippedHead = Buffer.alloc(0);
      return;
    }
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.byteLine(line, 0, line.length, lineNumber);
  }

  /** `chunk[start, end)` holds complete lines only, the last ending with `\n`. */
  private completeLines(chunk: Buffer, start: number, end: number): void {
    if (!isUtf8(chunk.subarray(start, end))) {
      this.completeLinesSlowly(chunk, start, end);
      return;
    }
    const sink = this.sink;
    const maxLineBytes = this.maxLineBytes;
    let lineStart = start;
    while (lineStart < end) {
      const newline = chunk.indexOf(NEWLINE, lineStart);
      const lineNumber = ++this.linesSeen;
      let from = lineStart;
      lineStart = newline + 1;
      if (lineNumber === 1 && startsWithByteOrderMark(chunk, from, newline)) from += 3;
      if (newline - from > maxLineBytes) {
        sink.tooLong(lineNumber, newline - from, maxLineBytes, headOfValidLine(chunk, from, newline));
        continue;
      }
      if (sink.lineBytes?.(chunk, from, newline, lineNumber)) continue;
      // Decoded line by line: most lines never need a string at all.
      const text = chunk.toString('utf8', from, newline);
      sink.line(text, 0, text.length, lineNumber);
    }
  }

  private completeLinesSlowly(chunk: Buffer, start: number, end: number): void {
    let lineStart = start;
    while (lineStart < end) {
      const newline = chunk.indexOf(NEWLINE, lineStart);
      this.byteLine(chunk, lineStart, newline, ++this.linesSeen);
      lineStart = newline + 1;
    }
  }

  /** One line given as bytes, `bytes[start, end)` without its `\n`. */
  private byteLine(bytes: Buffer, start: number, end: number, lineNumber: number): void {
    let from = start;
    if (lineNumber === 1 && startsWithByteOrderMark(bytes, from, end)) from += 3;
    const length = end - from;
    if (length > this.maxLineBytes) {
      this.sink.tooLong(lineNumber, length, this.maxLineBytes, decodeHead(bytes.subarray(from, Math.min(end, from + RAW_HEAD_BYTES))));
      return;
    }
    if (this.sink.lineBytes?.(bytes, from, end, lineNumber)) return;
    const invalidAt = firstInvalidUtf8Offset(bytes, from, end);
    if (invalidAt >= 0) {
      this.sink.invalidUtf8(lineNumber, invalidAt, bytes.toString('utf8', from, Math.min(end, from + RAW_HEAD_BYTES)));
      return;
    }
    const text = bytes.toString('utf8', from, end);
    this.sink.line(text, 0, text.length, lineNumber);
  }
}

function decodeHead(bytes: Buffer): string {
  return bytes.toString('utf8');
}

function startsWithByteOrderMark(bytes: Buffer, start: number, end: number): boolean {
  return end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf;
}

/**
 * The first RAW_HEAD_BYTES UTF-16 units of a valid UTF-8 line, decoding only its start:
 * units take at most 3 bytes each (a 4-byte character is 2 units), so 4 bytes a unit
 * always cover them.
 */
function headOfValidLine(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('utf8', start, Math.min(end, start + 4 * RAW_HEAD_BYTES)).slice(0, RAW_HEAD_BYTES);
}
