/** The Powertools adapters print structured logs and EMF metrics the way CloudWatch reads them. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, createMetrics, logPort, metricsPort } from '../../lambdas/adapters/powertools';

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());

const documents = () => printed.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((l) => JSON.parse(l));

describe('metricsPort', () => {
  it('emits a per-table metric both with the table dimension and without dimensions', () => {
    const metrics = createMetrics('test-service');
    metricsPort(metrics).record('RowsIn', 42, 'Count', { table: 'sales_order' });
    metrics.publishStoredMetrics();
    const emf = documents().filter((d) => d._aws);
    expect(emf).toHaveLength(2);
    const withTable = emf.find((d) => d.table === 'sales_order');
    expect(withTable).toMatchObject({ RowsIn: 42, _aws: { CloudWatchMetrics: [{ Namespace: 'TotesysElt', Dimensions: [['table']] }] } });
    const bare = emf.find((d) => d.table === undefined);
    expect(bare).toMatchObject({ RowsIn: 42 });
    expect(bare._aws.CloudWatchMetrics[0].Dimensions.flat()).toEqual([]);
    expect(bare._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'RowsIn', Unit: 'Count' }]);
  });
});

describe('logPort', () => {
  it('writes JSON log lines with the attributes', () => {
    const log = logPort(createLogger('test-service'));
    log.info('transform started', { sourceKey: 'a/b', rows: 3 });
    log.warn('gap');
    expect(documents()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'transform started', service: 'test-service', sourceKey: 'a/b', rows: 3 }),
      expect.objectContaining({ level: 'WARN', message: 'gap' }),
    ]);
  });
});
