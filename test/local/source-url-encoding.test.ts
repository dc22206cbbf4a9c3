/**
 * A source URL whose password holds a raw `%` (not percent-encoded) cannot be decoded: the
 * error names the option or variable to fix, never the password, and not just "URI malformed".
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricTotals, consoleLog } from '../../lambdas/adapters/console-log';
import { readIngestConfig } from '../../lambdas/ingest/config';
import { sourceConnection } from '../../lambdas/ingest/handler';
import { ingestSource } from '../../local/ingest-source';

const password = 'pa%zzword';
// Port 1: nothing listens, so a run that got as far as connecting would fail differently.
const sourceUrl = `postgres://totes:${password}@127.0.0.1:1/totesys`;

describe('a raw % in the source password', () => {
  it('npm start --source-url: a usage error naming --source-url, not the password', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'source-url-'));
    const run = ingestSource({ sourceUrl, stateDir, log: consoleLog(false, () => {}), metrics: new MetricTotals() });
    const error = await run.then(
      () => undefined,
      (caught: Error & { kind?: string }) => caught,
    );
    expect(error?.message).toBe('--source-url: the password is not valid percent-encoding (write a % in it as %25)');
    expect(error?.kind).toBe('usage');
  });

  it('Ingest Lambda: a configuration error naming SOURCE_DATABASE_URL, not the password', async () => {
    const config = readIngestConfig({ INGESTION_BUCKET: 'i', PROCESSED_BUCKET: 'p', SOURCE_DATABASE_URL: sourceUrl });
    const error = await sourceConnection({ config } as Parameters<typeof sourceConnection>[0]).then(
      () => undefined,
      (caught: Error & { kind?: string }) => caught,
    );
    expect(error?.message).toBe(
      'Ingest Lambda misconfigured: SOURCE_DATABASE_URL: the password is not valid percent-encoding (write a % in it as %25)',
    );
    expect(error?.message).not.toContain(password);
    expect(error?.kind).toBe('configuration');
  });
});
