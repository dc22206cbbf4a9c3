/** Reading ingestion objects: see read-object.ts. */
export { readIngestionObject, type ReadObjectOptions } from './read-object';
export { BadObjectError, type ParsedRow, type RejectedRow, type RowBatch, type SourceRow } from './types';
export { DEFAULT_MAX_LINE_BYTES } from './lines';
