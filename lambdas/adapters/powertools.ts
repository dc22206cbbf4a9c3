/**
 * Powertools Logger and Metrics behind the core's Log and Metrics ports. Per-table
 * metrics are emitted twice: with the `table` dimension (dashboards) and without
 * dimensions (alarms on the pipeline as a whole).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Log, LogAttributes, Metrics, MetricUnit as CoreMetricUnit } from '../core/ports';
import { METRICS_NAMESPACE } from '../core/metric-names';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(serviceName: string): PowertoolsMetrics {
  const metrics = new PowertoolsMetrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName,
  });
  // No `service` dimension: alarms watch the bare metric names. Powertools always adds
  // one from the service name, so it has to be cleared after construction.
  metrics.clearDefaultDimensions();
  return metrics;
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

export function metricsPort(metrics: PowertoolsMetrics): Metrics {
  return {
    record(name, value, unit, dimensions) {
      if (dimensions && Object.keys(dimensions).length > 0) {
        const single = metrics.singleMetric();
        single.clearDefaultDimensions(); // singleMetric() re-adds `service`
        for (const [key, dimensionValue] of Object.entries(dimensions)) single.addDimension(key, dimensionValue);
        single.addMetric(name, UNITS[unit], value);
      }
      metrics.addMetric(name, UNITS[unit], value);
    },
  };
}
