/**
 * hyparquet-writer's output buffer, grown in place. A ByteWriter grows by allocating a
 * buffer twice the size and copying (a 60 MB file briefly needs 64 + 128 MB), and the
 * finished bytes were then copied out once more. Here the buffer is a resizable
 * ArrayBuffer: growing commits more of one reserved range, nothing is copied, and the
 * result is a view of the bytes written. Memory is what the file takes.
 */
import { ByteWriter } from 'hyparquet-writer';

/** ES2024 resizable ArrayBuffers (Node 20+); the project's TypeScript lib is ES2023. */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;

/** Address space reserved (not memory used): the largest file a writer can produce. */
const MAX_OUTPUT_BYTES = 2 ** 31;
const INITIAL_BYTES = 64 * 1024;

export class GrowableByteWriter extends ByteWriter {
  declare buffer: ResizableArrayBuffer;

  constructor() {
    super(0);
    this.buffer = new ResizableArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_OUTPUT_BYTES });
    // A DataView without a length follows the buffer as it grows.
    this.view = new DataView(this.buffer);
  }

  override ensure(size: number): void {
    const needed = this.index + size;
    if (needed <= this.buffer.byteLength) return;
    if (needed > MAX_OUTPUT_BYTES) throw new RangeError(`Parquet output over ${MAX_OUTPUT_BYTES} bytes`);
    this.buffer.resize(Math.min(MAX_OUTPUT_BYTES, Math.max(needed, this.buffer.byteLength * 2)));
  }

  /** Everything written: a view of the buffer, not a copy. Write nothing after this. */
  takeBytes(): Uint8Array {
    return new Uint8Array(this.buffer, 0, this.index);
  }

  override getBuffer(): ArrayBuffer {
    throw new Error('GrowableByteWriter: use takeBytes()');
  }
}
