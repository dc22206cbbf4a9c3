/**
 * What the Lambda handlers print through Powertools (JSON log lines and EMF metric
 * documents on stdout and stderr), captured and parsed: what CloudWatch would receive.
 */
import { vi } from 'vitest';

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [attribute: string]: unknown;
}

export interface MetricValue {
  readonly name: string;
  readonly value: number;
  /** The `table` dimension, when the document has one. */
  readonly table?: string;
}

interface EmfDocument {
  readonly _aws: { readonly CloudWatchMetrics: readonly { readonly Metrics: readonly { readonly Name: string }[] }[] };
  readonly [key: string]: unknown;
}

export class PowertoolsOutput {
  private chunks: string[] = [];

  /** Starts capturing (and silencing) stdout and stderr; vi.restoreAllMocks() ends it. */
  capture(): void {
    this.chunks = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
    }
  }

  /** Everything printed, as one string (to search for what must never appear). */
  text(): string {
    return this.chunks.join('');
  }

  private documents(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  logs(): LogLine[] {
    return this.documents().filter((doc): doc is LogLine & Record<string, unknown> => typeof doc.message === 'string' && !('_aws' in doc));
  }

  errors(): LogLine[] {
    return this.logs().filter((log) => log.level === 'ERROR');
  }

  metrics(): MetricValue[] {
    return this.documents()
      .filter((doc): doc is EmfDocument & Record<string, unknown> => '_aws' in doc)
      .flatMap((doc) =>
        doc._aws.CloudWatchMetrics[0]!.Metrics.flatMap(({ Name }) => {
          const raw = doc[Name] as number | number[];
          const table = typeof doc.table === 'string' ? doc.table : undefined;
          return (Array.isArray(raw) ? raw : [raw]).map((value) => ({ name: Name, value, ...(table ? { table } : {}) }));
        }),
      );
  }

  /** Sum of a metric's dimensionless values (what the alarms watch). */
  total(name: string): number {
    return this.metrics()
      .filter((metric) => metric.name === name && metric.table === undefined)
      .reduce((sum, metric) => sum + metric.value, 0);
  }
}
