/**
 * CloudWatch metrics the Lambdas emit (names from lambdas/core/metric-names.ts, so a rename
 * cannot orphan an alarm). Per-table metrics carry the `table` dimension; each is also
 * emitted once without dimensions, which is what the alarms watch.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, TABLE_DIMENSION } from '../lambdas/core/metric-names';

export const FIVE_MINUTES = Duration.minutes(5);

export interface PipelineMetricOptions {
  /** A table name for the per-table series; omitted for the dimensionless aggregate. */
  readonly table?: string;
  readonly statistic?: string;
  readonly period?: Duration;
  readonly label?: string;
}

export function pipelineMetric(metricName: string, options: PipelineMetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: options.table === undefined ? undefined : { [TABLE_DIMENSION]: options.table },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: options.period ?? FIVE_MINUTES,
    label: options.label ?? options.table,
  });
}

export function perTableMetrics(metricName: string, tables: readonly string[]): cloudwatch.Metric[] {
  return tables.map((table) => pipelineMetric(metricName, { table }));
}
