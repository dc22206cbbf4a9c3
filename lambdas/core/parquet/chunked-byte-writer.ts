/**
 * hyparquet-writer's output buffer, kept as a list of exact-size chunks. ByteWriter alone
 * grows one buffer by doubling (a 60 MB file briefly needs 64 + 128 MB) and then copies
 * it out; here each row group's bytes move to a chunk when the writer flushes, the
 * working buffer is reused, and the chunks are joined once at the end.
 */
import { ByteWriter } from 'hyparquet-writer';

export class ChunkedByteWriter extends ByteWriter {
  private chunks: Uint8Array[] = [];
  private chunkBytes = 0;

  /** Called by ParquetWriter after each row group. */
  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.chunkBytes += this.index;
    this.index = 0; // `offset` keeps counting file positions
  }

  /** Everything written, as one array; the writer is empty afterwards. */
  takeBytes(): Uint8Array {
    this.flush();
    const bytes = new Uint8Array(this.chunkBytes);
    let at = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    this.chunks = [];
    this.chunkBytes = 0;
    return bytes;
  }

  override getBuffer(): ArrayBuffer {
    throw new Error('ChunkedByteWriter: use takeBytes()');
  }
}
