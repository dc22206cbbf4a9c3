/**
 * Snappy for one column's data pages, given up once it proves not to pay. Unique ids,
 * times of day and version hashes barely compress (a hash page shrinks ~10%) yet take
 * most of the compression time; a page v2 may then be stored as it is
 * (`is_compressed = false`), the column's codec staying SNAPPY for the pages that are.
 */
export type Compressor = (input: Uint8Array) => Uint8Array;

/** Compression must save at least this share of a page to be kept. */
const MIN_SAVING = 1 / 8;
/** Pages smaller than this are compressed without judging (small tables, last pages); a larger one is judged by its first this many bytes. */
const JUDGED_PAGE_BYTES = 64 * 1024;

export class PageCompression {
  /** Undefined until a page large enough to judge by has been seen. */
  private pays: boolean | undefined;

  constructor(private readonly compress: Compressor) {}

  /**
   * The page compressed, or undefined: store it uncompressed. The first large page is
   * judged by compressing its first JUDGED_PAGE_BYTES only, so a column that does not
   * compress (version hashes, about 1 MiB a page) is never compressed whole.
   */
  page(values: Uint8Array): Uint8Array | undefined {
    if (this.pays === false) return undefined;
    if (this.pays === undefined && values.length >= JUDGED_PAGE_BYTES) {
      const sample = values.subarray(0, JUDGED_PAGE_BYTES);
      this.pays = this.compress(sample).length <= sample.length * (1 - MIN_SAVING);
      if (!this.pays) return undefined;
    }
    return this.compress(values);
  }

  /** A dictionary page is always compressed (v1-style pages have no flag for it). */
  dictionaryPage(values: Uint8Array): Uint8Array {
    return this.compress(values);
  }
}
