/** The gzip level both sides of the ingest benchmark use (the ingest stage's default). */
export { DEFAULT_GZIP_LEVEL as GZIP_LEVEL } from '../../lambdas/ingest/config';
