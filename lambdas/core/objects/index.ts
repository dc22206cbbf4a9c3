/** Reading ingestion objects: see read-object.ts. */
export { readIngestionObject, type ReadObjectOptions } from './read-object';
export { BadObjectError, type RejectedRow, type SourceRow } from './types';
