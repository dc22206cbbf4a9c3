/**
 * The pipeline's alarms. Each one emails the administrators (see AlertTopic); DEPLOY.md
 * explains what each means and what to do. Metric names come from metric-names.ts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LoadMetric, TransformMetric } from '../lambdas/core/metric-names';
import type { AlertTopic } from './alert-topic';
import type { PipelineConfig } from './config/pipeline-config';
import type { ParsedSchedule } from './config/validators';
import type { LoadStage } from './load-stage';
import { FIVE_MINUTES, pipelineMetric } from './pipeline-metrics';
import type { TransformStage } from './transform-stage';

/** CloudWatch caps an alarm's evaluation window (periods × period) at one day. */
const MAX_EVALUATION_MINUTES = 24 * 60;
/** Used for cron schedules, whose interval the stack cannot know. */
const CRON_LOAD_PERIOD_MINUTES = 60;
const SEE = 'See "Alarms" in docs/DEPLOY.md.';

/**
 * One evaluation period of the load-failure alarm: the schedule interval, so "several
 * periods" means several scheduled runs, within CloudWatch's one-day window.
 */
function loadFailurePeriod(schedule: ParsedSchedule, periods: number): Duration {
  const interval = schedule.intervalMinutes ?? CRON_LOAD_PERIOD_MINUTES;
  return Duration.minutes(Math.max(1, Math.min(interval, Math.floor(MAX_EVALUATION_MINUTES / periods))));
}

export function createPipelineAlarms(alerts: AlertTopic, transform: TransformStage, load: LoadStage, config: PipelineConfig): void {
  const { failurePeriods, stalenessMinutes, rejectedRowsThreshold, freshnessMinutes } = config.alarms;
  const pipeline = Stack.of(alerts).stackName;
  const atLeastOnce = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
  const quietWhenNoData = cloudwatch.TreatMissingData.NOT_BREACHING;

  alerts.alarm('TransformFailures', {
    name: 'transform-failures',
    alarmDescription: `The transform Lambda failed in each of the last ${failurePeriods} five-minute periods: ingestion objects are not being processed. Check its logs for the error. ${SEE}`,
    metric: transform.lambda.function.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: failurePeriods,
    datapointsToAlarm: failurePeriods,
    treatMissingData: quietWhenNoData,
  });

  const loadPeriod = loadFailurePeriod(config.loadSchedule, failurePeriods);
  alerts.alarm('LoadFailures', {
    name: 'load-failures',
    alarmDescription: `The load Lambda failed in each of the last ${failurePeriods} periods of ${loadPeriod.toMinutes()} minutes: the warehouse is not being updated. Check its logs (database reachable? secret filled in?). ${SEE}`,
    metric: load.lambda.function.metricErrors({ period: loadPeriod, statistic: cloudwatch.Stats.SUM }),
    threshold: 1,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: failurePeriods,
    datapointsToAlarm: failurePeriods,
    treatMissingData: quietWhenNoData,
  });

  // A run whose batches fail still ends normally (the failures are retried every run), so
  // Lambda Errors misses it: watch the loader's own count of failed batches.
  alerts.alarm('LoadBatchFailures', {
    name: 'load-batch-failures',
    alarmDescription: `Load runs failed to load at least one batch in each of the last ${failurePeriods} periods of ${loadPeriod.toMinutes()} minutes (a processed file that does not match its table, or a database error). The batches are retried every run; the load log names the file and the mismatch. ${SEE}`,
    metric: pipelineMetric(pipeline, LoadMetric.BatchesFailed, { period: loadPeriod }),
    threshold: 1,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: failurePeriods,
    datapointsToAlarm: failurePeriods,
    treatMissingData: quietWhenNoData,
  });

  for (const [id, name, queue, what] of [
    [
      'TransformDeadLetters',
      'transform-dead-letters',
      transform.deadLetterQueue,
      'ingestion-object events that failed every transform attempt',
    ],
    [
      'LoadDeadLetters',
      'load-dead-letters',
      load.deadLetterQueue,
      'load runs that failed every attempt or could not be delivered by the schedule',
    ],
  ] as const) {
    alerts.alarm(id, {
      name,
      alarmDescription: `The dead-letter queue holds ${what}. Fix the cause, then redrive or purge the messages. ${SEE}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: atLeastOnce,
      evaluationPeriods: 1,
      treatMissingData: quietWhenNoData,
    });
  }

  for (const [id, name, stage, label] of [
    ['TransformDroppedEvents', 'transform-dropped-events', transform, 'the transform Lambda'],
    ['LoadDroppedEvents', 'load-dropped-events', load, 'the load Lambda'],
  ] as const) {
    alerts.alarm(id, {
      name,
      alarmDescription: `Lambda gave up on asynchronous events of ${label} (retries exhausted or too old); they were sent to its dead-letter queue. ${SEE}`,
      metric: stage.lambda.function.metric('AsyncEventsDropped', { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: atLeastOnce,
      evaluationPeriods: 1,
      treatMissingData: quietWhenNoData,
    });
  }

  alerts.alarm('SequenceGaps', {
    name: 'sequence-gaps',
    alarmDescription: `An ingestion object arrived whose sequence is more than one above the last processed for its table: objects are missing or late. The transform log names the table and the gap. ${SEE}`,
    metric: pipelineMetric(pipeline, TransformMetric.SequenceGaps),
    threshold: 1,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: 1,
    treatMissingData: quietWhenNoData,
  });

  alerts.alarm('RejectedRows', {
    name: 'rejected-rows',
    alarmDescription: `At least ${rejectedRowsThreshold} ingested rows failed validation in five minutes; they are in rejected/ in the processed bucket with the reason for each. ${SEE}`,
    metric: pipelineMetric(pipeline, TransformMetric.RowsRejected),
    threshold: rejectedRowsThreshold,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: 1,
    treatMissingData: quietWhenNoData,
  });

  // Stale means a batch waited longer than the setting without a run getting to it. A batch
  // that runs attempt and fail is load-batch-failures; runs that fail before reaching the
  // warehouse are load-failures. Missing data is not stale: before the first run, and
  // while the warehouse is not configured yet, no run reports an age.
  alerts.alarm('WarehouseStale', {
    name: 'warehouse-stale',
    alarmDescription: `A processed batch has waited at least ${stalenessMinutes} minutes without a load run getting to it: the warehouse is going stale (runs stop at their time budget, or fall behind). A batch that keeps failing raises load-batch-failures instead. Check the load Lambda's logs and the lag on the dashboard. ${SEE}`,
    metric: pipelineMetric(pipeline, LoadMetric.OldestUnattemptedBatchAge, { statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: stalenessMinutes * 60,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: 1,
    treatMissingData: quietWhenNoData,
  });

  // The contract's freshness goal. Only batches whose ingestion object carries
  // source-read-at (the ingest stage's, or any job that sets it) report a lag; without
  // them there is no data, which is not breaching (warehouse-stale covers a loader that stops).
  alerts.alarm('Freshness', {
    name: 'freshness',
    alarmDescription: `A batch reached the warehouse at least ${freshnessMinutes} minutes after the ingest run that read its rows from the source (FreshnessLag, per table on the dashboard): the freshness goal is missed. Check which stage is slow: ingest and load durations, the load lag, the transform's errors. ${SEE}`,
    metric: pipelineMetric(pipeline, LoadMetric.FreshnessLag, { statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: freshnessMinutes * 60,
    comparisonOperator: atLeastOnce,
    evaluationPeriods: 1,
    treatMissingData: quietWhenNoData,
  });
}
