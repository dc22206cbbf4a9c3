/**
 * Local mode's ingest stage: the same core the Ingest Lambda runs (lambdas/core/extract),
 * with the state folder standing in for the buckets (`ingestion/`, and `processed/extract/`
 * for fingerprints and the lease) and Parameter Store (`parameters.json`).
 */
import { join } from 'node:path';
import { PgSourceDatabase } from '../lambdas/adapters/pg/totesys-source';
import { ExtractLayout, type ExtractRunSummary, runExtract } from '../lambdas/core/extract';
import type { Log, Metrics } from '../lambdas/core/ports';
import { DEFAULT_GZIP_LEVEL } from '../lambdas/ingest/config';
import { FileExtractStore } from './adapters/file-extract-store';
import { FileParameterStore } from '../lambdas/adapters/file/file-parameter-store';
import { PipelineError, UsageError } from '../lambdas/core/errors';
import { LOCAL_INGEST_PARAMETER_PATH } from '../lambdas/environment';

export const INGEST_PARAMETER_PATH = LOCAL_INGEST_PARAMETER_PATH;

export interface LocalIngestOptions {
  readonly sourceUrl: string;
  readonly stateDir: string;
  readonly log: Log;
  readonly metrics: Metrics;
}

class LocalIngestError extends PipelineError {
  readonly kind = 'internal';
  override readonly name = 'LocalIngestError';
}

/** One ingestion run; throws when a table failed or another run holds the lease. */
export async function ingestSource(options: LocalIngestOptions): Promise<Extract<ExtractRunSummary, { status: 'done' }>> {
  const parsed = new URL(options.sourceUrl);
  const password = decodedOrNull(parsed.password);
  if (password === null) {
    // decodeURIComponent's own "URI malformed" names nothing; the password itself is never shown.
    throw new UsageError('--source-url: the password is not valid percent-encoding (write a % in it as %25)');
  }
  const summary = await runExtract(
    {
      source: new PgSourceDatabase({
        config: { connectionString: options.sourceUrl },
        description: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`,
        secrets: [password, parsed.password].filter((secret) => secret !== ''),
      }),
      ingestion: new FileExtractStore(join(options.stateDir, 'ingestion')),
      state: new FileExtractStore(join(options.stateDir, 'processed')),
      parameters: new FileParameterStore(join(options.stateDir, 'parameters.json')),
      layout: new ExtractLayout({ parameterPath: INGEST_PARAMETER_PATH }),
      log: options.log,
      metrics: options.metrics,
      gzipLevel: DEFAULT_GZIP_LEVEL,
    },
    {},
  );
  if (summary.status === 'busy') throw new LocalIngestError(`another ingestion run holds the lease until ${summary.heldUntil}`);
  if (summary.failures.length > 0) {
    throw new LocalIngestError(`ingestion failed for ${summary.failures.map((f) => `${f.table}: ${f.error}`).join('; ')}`);
  }
  return summary;
}

/** The percent-decoded text, or null when it is not valid percent-encoding (a raw `%`). */
function decodedOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
