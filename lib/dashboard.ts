/**
 * One CloudWatch dashboard for the pipeline: rows in, out and rejected per source table,
 * batches and rows loaded, load lag, errors and freshness; the alarms' states at the bottom.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { LoadMetric, TransformMetric } from '../lambdas/core/metric-names';
import { SOURCE_TABLE_NAMES } from '../lambdas/core/schema/source-tables';
import { WAREHOUSE_TABLE_NAMES } from '../lambdas/core/schema/warehouse-tables';
import { PLACEHOLDER_DIMENSIONS } from '../lambdas/core/warehouse/status';
import type { LoadStage } from './load-stage';
import { FIVE_MINUTES, perTableMetrics, pipelineMetric } from './pipeline-metrics';
import type { TransformStage } from './transform-stage';

export interface PipelineDashboardProps {
  readonly dashboardName: string;
  readonly transform: TransformStage;
  readonly load: LoadStage;
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** The freshness alarm's threshold, drawn on the freshness graph. */
  readonly freshnessMinutes: number;
}

const HEIGHT = 6;

export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const transform = props.transform.lambda.function;
    const load = props.load.lambda.function;
    const pipeline = Stack.of(this).stackName;
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: HEIGHT, ...extra });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# totesys ELT pipeline\nIngestion JSON Lines → **transform** → processed Parquet → **load** (scheduled) → warehouse. ' +
          'Per-table series are five-minute sums; what each alarm means is in docs/DEPLOY.md.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Transform: rows in per source table', perTableMetrics(pipeline, TransformMetric.RowsIn, SOURCE_TABLE_NAMES)),
      graph('Transform: rows out per warehouse table', perTableMetrics(pipeline, TransformMetric.RowsOut, WAREHOUSE_TABLE_NAMES)),
      graph('Transform: rows rejected per source table', perTableMetrics(pipeline, TransformMetric.RowsRejected, SOURCE_TABLE_NAMES)),
    );
    this.dashboard.addWidgets(
      graph('Load: rows loaded per warehouse table', perTableMetrics(pipeline, LoadMetric.RowsLoaded, WAREHOUSE_TABLE_NAMES)),
      graph('Load: batches', [
        pipelineMetric(pipeline, LoadMetric.BatchesLoaded, { label: 'batches loaded' }),
        pipelineMetric(pipeline, LoadMetric.BatchesFailed, { label: 'batches failed' }),
        pipelineMetric(pipeline, LoadMetric.LoadSucceeded, { label: 'successful load runs' }),
        pipelineMetric(pipeline, LoadMetric.WarehouseNotConfigured, { label: 'runs waiting for the warehouse secret' }),
      ]),
      graph(
        'Lag: batches waiting for the loader',
        [
          pipelineMetric(pipeline, LoadMetric.OldestPendingBatchAge, {
            statistic: cloudwatch.Stats.MAXIMUM,
            label: 'oldest pending batch age',
          }),
        ],
        {
          right: [pipelineMetric(pipeline, LoadMetric.PendingBatches, { statistic: cloudwatch.Stats.MAXIMUM, label: 'pending batches' })],
        },
      ),
    );
    this.dashboard.addWidgets(
      graph('Errors: Lambda', [
        transform.metricErrors({ period: FIVE_MINUTES, label: 'transform errors' }),
        load.metricErrors({ period: FIVE_MINUTES, label: 'load errors' }),
        transform.metricThrottles({ period: FIVE_MINUTES, label: 'transform throttles (queued, expected in bursts)' }),
        transform.metric('AsyncEventsDropped', {
          period: FIVE_MINUTES,
          statistic: cloudwatch.Stats.SUM,
          label: 'transform events dropped',
        }),
        load.metric('AsyncEventsDropped', { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: 'load events dropped' }),
      ]),
      graph('Errors: pipeline', [
        pipelineMetric(pipeline, TransformMetric.ObjectsFailed, { label: 'objects failed' }),
        pipelineMetric(pipeline, LoadMetric.BatchesFailed, { label: 'batches failed' }),
        pipelineMetric(pipeline, TransformMetric.SequenceGaps, { label: 'sequence gaps' }),
        pipelineMetric(pipeline, TransformMetric.RowsRejected, { label: 'rows rejected' }),
      ]),
      graph('Dead-letter queues', [
        props.transform.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: 'transform' }),
        props.load.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: 'load' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Objects transformed', [
        pipelineMetric(pipeline, TransformMetric.ObjectsProcessed, { label: 'processed' }),
        pipelineMetric(pipeline, TransformMetric.ObjectsSkipped, { label: 'skipped (already processed)' }),
      ]),
      graph('Durations', [
        pipelineMetric(pipeline, TransformMetric.Duration, { statistic: cloudwatch.Stats.MAXIMUM, label: 'transform (max)' }),
        pipelineMetric(pipeline, LoadMetric.Duration, { statistic: cloudwatch.Stats.MAXIMUM, label: 'load (max)' }),
      ]),
      graph('Facts waiting for a dimension row', placeholderMetrics(pipeline)),
    );
    this.dashboard.addWidgets(
      graph(
        'Freshness: seconds from the ingest read to the warehouse commit (max)',
        [
          pipelineMetric(pipeline, LoadMetric.FreshnessLag, { statistic: cloudwatch.Stats.MAXIMUM, label: 'all tables' }),
          ...SOURCE_TABLE_NAMES.map((table) =>
            pipelineMetric(pipeline, LoadMetric.FreshnessLag, { table, statistic: cloudwatch.Stats.MAXIMUM }),
          ),
        ],
        {
          width: 24,
          leftAnnotations: [{ value: props.freshnessMinutes * 60, label: `goal (${props.freshnessMinutes} min): the freshness alarm` }],
        },
      ),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }));
  }
}

/**
 * Placeholder rows outstanding: each run reports the count per dimension (a gauge, so the
 * latest value in a period is its Maximum), and the line labelled as the total is their
 * sum. (The pipeline-wide PlaceholdersOutstanding series receives one data point per
 * dimension per run, so neither its Maximum nor its Sum is the total.)
 */
function placeholderMetrics(pipeline: string): cloudwatch.IMetric[] {
  const perDimension = Object.fromEntries(
    PLACEHOLDER_DIMENSIONS.map((table, index) => [
      `d${index}`,
      pipelineMetric(pipeline, LoadMetric.PlaceholdersOutstanding, { table, statistic: cloudwatch.Stats.MAXIMUM }),
    ]),
  );
  return [
    new cloudwatch.MathExpression({
      expression: `SUM([${Object.keys(perDimension).join(', ')}])`,
      usingMetrics: perDimension,
      label: 'placeholder dimension rows (all dimensions)',
      period: FIVE_MINUTES,
    }),
    ...Object.values(perDimension),
  ];
}
