/**
 * CloudWatch metrics the Lambdas emit (names from lambdas/core/metric-names.ts, so a rename
 * cannot orphan an alarm). Every metric carries the `pipeline` dimension, the stack's
 * name: two stacks in one account never see each other's data. Per-table metrics also
 * carry `table`; each is emitted once more with `pipeline` alone, which the alarms watch.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, PIPELINE_DIMENSION, TABLE_DIMENSION } from '../lambdas/core/metric-names';

export const FIVE_MINUTES = Duration.minutes(5);

export interface PipelineMetricOptions {
  /** A table name for the per-table series; omitted for the pipeline-wide one. */
  readonly table?: string;
  readonly statistic?: string;
  readonly period?: Duration;
  readonly label?: string;
}

/** A metric of the pipeline named `pipeline` (the stack name). */
export function pipelineMetric(pipeline: string, metricName: string, options: PipelineMetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: {
      [PIPELINE_DIMENSION]: pipeline,
      ...(options.table === undefined ? {} : { [TABLE_DIMENSION]: options.table }),
    },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period ?? FIVE_MINUTES,
    label: options.label ?? options.table,
  });
}

export function perTableMetrics(pipeline: string, metricName: string, tables: readonly string[]): cloudwatch.Metric[] {
  return tables.map((table) => pipelineMetric(pipeline, metricName, { table }));
}
