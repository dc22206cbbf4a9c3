/** The Parquet module's public API used outside it: the exact reader. */
export { readParquetColumns } from './reader';
