import { describe, expect, it } from 'vitest';
import { LoadMetric, METRICS_NAMESPACE, TransformMetric } from '../../lambdas/core/metric-names';
import { SOURCE_TABLE_NAMES } from '../../lambdas/core/schema/source-tables';
import { WAREHOUSE_TABLE_NAMES } from '../../lambdas/core/schema/warehouse-tables';
import { PLACEHOLDER_DIMENSIONS } from '../../lambdas/core/warehouse/status';
import { type Synthesized, synthPipeline } from './synth';

interface AlarmJson {
  AlarmName: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic?: string;
  Period?: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  Metrics?: {
    Id: string;
    Expression?: string;
    Period?: number;
    ReturnData?: boolean;
    MetricStat?: {
      Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
      Period: number;
      Stat: string;
    };
  }[];
}

const PIPELINE = [{ Name: 'pipeline', Value: 'TotesysElt' }];

function alarmsOf(synthesized: Synthesized): Record<string, AlarmJson> {
  const alarms = Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm')).map(
    (resource) => resource.Properties as AlarmJson,
  );
  return Object.fromEntries(alarms.map((alarm) => [alarm.AlarmName, alarm]));
}

describe('alerting', () => {
  it('subscribes each alert email to one KMS-encrypted, TLS-only topic', () => {
    const synthesized = synthPipeline({ alertEmails: 'ops@example.com,data@example.org' });
    const { template, stack } = synthesized;
    const topic = { Ref: synthesized.logicalId(stack.alerts.topic) };
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of ['ops@example.com', 'data@example.org']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: topic });
    }
    const topicProperties = template.toJSON().Resources[synthesized.logicalId(stack.alerts.topic)].Properties;
    expect(topicProperties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AlertsKey/), 'Arn'] });
    const topicPolicy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0]!.Properties.PolicyDocument;
    expect(topicPolicy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(topicPolicy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
    );
    // CloudWatch must be able to use the topic's key, or notifications are silently dropped.
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0]!.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('wires every alarm to the topic, both when it fires and when it recovers', () => {
    const synthesized = synthPipeline({ alertEmails: 'ops@example.com' });
    const topic = { Ref: synthesized.logicalId(synthesized.stack.alerts.topic) };
    const alarms = alarmsOf(synthesized);
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'freshness',
        'load-batch-failures',
        'load-dead-letters',
        'load-dropped-events',
        'load-failures',
        'rejected-rows',
        'sequence-gaps',
        'transform-dead-letters',
        'transform-dropped-events',
        'transform-failures',
        'warehouse-stale',
      ].map((name) => `TotesysElt-${name}`),
    );
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([topic]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([topic]);
    }
  });

  it('alarms on transform failures in several consecutive five-minute periods', () => {
    const synthesized = synthPipeline();
    const alarm = alarmsOf(synthesized)['TotesysElt-transform-failures']!;
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: synthesized.logicalId(synthesized.stack.transform.lambda.function) } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on load failures over several schedule intervals', () => {
    const defaults = synthPipeline();
    expect(alarmsOf(defaults)['TotesysElt-load-failures']).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: defaults.logicalId(defaults.stack.load.lambda.function) } }],
      Period: 300, // the default load schedule: every 5 minutes
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
    });
    const hourlyFivePeriods = alarmsOf(synthPipeline({ loadSchedule: 'rate(1 hour)', stalenessMinutes: '180', failureAlarmPeriods: '5' }));
    expect(hourlyFivePeriods['TotesysElt-load-failures']).toMatchObject({ Period: 3600, EvaluationPeriods: 5, DatapointsToAlarm: 5 });
    // Three twelve-hour periods would exceed CloudWatch's one-day evaluation window.
    const twiceDaily = alarmsOf(synthPipeline({ loadSchedule: 'rate(12 hours)', stalenessMinutes: '1440' }));
    expect(twiceDaily['TotesysElt-load-failures']).toMatchObject({ Period: 480 * 60, EvaluationPeriods: 3 });
    const cron = alarmsOf(synthPipeline({ loadSchedule: 'cron(0 * ? * MON-FRI *)' }));
    expect(cron['TotesysElt-load-failures']).toMatchObject({ Period: 3600 });
  });

  it('alarms on batches that keep failing to load, which do not fail the Lambda', () => {
    const alarm = alarmsOf(synthPipeline())['TotesysElt-load-batch-failures'];
    expect(alarm).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: LoadMetric.BatchesFailed,
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm!.Dimensions).toEqual(PIPELINE);
  });

  it('alarms on any message in either dead-letter queue', () => {
    const synthesized = synthPipeline();
    const alarms = alarmsOf(synthesized);
    for (const [name, queue] of [
      ['TotesysElt-transform-dead-letters', synthesized.stack.transform.deadLetterQueue],
      ['TotesysElt-load-dead-letters', synthesized.stack.load.deadLetterQueue],
    ] as const) {
      expect(alarms[name]).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [synthesized.logicalId(queue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('alarms on asynchronous events Lambda dropped for either function', () => {
    const synthesized = synthPipeline();
    const alarms = alarmsOf(synthesized);
    for (const [name, lambda] of [
      ['TotesysElt-transform-dropped-events', synthesized.stack.transform.lambda.function],
      ['TotesysElt-load-dropped-events', synthesized.stack.load.lambda.function],
    ] as const) {
      expect(alarms[name]).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'AsyncEventsDropped',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: synthesized.logicalId(lambda) } }],
        Statistic: 'Sum',
        Threshold: 1,
      });
    }
  });

  it('alarms on sequence gaps and rejected rows from the pipeline-wide metrics of this stack', () => {
    const alarms = alarmsOf(synthPipeline({ rejectedRowsThreshold: '25' }));
    expect(alarms['TotesysElt-sequence-gaps']).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: TransformMetric.SequenceGaps,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarms['TotesysElt-sequence-gaps']!.Dimensions).toEqual(PIPELINE);
    expect(alarms['TotesysElt-rejected-rows']).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: TransformMetric.RowsRejected,
      Statistic: 'Sum',
      Threshold: 25,
    });
    expect(alarms['TotesysElt-rejected-rows']!.Dimensions).toEqual(PIPELINE);
  });

  it('alarms when the oldest batch not yet attempted waited stalenessMinutes; missing data (no run yet, warehouse not configured) is not stale', () => {
    const stale = alarmsOf(synthPipeline())['TotesysElt-warehouse-stale']!;
    expect(stale).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: LoadMetric.OldestUnattemptedBatchAge,
      Dimensions: PIPELINE,
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    // Not LoadSucceeded: a run with one failing batch reports 0 there while the rest loads.
    expect(JSON.stringify(stale)).not.toContain(LoadMetric.LoadSucceeded);
    expect(alarmsOf(synthPipeline({ stalenessMinutes: '120' }))['TotesysElt-warehouse-stale']!.Threshold).toBe(7200);
  });

  it('alarms when a batch reached the warehouse freshnessMinutes (default 15) after the ingest run that read it; no data is not late', () => {
    const freshness = alarmsOf(synthPipeline())['TotesysElt-freshness']!;
    expect(freshness).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: LoadMetric.FreshnessLag,
      Dimensions: PIPELINE,
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 900,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarmsOf(synthPipeline({ freshnessMinutes: '30' }))['TotesysElt-freshness']!.Threshold).toBe(1800);
    // With the ingest stage too, and drawn on the dashboard at the same line.
    const withIngest = synthPipeline({ sourceDbSecret: 'totesys/source', freshnessMinutes: '20' });
    expect(alarmsOf(withIngest)['TotesysElt-freshness']!.Threshold).toBe(1200);
    const body = JSON.stringify(
      Object.values(withIngest.template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody,
    );
    expect(body).toContain(LoadMetric.FreshnessLag);
    expect(body).toContain('goal (20 min)');
    expect(body).toMatch(/value[\\"]+:1200,/);
  });

  it('selects each custom metric by the pipeline dimension, so two stacks in one account never share alarm data', () => {
    const dev = alarmsOf(synthPipeline({ stackName: 'TotesysEltDev' }));
    for (const name of ['load-batch-failures', 'sequence-gaps', 'rejected-rows', 'warehouse-stale', 'freshness']) {
      expect(dev[`TotesysEltDev-${name}`]!.Dimensions).toEqual([{ Name: 'pipeline', Value: 'TotesysEltDev' }]);
    }
  });

  it('names alarms after the stack so two deployments in one account do not collide', () => {
    const alarms = Object.keys(alarmsOf(synthPipeline({ stackName: 'TotesysEltStaging' })));
    const defaults = Object.keys(alarmsOf(synthPipeline()));
    // The same alarms as the default stack's, each under the new name (and not none at all).
    expect(defaults.length).toBeGreaterThan(0);
    expect(alarms.sort()).toEqual(defaults.map((name) => name.replace(/^TotesysElt-/, 'TotesysEltStaging-')).sort());
  });

  it('has a dashboard of rows in, out and rejected per table, batches, lag and errors', () => {
    const synthesized = synthPipeline();
    const dashboards = Object.values(synthesized.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe('TotesysElt-pipeline');
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    const perTable = (metric: string, table: string) =>
      `[\\"${METRICS_NAMESPACE}\\",\\"${metric}\\",\\"pipeline\\",\\"TotesysElt\\",\\"table\\",\\"${table}\\"`;
    // Rows in and rejected carry the source table; rows out and loaded the warehouse table.
    for (const table of SOURCE_TABLE_NAMES) {
      for (const metric of [TransformMetric.RowsIn, TransformMetric.RowsRejected]) {
        expect(body).toContain(perTable(metric, table));
      }
    }
    for (const table of WAREHOUSE_TABLE_NAMES) {
      for (const metric of [TransformMetric.RowsOut, LoadMetric.RowsLoaded]) {
        expect(body).toContain(perTable(metric, table));
      }
    }
    for (const metric of [LoadMetric.BatchesLoaded, LoadMetric.OldestPendingBatchAge, LoadMetric.PendingBatches]) {
      expect(body).toContain(`[\\"${METRICS_NAMESPACE}\\",\\"${metric}\\",\\"pipeline\\",\\"TotesysElt\\",{`);
    }
    expect(body).toContain('\\"AWS/Lambda\\",\\"Errors\\"');
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain('\\"type\\":\\"alarm\\"');
  });

  it('shows, under the placeholder label, the total of placeholder rows across dimensions, and each dimension', () => {
    const synthesized = synthPipeline();
    const [dashboard] = Object.values(synthesized.template.findResources('AWS::CloudWatch::Dashboard'));
    const parts = dashboard!.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    const widget = body.widgets.find((w) => w.properties.title === 'Facts waiting for a dimension row')!;
    const [total, ...perDimension] = widget.properties.metrics!;
    const ids = perDimension.map((metric) => (metric.at(-1) as { id: string }).id);
    expect(total).toEqual([{ expression: `SUM([${ids.join(', ')}])`, label: 'placeholder dimension rows (all dimensions)' }]);
    expect(perDimension.map((metric) => metric.slice(0, 6))).toEqual(
      PLACEHOLDER_DIMENSIONS.map((table) => [
        METRICS_NAMESPACE,
        LoadMetric.PlaceholdersOutstanding,
        'pipeline',
        'TotesysElt',
        'table',
        table,
      ]),
    );
    for (const metric of perDimension) expect(metric.at(-1)).toMatchObject({ stat: 'Maximum' });
  });
});
