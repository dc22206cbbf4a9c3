/** Log and Metrics ports that remember what they were told, for assertions. */
import type { Log, LogAttributes, Metrics, MetricUnit } from '../../lambdas/core/ports';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes?: LogAttributes;
}

export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];
  debug(message: string, attributes?: LogAttributes) {
    this.entries.push({ level: 'debug', message, attributes });
  }
  info(message: string, attributes?: LogAttributes) {
    this.entries.push({ level: 'info', message, attributes });
  }
  warn(message: string, attributes?: LogAttributes) {
    this.entries.push({ level: 'warn', message, attributes });
  }
  error(message: string, attributes?: LogAttributes) {
    this.entries.push({ level: 'error', message, attributes });
  }
  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((entry) => entry.level === level);
  }
}

export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
  readonly dimensions?: Record<string, string>;
}

export class RecordingMetrics implements Metrics {
  readonly points: MetricPoint[] = [];
  record(name: string, value: number, unit: MetricUnit, dimensions?: Record<string, string>) {
    this.points.push({ name, value, unit, dimensions });
  }
  /** Sum of a metric's values, optionally only with the given `table` dimension. */
  total(name: string, table?: string): number {
    return this.points
      .filter((p) => p.name === name && (table === undefined || p.dimensions?.table === table))
      .reduce((sum, p) => sum + p.value, 0);
  }
}
