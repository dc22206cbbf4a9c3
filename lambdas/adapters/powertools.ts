/**
 * Powertools Logger and Metrics behind the core's Log and Metrics ports. Every metric
 * carries the `pipeline` dimension (the stack's name, from PIPELINE_NAME). Per-table
 * metrics are emitted twice: with `pipeline` and `table` (dashboards) and with `pipeline`
 * alone (alarms on the pipeline as a whole). test/adapters/emf-alarms.test.ts pins the
 * EMF each alarm's metric comes from.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Log, LogAttributes, Metrics, MetricUnit as CoreMetricUnit } from '../core/ports';
import { errorKind } from '../core/errors';
import {
  ERROR_KIND_DIMENSION,
  InvocationMetric,
  METRICS_NAMESPACE,
  PIPELINE_DIMENSION,
  PIPELINE_NAME_VARIABLE,
  UNNAMED_PIPELINE,
} from '../core/metric-names';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/** Powertools Metrics whose every data point carries `pipeline` (and never `service`). */
export class PipelineMetrics extends PowertoolsMetrics {
  constructor(
    serviceName: string,
    readonly pipeline: string,
  ) {
    super({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName });
    withPipelineOnly(this, pipeline);
  }
}

/** No `service` dimension (Powertools adds one on construction), only `pipeline`. */
function withPipelineOnly(metrics: PowertoolsMetrics, pipeline: string): PowertoolsMetrics {
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [PIPELINE_DIMENSION]: pipeline });
  return metrics;
}

export function createMetrics(
  serviceName: string,
  pipeline: string = process.env[PIPELINE_NAME_VARIABLE]?.trim() || UNNAMED_PIPELINE,
): PipelineMetrics {
  return new PipelineMetrics(serviceName, pipeline);
}

export function logPort(logger: Logger): Log {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, attributes?: LogAttributes) =>
    attributes ? logger[level](message, attributes) : logger[level](message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const UNITS: Record<CoreMetricUnit, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Milliseconds: MetricUnit.Milliseconds,
  Seconds: MetricUnit.Seconds,
  Bytes: MetricUnit.Bytes,
};

export function metricsPort(metrics: PipelineMetrics): Metrics {
  return {
    record(name, value, unit, dimensions) {
      if (dimensions && Object.keys(dimensions).length > 0) {
        // singleMetric() re-adds `service`.
        const single = withPipelineOnly(metrics.singleMetric(), metrics.pipeline);
        for (const [key, dimensionValue] of Object.entries(dimensions)) single.addDimension(key, dimensionValue);
        single.addMetric(name, UNITS[unit], value);
      }
      metrics.addMetric(name, UNITS[unit], value);
    },
  };
}

/**
 * The one place a handler's failure becomes a metric: `InvocationsFailed` with the error's
 * kind (configuration, unavailable, bad-input, …), so a dashboard tells a wrong setting from
 * a database that is down without reading logs. Returns the kind, for the log line.
 */
export function recordFailure(metrics: PipelineMetrics, error: unknown): string {
  const kind = errorKind(error);
  metricsPort(metrics).record(InvocationMetric.Failed, 1, 'Count', { [ERROR_KIND_DIMENSION]: kind });
  return kind;
}
