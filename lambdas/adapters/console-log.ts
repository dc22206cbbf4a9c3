/**
 * The core's Log and Metrics ports for local mode: warnings and errors go to stderr
 * (info and debug only with --verbose), and metrics are summed so the run summary can
 * report them.
 */
import type { Log, LogAttributes, Metrics } from '../core/ports';

export function consoleLog(verbose: boolean, write: (line: string) => void = (line) => process.stderr.write(line)): Log {
  const emit = (level: string) => (message: string, attributes?: LogAttributes) =>
    write(`${level} ${message}${attributes ? ` ${JSON.stringify(attributes, bigintSafe)}` : ''}\n`);
  const quiet = () => {};
  return {
    debug: verbose ? emit('debug') : quiet,
    info: verbose ? emit('info ') : quiet,
    warn: emit('warn '),
    error: emit('error'),
  };
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Sums every metric point by name, whatever its dimensions. */
export class MetricTotals implements Metrics {
  private readonly totals = new Map<string, number>();

  record(name: string, value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }

  total(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}
