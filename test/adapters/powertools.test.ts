/**
 * The Powertools adapters print structured logs and EMF metrics the way CloudWatch reads
 * them. The EMF documents are pinned exactly, and each alarm on a custom metric is checked
 * to select a series these documents create (namespace, metric name, dimension set and
 * values), since CloudWatch only shows that in a real account.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, createMetrics, logPort, metricsPort } from '../../lambdas/adapters/powertools';
import { LoadMetric, TransformMetric } from '../../lambdas/core/metric-names';
import { synthPipeline } from '../stack/synth';
import { emfProblems } from './support/emf-spec';

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

type EmfDocument = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[];
  };
};
const documents = () =>
  printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const emf = (): EmfDocument[] => documents().filter((d) => d._aws);

/** The EMF document of one metric as the adapter prints it, with this dimension set and values. */
const pinned = (name: string, value: number, unit: string, dimensions: Record<string, string>) => ({
  _aws: {
    Timestamp: expect.any(Number),
    CloudWatchMetrics: [{ Namespace: 'TotesysElt', Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }],
  },
  ...dimensions,
  [name]: value,
});

describe('metricsPort', () => {
  it('emits a per-table metric with pipeline and table, and once more with pipeline alone; nothing else', () => {
    const metrics = createMetrics('test-service', 'TotesysElt');
    metricsPort(metrics).record('RowsIn', 42, 'Count', { table: 'sales_order' });
    metrics.publishStoredMetrics();
    expect(emf()).toEqual([
      pinned('RowsIn', 42, 'Count', { pipeline: 'TotesysElt', table: 'sales_order' }),
      pinned('RowsIn', 42, 'Count', { pipeline: 'TotesysElt' }),
    ]);
    for (const document of emf()) expect(emfProblems(document)).toEqual([]);
  });

  it('takes the pipeline from PIPELINE_NAME, which the stack sets to its name', () => {
    vi.stubEnv('PIPELINE_NAME', 'TotesysEltProd');
    try {
      const metrics = createMetrics('test-service');
      metricsPort(metrics).record('BatchesLoaded', 3, 'Count');
      metrics.publishStoredMetrics();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(emf()).toEqual([pinned('BatchesLoaded', 3, 'Count', { pipeline: 'TotesysEltProd' })]);
  });
});

describe('the EMF each alarm on a custom metric comes from', () => {
  /** Each custom metric an alarm watches, recorded the way the code records it. */
  const EMITTERS: Record<string, (port: ReturnType<typeof metricsPort>, metrics: ReturnType<typeof createMetrics>) => void> = {
    // core/load/loader.ts report()
    [LoadMetric.BatchesFailed]: (port) => port.record(LoadMetric.BatchesFailed, 1, 'Count'),
    [LoadMetric.OldestUnattemptedBatchAge]: (port) => port.record(LoadMetric.OldestUnattemptedBatchAge, 5400, 'Seconds'),
    // core/load/loader.ts, per committed batch, by source table
    [LoadMetric.FreshnessLag]: (port) => port.record(LoadMetric.FreshnessLag, 612.25, 'Seconds', { table: 'sales_order' }),
    // core/transform: per source table, and gaps for the object
    [TransformMetric.RowsRejected]: (port) => port.record(TransformMetric.RowsRejected, 2, 'Count', { table: 'sales_order' }),
    [TransformMetric.SequenceGaps]: (port) => port.record(TransformMetric.SequenceGaps, 1, 'Count'),
  };
  const EXPECTED: Record<string, unknown[]> = {
    [LoadMetric.BatchesFailed]: [pinned('BatchesFailed', 1, 'Count', { pipeline: 'TotesysEltDev' })],
    [LoadMetric.OldestUnattemptedBatchAge]: [pinned('OldestUnattemptedBatchAge', 5400, 'Seconds', { pipeline: 'TotesysEltDev' })],
    [LoadMetric.FreshnessLag]: [
      pinned('FreshnessLag', 612.25, 'Seconds', { pipeline: 'TotesysEltDev', table: 'sales_order' }),
      pinned('FreshnessLag', 612.25, 'Seconds', { pipeline: 'TotesysEltDev' }),
    ],
    [TransformMetric.RowsRejected]: [
      pinned('RowsRejected', 2, 'Count', { pipeline: 'TotesysEltDev', table: 'sales_order' }),
      pinned('RowsRejected', 2, 'Count', { pipeline: 'TotesysEltDev' }),
    ],
    [TransformMetric.SequenceGaps]: [pinned('SequenceGaps', 1, 'Count', { pipeline: 'TotesysEltDev' })],
  };

  const synthesized = synthPipeline({ stackName: 'TotesysEltDev' });
  type Stat = { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
  const watched: { alarm: string; metric: Stat }[] = [];
  for (const resource of Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm'))) {
    const alarm = resource.Properties as Stat & { AlarmName: string; Metrics?: { MetricStat?: { Metric: Stat } }[] };
    const metrics = alarm.Metrics ? alarm.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])) : [alarm];
    for (const metric of metrics) if (metric.Namespace === 'TotesysElt') watched.push({ alarm: alarm.AlarmName, metric });
  }

  it('covers every custom metric an alarm watches', () => {
    expect(new Set(watched.map((w) => w.metric.MetricName))).toEqual(new Set(Object.keys(EMITTERS)));
  });

  it.each(watched.map((w) => [w.alarm, w.metric.MetricName, w.metric] as const))('%s: %s', (_alarm, name, metric) => {
    const metrics = createMetrics('totesys-test', 'TotesysEltDev');
    EMITTERS[name]!(metricsPort(metrics), metrics);
    metrics.publishStoredMetrics();
    const printedEmf = emf();
    expect(printedEmf).toEqual(EXPECTED[name]);
    for (const document of printedEmf) expect(emfProblems(document)).toEqual([]);
    // CloudWatch extracts one series per dimension set; the alarm must name one exactly.
    const wanted = Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const series = printedEmf.flatMap((document) =>
      document._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Dimensions.map((set) => ({
          namespace: directive.Namespace,
          names: directive.Metrics.map((m) => m.Name),
          dimensions: Object.fromEntries(set.map((key) => [key, document[key]])),
        })),
      ),
    );
    expect(series).toContainEqual({ namespace: metric.Namespace, names: [name], dimensions: wanted });
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

describe('the EMF specification check', () => {
  it('finds what would stop CloudWatch extracting a metric', () => {
    expect(
      emfProblems({
        _aws: {
          Timestamp: 'now',
          CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['pipeline']], Metrics: [{ Name: 'M', Unit: 'Rows' }] }],
        },
        M: 'one',
      }),
    ).toEqual([
      '_aws.Timestamp is not milliseconds since the epoch',
      'dimension pipeline has no non-empty string value at the root',
      'M: unit Rows is not a CloudWatch unit',
      'M: the root member is not a number or an array of 1-100 numbers',
    ]);
  });
});
